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


def _check_cost_matrix(cost_matrix: object) -> CostMatrix:
    if not isinstance(cost_matrix, CostMatrix):
        raise TypeError(
            f"cost_matrix must be a CostMatrix, e.g. CostMatrix(false_positive=1, false_negative=10); "
            f"got {type(cost_matrix).__name__}."
        )
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
    """The cost of the decisions at each threshold, averaged per `per` decisions (1,000 by default).

    Columns: threshold, TP, FP, FN, TN, flagged share, and ``cost per 1,000`` (named after `per`).
    """
    costs = _check_cost_matrix(cost_matrix)
    if isinstance(per, bool) or not isinstance(per, int) or per < 1:
        raise MetricsInputError(f"per must be a positive whole number of decisions, got {per!r}.")
    labels = _binary_labels(y_true)
    values = _probabilities(scores, len(labels))
    table = _counts(labels, values, _thresholds(thresholds))
    total = (
        table["TP"] * costs.true_positive
        + table["FP"] * costs.false_positive
        + table["FN"] * costs.false_negative
        + table["TN"] * costs.true_negative
    )
    table["flagged share"] = (table["TP"] + table["FP"]) / len(labels)
    table[f"cost per {per:,}"] = total / len(labels) * per
    return table


def best_threshold(y_true: Iterable, scores: Iterable, thresholds: Iterable, cost_matrix: CostMatrix) -> float:
    """The threshold of the grid with the lowest expected cost (the first one, in grid order, on a tie)."""
    table = expected_cost(y_true, scores, thresholds, cost_matrix)
    return float(table["threshold"].iloc[int(np.argmin(table["cost per 1,000"].to_numpy()))])


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
