"""Classification and regression metrics, and the cost of a model's errors.

The metrics lab (Lab 04) builds these by hand and checks them against scikit-learn; the book
quotes the numbers they produce. Conventions used throughout:

- labels are 0 and 1, and **1 is the positive class**: the rare, interesting case (a bad loan, a
  fraudulent payment). Map string labels first, e.g. ``(frame["Class"] == "bad").astype(int)``;
- a *score* is the model's probability that a row is positive (``predict_proba(X)[:, 1]``);
- a row is flagged positive when ``score >= threshold``, so threshold 0 flags every row.

Example::

    costs = CostMatrix(false_positive=1, false_negative=10)
    table = expected_cost(y_test, scores, np.linspace(0, 1, 101), costs)
    threshold = best_threshold(y_test, scores, np.linspace(0, 1, 101), costs)

How sure is a difference measured on one test set? `bootstrap_weights` draws resamples of the
test rows, and `resampled_ranking` and `resampled_cost` score every resample at once; give two
models or two thresholds the same weights and take the quantiles of the paired differences::

    weights = bootstrap_weights(len(y_test), resamples=1000, rng=np.random.default_rng(0))
    saving = resampled_cost(y_test, scores, 1.0, costs, weights) - resampled_cost(y_test, scores, 0.1, costs, weights)
    low, high = np.quantile(saving, [0.025, 0.975])   # an interval holding 0 means "within noise"

`expected_cost` is shown in Lab 04 (a cell marked ``#@save labkit.metrics``); keep both copies identical.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd


class MetricsInputError(ValueError):
    """An argument of a `labkit.metrics` function is not valid; the message says how to fix it."""


@dataclass(frozen=True)
class CostMatrix:
    """What each kind of decision costs, in any one unit (dollars, minutes, points).

    ``false_negative`` is the cost of missing a positive (approving a loan that goes bad),
    ``false_positive`` the cost of a false alarm (reviewing or declining a good loan). Correct
    decisions cost nothing by default; give them a cost when they have one (a manual review of a
    loan that really is bad still takes an analyst's time).
    """

    false_positive: float
    false_negative: float
    true_positive: float = 0.0
    true_negative: float = 0.0

    def __post_init__(self) -> None:
        for name in ("false_positive", "false_negative", "true_positive", "true_negative"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real):
                raise TypeError(f"CostMatrix.{name} must be a number, got {type(value).__name__} {value!r}.")
            if not math.isfinite(value):
                raise MetricsInputError(f"CostMatrix.{name} must be finite, got {value!r}.")
            if value < 0:
                raise MetricsInputError(
                    f"CostMatrix.{name} is {value!r}, but costs cannot be negative. Express a gain as a "
                    "lower cost of the other decisions instead (shift every entry by the same amount)."
                )
        if self.false_positive + self.false_negative + self.true_positive + self.true_negative == 0:
            raise MetricsInputError("Every entry of the CostMatrix is 0: give at least one decision a cost.")

    def total(self, confusion: Confusion) -> float:
        """Total cost of the decisions counted in `confusion`."""
        return (
            confusion.tp * self.true_positive
            + confusion.fp * self.false_positive
            + confusion.fn * self.false_negative
            + confusion.tn * self.true_negative
        )

    def bayes_threshold(self) -> float:
        """The cost-minimising threshold for *calibrated* probabilities.

        Flagging a row with probability p of being positive costs ``p*TP + (1-p)*FP``; letting it
        pass costs ``p*FN + (1-p)*TN``. Flagging is cheaper when
        ``p >= (FP - TN) / ((FP - TN) + (FN - TP))``.
        """
        alarm_regret = self.false_positive - self.true_negative
        miss_regret = self.false_negative - self.true_positive
        if alarm_regret <= 0 or miss_regret <= 0:
            raise MetricsInputError(
                "bayes_threshold needs each error to cost more than the matching correct decision "
                f"(false_positive > true_negative and false_negative > true_positive); got {self}."
            )
        return alarm_regret / (alarm_regret + miss_regret)


@dataclass(frozen=True)
class Confusion:
    """The four counts of a binary confusion matrix, and the metrics built from them.

    A ratio whose denominator is 0 (precision when nothing is flagged) is reported as 0.0, as
    scikit-learn does with ``zero_division=0``.
    """

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def accuracy(self) -> float:
        return _ratio(self.tp + self.tn, self.n)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        """True positive rate, sensitivity: the share of real positives that were flagged."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def specificity(self) -> float:
        return _ratio(self.tn, self.tn + self.fp)

    @property
    def false_positive_rate(self) -> float:
        return _ratio(self.fp, self.fp + self.tn)

    def f_beta(self, beta: float) -> float:
        """F-beta score: beta > 1 weighs recall more, beta < 1 weighs precision more."""
        if isinstance(beta, bool) or not isinstance(beta, Real) or not math.isfinite(beta) or beta <= 0:
            raise MetricsInputError(f"beta must be a positive number (2 favours recall, 0.5 precision), got {beta!r}.")
        weight = beta**2
        # The count form equals the precision/recall form and needs no special case when TP = 0.
        return _ratio((1 + weight) * self.tp, (1 + weight) * self.tp + weight * self.fn + self.fp)

    @property
    def f1(self) -> float:
        return self.f_beta(1.0)

    def as_matrix(self) -> np.ndarray:
        """The counts in scikit-learn's layout: rows actual (0, 1), columns predicted (0, 1)."""
        return np.array([[self.tn, self.fp], [self.fn, self.tp]])


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else 0.0


def _binary_labels(y_true: Iterable) -> np.ndarray:
    labels = np.asarray(y_true)
    if labels.ndim != 1:
        raise MetricsInputError(f"y_true must be one-dimensional, got shape {labels.shape}.")
    if labels.size == 0:
        raise MetricsInputError("y_true is empty: pass at least one label.")
    if labels.dtype == bool:
        return labels.astype(int)
    if not np.issubdtype(labels.dtype, np.number):
        found = sorted({str(value) for value in labels[:1000]})[:5]
        raise MetricsInputError(
            f"y_true must hold 0 and 1 (1 = positive class), but holds labels such as {found}. "
            "Map them first, e.g. (y == 'bad').astype(int)."
        )
    unexpected = sorted(set(np.unique(labels[~np.isin(labels, (0, 1))]).tolist()))
    if unexpected:
        raise MetricsInputError(
            f"y_true must be binary with labels 0 and 1 (1 = positive class); it also holds {unexpected[:5]}. "
            "Map the positive class to 1 and every other label to 0."
        )
    return labels.astype(int)


def _as_floats(values: object, name: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise MetricsInputError(f"{name} must be numbers, but could not be read as floats ({error}).") from error


def _probabilities(scores: Iterable, expected_length: int) -> np.ndarray:
    values = _as_floats(scores, "scores")
    if values.ndim != 1:
        raise MetricsInputError(
            f"scores must be one-dimensional, got shape {values.shape}; use predict_proba(X)[:, 1]."
        )
    if len(values) != expected_length:
        raise MetricsInputError(
            f"y_true has {expected_length} labels but scores has {len(values)} values: pass one score per label."
        )
    if not np.isfinite(values).all():
        raise MetricsInputError("scores contain NaN or infinite values: every score must be a probability.")
    if values.min() < 0 or values.max() > 1:
        raise MetricsInputError(
            f"scores must be probabilities in [0, 1], got values from {values.min():.4g} to {values.max():.4g}; "
            "use predict_proba(X)[:, 1] rather than decision_function(X)."
        )
    return values


def _thresholds(thresholds: Iterable | float) -> np.ndarray:
    values = np.atleast_1d(_as_floats(thresholds, "thresholds"))
    if values.ndim != 1 or values.size == 0:
        raise MetricsInputError("thresholds must be a non-empty list of numbers in [0, 1].")
    outside = values[~((values >= 0) & (values <= 1))]  # also catches NaN
    if outside.size:
        raise MetricsInputError(
            f"thresholds must lie in [0, 1] (scores are probabilities); got {outside[:5].tolist()}."
        )
    return values


def checked_costs(cost_matrix: object, per: object = 1000) -> CostMatrix:
    """Return `cost_matrix` once it is known to be a CostMatrix and `per` a positive whole number.

    Raises TypeError for anything but a CostMatrix and MetricsInputError for a bad `per`.
    """
    if not isinstance(cost_matrix, CostMatrix):
        raise TypeError(
            f"cost_matrix must be a CostMatrix, e.g. CostMatrix(false_positive=1, false_negative=10); "
            f"got {type(cost_matrix).__name__}."
        )
    if isinstance(per, bool) or not isinstance(per, int) or per < 1:
        raise MetricsInputError(f"per must be a positive whole number of decisions, got {per!r}.")
    return cost_matrix


def _counts(labels: np.ndarray, scores: np.ndarray, thresholds: np.ndarray) -> pd.DataFrame:
    """TP, FP, FN, TN at each threshold (rows), for labels and scores already validated."""
    flagged = scores[np.newaxis, :] >= thresholds[:, np.newaxis]
    positive = labels.astype(bool)
    tp = (flagged & positive).sum(axis=1)
    fp = (flagged & ~positive).sum(axis=1)
    return pd.DataFrame(
        {"threshold": thresholds, "TP": tp, "FP": fp, "FN": positive.sum() - tp, "TN": (~positive).sum() - fp}
    )


def confusion_counts(y_true: Iterable, scores: Iterable, thresholds: Iterable | float) -> pd.DataFrame:
    """TP, FP, FN and TN at each threshold: one row per threshold, a row flagged when ``score >= threshold``.

    Raises MetricsInputError for labels other than 0/1, a length mismatch, or scores or thresholds
    outside [0, 1].
    """
    labels = _binary_labels(y_true)
    values = _probabilities(scores, len(labels))
    return _counts(labels, values, _thresholds(thresholds))


def confusion_at(y_true: Iterable, scores: Iterable, threshold: float) -> Confusion:
    """The confusion matrix when rows with ``score >= threshold`` are flagged positive.

    Raises MetricsInputError for labels other than 0/1, a length mismatch, scores outside [0, 1]
    or a threshold outside [0, 1].
    """
    labels = _binary_labels(y_true)
    values = _probabilities(scores, len(labels))
    if np.ndim(threshold) != 0:
        raise MetricsInputError(f"threshold must be one number in [0, 1]; for several use expected_cost or "
                                f"metrics_at_thresholds. Got {threshold!r}.")
    row = _counts(labels, values, _thresholds(threshold)).iloc[0]
    return Confusion(tp=int(row["TP"]), fp=int(row["FP"]), fn=int(row["FN"]), tn=int(row["TN"]))


def metrics_at_thresholds(
    y_true: Iterable, scores: Iterable, thresholds: Iterable, betas: Iterable[float] = (1.0, 2.0, 0.5)
) -> pd.DataFrame:
    """One row per threshold: the four counts, accuracy, precision, recall and an F-beta per beta."""
    labels = _binary_labels(y_true)
    values = _probabilities(scores, len(labels))
    rows = []
    for record in _counts(labels, values, _thresholds(thresholds)).to_dict("records"):
        confusion = Confusion(tp=int(record["TP"]), fp=int(record["FP"]), fn=int(record["FN"]), tn=int(record["TN"]))
        row = {**record, "accuracy": confusion.accuracy, "precision": confusion.precision, "recall": confusion.recall}
        for beta in betas:
            row[f"F{beta:g}"] = confusion.f_beta(beta)
        rows.append(row)
    return pd.DataFrame(rows)


def expected_cost(
    y_true: Iterable, scores: Iterable, thresholds: Iterable, cost_matrix: CostMatrix, per: int = 1000
) -> pd.DataFrame:
    """The average cost of the decisions at each threshold, per `per` decisions, next to the counts behind it.

    Columns: threshold, TP, FP, FN, TN, flagged share, and ``cost per 1,000`` (named after `per`).
    """
    costs = checked_costs(cost_matrix, per)  # a CostMatrix and a positive whole number, or a clear error
    table = confusion_counts(y_true, scores, thresholds)  # one row per threshold: TP, FP, FN, TN
    decisions = table["TP"] + table["FP"] + table["FN"] + table["TN"]
    total = (
        table["FP"] * costs.false_positive
        + table["FN"] * costs.false_negative
        + table["TP"] * costs.true_positive
        + table["TN"] * costs.true_negative
    )
    table["flagged share"] = (table["TP"] + table["FP"]) / decisions
    table[f"cost per {per:,}"] = total / decisions * per
    return table


def best_threshold(y_true: Iterable, scores: Iterable, thresholds: Iterable, cost_matrix: CostMatrix) -> float:
    """The threshold of the grid with the lowest expected cost (the first one, in grid order, on a tie)."""
    table = expected_cost(y_true, scores, thresholds, cost_matrix)
    return float(table["threshold"].iloc[int(np.argmin(table["cost per 1,000"].to_numpy()))])


def bootstrap_weights(n: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """How often each of `n` rows is drawn in each of `resamples` bootstrap resamples: an array (resamples, n).

    A bootstrap resample draws `n` rows with replacement. Row ``r`` of the result counts the draws
    of each row in resample ``r``, so a metric weighted by ``weights[r]`` is the metric on that
    resample. Give the same weights to every model or policy you compare (a *paired* bootstrap):
    the noise they share then cancels out of their difference.
    """
    for name, value in (("n", n), ("resamples", resamples)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise MetricsInputError(f"{name} must be a positive whole number, got {value!r}.")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}.")
    draws = rng.integers(0, n, size=(resamples, n))
    offsets = np.arange(resamples)[:, np.newaxis] * n
    return np.bincount((draws + offsets).ravel(), minlength=resamples * n).reshape(resamples, n)


def _weights(weights: object, expected_columns: int) -> np.ndarray:
    values = _as_floats(weights, "weights")
    if values.ndim != 2 or values.shape[1] != expected_columns:
        raise MetricsInputError(
            f"weights must have one row per resample and one column per label ({expected_columns}), "
            f"got shape {values.shape}; make them with bootstrap_weights(len(y_true), resamples, rng)."
        )
    if not np.isfinite(values).all() or (values < 0).any() or (values.sum(axis=1) <= 0).any():
        raise MetricsInputError("weights must be finite, non-negative, and give every resample some weight.")
    return values


def resampled_ranking(y_true: Iterable, scores: Iterable, weights: object) -> pd.DataFrame:
    """ROC-AUC and PR-AUC (average precision) on each bootstrap resample: one row per row of `weights`.

    Equal to scikit-learn's ``roc_auc_score`` and ``average_precision_score`` with
    ``sample_weight=weights[r]``, computed for all resamples at once. A resample without a positive
    or without a negative row has no ROC-AUC (NaN), and no PR-AUC when it lacks positives.
    """
    labels = _binary_labels(y_true)
    values = _probabilities(scores, len(labels))
    counts = _weights(weights, len(labels))
    order = np.argsort(-values, kind="mergesort")
    positive = labels[order].astype(bool)
    # One point of each curve per distinct score: the end of each group of tied scores.
    ends = np.r_[np.flatnonzero(np.diff(values[order])), len(values) - 1]
    ordered = counts[:, order]
    tp = np.cumsum(np.where(positive, ordered, 0), axis=1)[:, ends]
    fp = np.cumsum(ordered, axis=1)[:, ends] - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.hstack([np.zeros((len(counts), 1)), tp / tp[:, -1:]])
        false_positive_rate = np.hstack([np.zeros((len(counts), 1)), fp / fp[:, -1:]])
        precision = np.divide(tp, tp + fp, out=np.zeros(tp.shape), where=(tp + fp) > 0)
    recall_steps = np.diff(recall, axis=1)
    roc_auc = (np.diff(false_positive_rate, axis=1) * (recall[:, 1:] + recall[:, :-1]) / 2).sum(axis=1)
    return pd.DataFrame({"ROC-AUC": roc_auc, "PR-AUC": (recall_steps * precision).sum(axis=1)})


def resampled_cost(
    y_true: Iterable, scores: Iterable, threshold: float, cost_matrix: CostMatrix, weights: object, per: int = 1000
) -> np.ndarray:
    """The expected cost per `per` decisions at one threshold, on each bootstrap resample of `weights`."""
    costs = checked_costs(cost_matrix, per)
    labels = _binary_labels(y_true)
    values = _probabilities(scores, len(labels))
    if np.ndim(threshold) != 0:
        raise MetricsInputError(f"threshold must be one number in [0, 1], got {threshold!r}.")
    (cut,) = _thresholds(threshold)
    counts = _weights(weights, len(labels))
    flagged, positive = values >= cut, labels == 1
    row_cost = np.select(
        [flagged & positive, flagged & ~positive, ~flagged & positive],
        [costs.true_positive, costs.false_positive, costs.false_negative],
        default=costs.true_negative,
    )
    return counts @ row_cost / counts.sum(axis=1) * per


def regression_report(y_true: Iterable, y_pred: Iterable) -> pd.Series:
    """RMSE, MAE, MAPE (in percent) and R² of predictions `y_pred` against targets `y_true`.

    Raises MetricsInputError for a length mismatch, non-finite values, a true value of 0 (MAPE is
    undefined there) or fewer than two distinct true values (R² is undefined then).
    """
    actual = _as_floats(y_true, "y_true")
    predicted = _as_floats(y_pred, "y_pred")
    if actual.ndim != 1 or predicted.ndim != 1:
        raise MetricsInputError("y_true and y_pred must be one-dimensional.")
    if len(actual) != len(predicted):
        raise MetricsInputError(
            f"y_true has {len(actual)} values but y_pred has {len(predicted)}: pass one prediction per target."
        )
    if not (np.isfinite(actual).all() and np.isfinite(predicted).all()):
        raise MetricsInputError("y_true and y_pred must not contain NaN or infinite values.")
    if (actual == 0).any():
        raise MetricsInputError(
            f"{int((actual == 0).sum())} true value(s) are 0, where MAPE divides by zero: "
            "drop those rows or judge the model by MAE or RMSE."
        )
    if len(np.unique(actual)) < 2:
        raise MetricsInputError("R² needs at least two distinct true values (it divides by their variance).")
    errors = predicted - actual
    return pd.Series(
        {
            "RMSE": float(np.sqrt(np.mean(errors**2))),
            "MAE": float(np.mean(np.abs(errors))),
            "MAPE (%)": float(np.mean(np.abs(errors / actual)) * 100),
            "R²": float(1 - np.sum(errors**2) / np.sum((actual - actual.mean()) ** 2)),
        }
    )
