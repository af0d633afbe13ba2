"""Measure feature-engineering steps fairly: one metric, the same repeated folds, a difference with its interval.

Lab 01 changes one thing at a time (an imputer, a scaler, an encoder) and asks whether the model
got better. The answer means something only if every variant is scored with the *same* metric on
the *same* folds, and if the difference carries its uncertainty. This module makes both the
default and refuses anything else::

    from labkit.features import ResultsTable, cv_score, split_features_target

    X, y = split_features_target(churn, target="churn", positive="Yes")
    results = ResultsTable(scoring="roc_auc")
    results.add("baseline", "numeric columns only", cv_score(model, X, y))
    results.add("scaled", "StandardScaler first", cv_score(scaled_model, X, y), reference="baseline")
    results.to_frame()          # each row: its mean, its difference from its reference, a 95 % interval
    results.compare("scaled")   # a Difference; .verdict is "better", "worse" or "within noise"

Conventions: labels are 0 and 1 with **1 the positive class**; the default cross-validation is
``RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=0)``, 10 fits per experiment; a
standard deviation is the population one (``ddof=0``) over the fold scores. The interval of a
difference between two cross-validated models is the *corrected resampled t* interval of Nadeau and
Bengio (2003): the folds' training sets overlap, so their scores are correlated and the textbook
t interval would be far too narrow; the correction multiplies the variance of the mean difference
by ``1 / folds + n_test / n_train`` instead of ``1 / folds``. A difference on one held-out set uses a
paired, class-stratified bootstrap of the rows (`bootstrap_roc_auc_difference`).

The pipeline builders at the end of the module (`logistic`, `knn`, `numeric_parts`, `pipeline`,
`onehot_pipeline`, `plan_column`) are the code Lab 01 shows in its cells marked
``#@save labkit.features``; a test keeps both copies identical, and
`tests/test_conclusions_lab01.py` reuses them to recompute the lab's conclusions under other seeds.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import BaseCrossValidator, RepeatedStratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, KBinsDiscretizer, OneHotEncoder, StandardScaler

from labkit.errors import MessageKeyError

DEFAULT_SPLITS = 5
DEFAULT_REPEATS = 2
DEFAULT_SEED = 0
DEFAULT_CONFIDENCE = 0.95
VERDICTS = ("better", "worse", "within noise")


class ColumnNotFoundError(MessageKeyError):
    """A column name is not in the DataFrame."""


class NotBinaryError(ValueError):
    """A label is not binary, or not coded as 0 and 1."""


class ResultsTableError(ValueError):
    """A row does not fit the results table (duplicate step, another metric, other folds, unknown reference)."""


def check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """Return `columns` as a list, or raise ColumnNotFoundError naming the unknown ones."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        known = ", ".join(map(str, frame.columns))
        raise ColumnNotFoundError(
            f"Unknown column(s) {', '.join(map(repr, unknown))}. The frame has: {known}. "
            "Check the spelling, or create the column before using it."
        )
    return columns


def binary_target(labels: pd.Series, positive: Hashable) -> pd.Series:
    """Code a two-valued label as 1 for `positive` and 0 for the other value.

    Raises NotBinaryError if the label has missing values, more or fewer than two distinct
    values, or if `positive` is not one of them.
    """
    if not isinstance(labels, pd.Series):
        raise TypeError(f"labels must be a pandas Series, got {type(labels).__name__}")
    if labels.isna().any():
        raise NotBinaryError(
            f"The label {labels.name!r} has {int(labels.isna().sum())} missing value(s); "
            "drop or label those rows first."
        )
    values = sorted(map(str, pd.unique(labels)))
    if len(values) != 2:
        raise NotBinaryError(
            f"The label {labels.name!r} must have exactly two values, found {len(values)}: "
            f"{', '.join(values[:10])}. Group the values into two classes first."
        )
    if positive not in set(pd.unique(labels)):
        raise NotBinaryError(
            f"The positive class {positive!r} is not a value of {labels.name!r}; its values are {', '.join(values)}."
        )
    return (labels == positive).astype("int64").rename(labels.name)


def split_features_target(
    frame: pd.DataFrame,
    target: str,
    positive: Hashable,
    features: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Split a frame into features `X` and a 0/1 label `y` (1 = `positive`).

    `features` defaults to every column except `target`. Unknown names raise
    ColumnNotFoundError; a label that is not binary raises NotBinaryError.
    """
    check_columns(frame, [target])
    if features is None:
        features = [c for c in frame.columns if c != target]
    features = check_columns(frame, features)
    if target in features:
        raise ValueError(f"The target {target!r} is also listed as a feature; remove it from `features`.")
    return frame[features].copy(), binary_target(frame[target], positive)


def default_cv(
    n_splits: int = DEFAULT_SPLITS, n_repeats: int = DEFAULT_REPEATS, random_state: int = DEFAULT_SEED
) -> RepeatedStratifiedKFold:
    """The course's cross-validation: stratified k-fold, repeated with reshuffles from a fixed seed."""
    if n_splits < 2 or n_repeats < 1:
        raise ValueError(f"need n_splits >= 2 and n_repeats >= 1, got n_splits={n_splits}, n_repeats={n_repeats}")
    return RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=random_state)


def _check_binary_01(y: pd.Series | np.ndarray) -> np.ndarray:
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise NotBinaryError(f"y must be one-dimensional, got shape {labels.shape}")
    values = set(pd.unique(labels).tolist())
    if not values <= {0, 1} or len(values) != 2:
        shown = ", ".join(sorted(map(repr, values))[:10])
        raise NotBinaryError(
            f"y must hold the two labels 0 and 1, found: {shown}. Convert it with binary_target(labels, positive=...)."
        )
    return labels


@dataclass(frozen=True)
class CVScore:
    """The scores of one model on each fold of one cross-validation.

    `test_train_ratio` is the mean of (test rows / training rows) over the folds: 0.25 for 5 folds.
    """

    fold_scores: tuple[float, ...]
    scoring: str
    cv: str
    test_train_ratio: float = 1 / (DEFAULT_SPLITS - 1)

    @property
    def mean(self) -> float:
        """Mean of the fold scores."""
        return float(np.mean(self.fold_scores))

    @property
    def std(self) -> float:
        """Population standard deviation (ddof=0) of the fold scores."""
        return float(np.std(self.fold_scores))

    def __str__(self) -> str:
        return f"{self.mean:.4f} ± {self.std:.4f}"


def _signed(value: float) -> str:
    # Four decimals with a sign. A tiny negative value keeps its sign (-0.0000: just below zero);
    # only an exact zero, which floats may carry as -0.0, shows as +0.0000.
    return f"{value + 0.0:+.4f}"


@dataclass(frozen=True)
class Difference:
    """A difference of scores (a model minus its reference) with its confidence interval."""

    mean: float
    low: float
    high: float
    confidence: float
    method: str

    @property
    def verdict(self) -> str:
        """"better" when the whole interval is above zero, "worse" when below, else "within noise"."""
        if self.low > 0:
            return "better"
        if self.high < 0:
            return "worse"
        return "within noise"

    @property
    def interval(self) -> str:
        """The interval as text, for example "[+0.0031, +0.0066]"."""
        return f"[{_signed(self.low)}, {_signed(self.high)}]"

    def __str__(self) -> str:
        return f"{_signed(self.mean)}, {self.confidence:.0%} interval {self.interval} ({self.verdict})"


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (for example 0.95), got {confidence}")


def cv_score(
    model: BaseEstimator,
    X: pd.DataFrame | np.ndarray,
    y: pd.Series | np.ndarray,
    cv: BaseCrossValidator | RepeatedStratifiedKFold | None = None,
    scoring: str = "roc_auc",
) -> CVScore:
    """Cross-validate a fresh copy of `model` (an estimator or a Pipeline) and keep every fold's score.

    The model is cloned, so fitting inside the folds never touches the object you pass. `y` must
    be coded 0/1 (see `binary_target`); `cv` defaults to `default_cv()`. Runs on one core.
    """
    if not hasattr(model, "fit"):
        raise TypeError(f"model must be a scikit-learn estimator or Pipeline, got {type(model).__name__}")
    labels = _check_binary_01(y)
    if len(X) != len(labels):
        raise ValueError(f"X has {len(X)} rows but y has {len(labels)}; they must describe the same rows.")
    cv = cv if cv is not None else default_cv()
    if not (hasattr(cv, "split") and hasattr(cv, "get_n_splits")):
        raise TypeError(f"cv must be a cross-validation splitter such as StratifiedKFold, got {cv!r}")
    splits = list(cv.split(np.zeros(len(labels)), labels))
    ratio = float(np.mean([len(test) / len(train) for train, test in splits]))
    scores = cross_val_score(clone(model), X, labels, cv=splits, scoring=scoring, n_jobs=1, error_score="raise")
    return CVScore(fold_scores=tuple(float(s) for s in scores), scoring=scoring, cv=repr(cv), test_train_ratio=ratio)


def paired_difference(score: CVScore, reference: CVScore, confidence: float = DEFAULT_CONFIDENCE) -> Difference:
    """`score` minus `reference`, fold by fold, with the corrected resampled t interval.

    Both must come from the same folds (same splitter, same metric). With J fold differences of
    sample variance s², the interval is ``mean ± t(J - 1) * sqrt((1 / J + n_test / n_train) * s²)``
    (Nadeau and Bengio, 2003; Bouckaert and Frank, 2004).
    """
    for name, value in (("score", score), ("reference", reference)):
        if not isinstance(value, CVScore):
            raise TypeError(f"{name} must be the CVScore that cv_score returns, got {type(value).__name__}")
    _check_confidence(confidence)
    if score.scoring != reference.scoring:
        raise ResultsTableError(f"cannot compare {score.scoring!r} with {reference.scoring!r}: use one metric")
    if score.cv != reference.cv or len(score.fold_scores) != len(reference.fold_scores):
        raise ResultsTableError(
            f"the two scores come from different folds ({score.cv} and {reference.cv}); "
            "a paired difference needs the same folds"
        )
    differences = np.subtract(score.fold_scores, reference.fold_scores)
    folds = len(differences)
    if folds < 2:
        raise ResultsTableError("a paired difference needs at least two folds")
    half_width = stats.t.ppf((1 + confidence) / 2, df=folds - 1) * math.sqrt(
        (1 / folds + score.test_train_ratio) * differences.var(ddof=1)
    )
    mean = float(differences.mean())
    return Difference(mean, mean - half_width, mean + half_width, confidence, "corrected resampled t")


def _auc_per_row(values: np.ndarray, n_positive: int) -> np.ndarray:
    # ROC-AUC of each row of `values`, whose first n_positive columns are the positive rows (Mann-Whitney).
    ranks = stats.rankdata(values, axis=1)
    n_negative = values.shape[1] - n_positive
    return (ranks[:, :n_positive].sum(axis=1) - n_positive * (n_positive + 1) / 2) / (n_positive * n_negative)


def bootstrap_roc_auc_difference(
    y_true: pd.Series | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    reference_scores: Sequence[float] | np.ndarray,
    n_resamples: int = 2000,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = DEFAULT_SEED,
) -> Difference:
    """ROC-AUC of `scores` minus that of `reference_scores` on the same rows, with a bootstrap interval.

    Paired: each resample draws rows with replacement (positives and negatives separately, so every
    resample keeps the class counts) and scores both models on the same rows. The interval is the
    percentile interval of the resampled differences; the mean is the difference on all rows.
    """
    labels = _check_binary_01(y_true)
    _check_confidence(confidence)
    if n_resamples < 100:
        raise ValueError(f"n_resamples must be at least 100 for a stable interval, got {n_resamples}")
    columns = []
    for name, values in (("scores", scores), ("reference_scores", reference_scores)):
        array = np.asarray(values, dtype="float64")
        if array.shape != labels.shape or not np.isfinite(array).all():
            raise ValueError(f"{name} must hold one finite score per label ({len(labels)}), got shape {array.shape}")
        columns.append(array)
    rng = np.random.default_rng(seed)
    positives, negatives = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    rows = np.hstack([rng.choice(group, size=(n_resamples, len(group))) for group in (positives, negatives)])
    differences = _auc_per_row(columns[0][rows], len(positives)) - _auc_per_row(columns[1][rows], len(positives))
    low, high = np.quantile(differences, [(1 - confidence) / 2, (1 + confidence) / 2])
    mean = float(roc_auc_score(labels, columns[0]) - roc_auc_score(labels, columns[1]))
    return Difference(mean, float(low), float(high), confidence, "paired bootstrap")


class ResultsTable:
    """Accumulate one row per experiment; compare each row with the row it changes, on the same folds.

    A row names its `reference`, the experiment it differs from by one change, and the table shows
    the difference of the two with its interval (`paired_difference`). Every row must use the
    table's metric and the same cross-validation as the first row, so the comparison is fair.
    """

    def __init__(self, scoring: str = "roc_auc", metric_label: str = "ROC-AUC",
                 confidence: float = DEFAULT_CONFIDENCE) -> None:
        _check_confidence(confidence)
        self.scoring = scoring
        self.metric_label = metric_label
        self.confidence = confidence
        self._rows: list[dict] = []

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def steps(self) -> list[str]:
        """The step names, in the order they were added."""
        return [row["step"] for row in self._rows]

    def add(self, step: str, change: str, score: CVScore, reference: str | None = None) -> CVScore:
        """Record `score` under a unique `step` name, describing `change` in a few words.

        `reference` names an earlier step that differs from this one by the `change` alone; the
        table then shows the difference between the two with its interval.
        """
        if not isinstance(score, CVScore):
            raise TypeError(f"score must be the CVScore that cv_score returns, got {type(score).__name__}")
        if not step or not isinstance(step, str):
            raise ResultsTableError("step must be a non-empty string naming the experiment")
        if step in self.steps:
            raise ResultsTableError(f"The table already has a step {step!r}; give each experiment its own name.")
        if score.scoring != self.scoring:
            raise ResultsTableError(
                f"Step {step!r} was scored with {score.scoring!r}, the table compares {self.scoring!r}: "
                "score every experiment with the same metric."
            )
        if self._rows and score.cv != self._rows[0]["score"].cv:
            raise ResultsTableError(
                f"Step {step!r} used another cross-validation ({score.cv}) than the first row "
                f"({self._rows[0]['score'].cv}); use the same folds for every experiment."
            )
        if reference is not None and reference not in self.steps:
            raise ResultsTableError(
                f"Step {step!r} names the reference {reference!r}, which is not in the table; "
                f"add it first. Steps so far: {', '.join(self.steps) or 'none'}."
            )
        self._rows.append({"step": step, "change": change, "score": score, "reference": reference})
        return score

    def score(self, step: str) -> CVScore:
        """The CVScore recorded for `step`."""
        return self._row(step)["score"]

    def compare(self, step: str, reference: str | None = None) -> Difference:
        """`step` minus its reference (or minus `reference` when given), with its interval."""
        reference = reference if reference is not None else self._row(step)["reference"]
        if reference is None:
            raise ResultsTableError(f"Step {step!r} has no reference to compare with; name one.")
        return paired_difference(self.score(step), self.score(reference), self.confidence)

    def to_frame(self, steps: Sequence[str] | None = None) -> pd.DataFrame:
        """The table as a DataFrame indexed by step: one row per experiment, in the order given.

        Columns: what changed, the mean score (four decimals), the reference it is compared with, the
        difference of the means, its interval and the verdict ("better", "worse", "within noise").
        `steps` selects and orders rows (all rows by default).
        """
        if not self._rows:
            raise ResultsTableError("The table is empty; add a row first.")
        chosen = self._rows if steps is None else [self._row(step) for step in steps]
        label = f"{self.confidence:.0%} interval"
        records = []
        for row in chosen:
            record = {"step": row["step"], "what changed": row["change"],
                      self.metric_label: round(row["score"].mean, 4), "compared with": "", "difference": "",
                      label: "", "verdict": ""}
            if row["reference"] is not None:
                difference = self.compare(row["step"])
                record.update({"compared with": row["reference"], "difference": _signed(difference.mean),
                               label: difference.interval, "verdict": difference.verdict})
            records.append(record)
        return pd.DataFrame.from_records(records).set_index("step")

    def _row(self, step: str) -> dict:
        for row in self._rows:
            if row["step"] == step:
                return row
        raise ColumnNotFoundError(f"No step {step!r} in the table; its steps are: {', '.join(self.steps)}.")


def outlier_summary(frame: pd.DataFrame, columns: Sequence[str], k: float = 1.5, z: float = 3.0) -> pd.DataFrame:
    """Count the values each rule flags as outliers, per numeric column.

    IQR rule: below ``Q1 - k * IQR`` or above ``Q3 + k * IQR`` (quartiles by linear
    interpolation). z-score rule: ``|x - mean| / std > z`` with the population standard deviation.
    Missing values are ignored. Also reports the skewness, since a long tail is often what a
    "many outliers" report is really about.
    """
    columns = check_columns(frame, columns)
    if k <= 0 or z <= 0:
        raise ValueError(f"k and z must be positive, got k={k}, z={z}")
    rows = {}
    for column in columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise TypeError(f"Column {column!r} is {values.dtype}, not numeric; outlier rules need numbers.")
        values = values.dropna().astype("float64")
        q1, q3 = values.quantile([0.25, 0.75])
        low, high = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
        std = values.std(ddof=0)
        z_scores = (values - values.mean()) / std if std > 0 else values * 0.0
        rows[column] = {
            "q1": q1,
            "q3": q3,
            "lower fence": low,
            "upper fence": high,
            "IQR outliers": int(((values < low) | (values > high)).sum()),
            f"|z| > {z:g}": int((z_scores.abs() > z).sum()),
            "skewness": float(values.skew()),
        }
    return pd.DataFrame.from_dict(rows, orient="index").round(3)


# ---------------------------------------------------------------------------------------------------
# Lab 01's pipeline builders. The lab shows them in cells marked `#@save labkit.features`; keep the
# two copies identical (tests/test_lab_structure.py compares them).


def logistic() -> LogisticRegression:
    """The lab's linear model; the newton-cholesky solver converges even on unscaled columns."""
    return LogisticRegression(solver="newton-cholesky")


def knn(n_neighbors: int = 50) -> KNeighborsClassifier:
    """The lab's distance-based model: a customer's churn probability is the churn rate of its neighbours."""
    return KNeighborsClassifier(n_neighbors=n_neighbors)


def numeric_parts(numeric: Sequence[str], log_charges: bool = True, tenure_bins: bool = False) -> list[tuple]:
    """The numeric block of every later pipeline, as ColumnTransformer parts.

    total_charges: missing (not billed yet) -> 0, then log1p if `log_charges`, then standardised.
    The other numeric columns: standardised. `tenure_bins` adds 6 quantile bins of tenure, one-hot.
    """
    if "total_charges" not in numeric:
        raise ValueError(f"numeric must include 'total_charges', got {list(numeric)}")
    charges = [SimpleImputer(strategy="constant", fill_value=0)]
    if log_charges:
        charges.append(FunctionTransformer(np.log1p, feature_names_out="one-to-one"))
    charges.append(StandardScaler())
    others = [column for column in numeric if column != "total_charges"]
    parts = [("charges", make_pipeline(*charges), ["total_charges"]), ("numbers", StandardScaler(), others)]
    if tenure_bins:
        parts.append(("tenure_bins", KBinsDiscretizer(n_bins=6, encode="onehot", strategy="quantile"), ["tenure"]))
    return parts


def pipeline(parts: list[tuple], model: BaseEstimator | None = None) -> Pipeline:
    """A ColumnTransformer of `parts`, then `model` (logistic regression by default)."""
    return make_pipeline(ColumnTransformer(parts), model if model is not None else logistic())


def onehot_pipeline(
    numeric: Sequence[str],
    categorical: Sequence[str],
    log_charges: bool = True,
    tenure_bins: bool = False,
    model: BaseEstimator | None = None,
) -> Pipeline:
    """The numeric block plus one-hot encoded categorical columns; the flags switch one step each."""
    parts = numeric_parts(numeric, log_charges=log_charges, tenure_bins=tenure_bins)
    parts.append(("categories", OneHotEncoder(handle_unknown="ignore"), list(categorical)))
    return pipeline(parts, model)


def plan_column(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Each row's plan: the values of `columns` joined into one string."""
    columns = check_columns(frame, columns)
    return frame[columns].astype(str).agg(" | ".join, axis=1)


def develop_then_test(
    model: BaseEstimator,
    X: pd.DataFrame,
    y: pd.Series,
    train_rows: pd.Index,
    test_rows: pd.Index,
    cv: BaseCrossValidator | RepeatedStratifiedKFold | None = None,
) -> tuple[CVScore, np.ndarray]:
    """Cross-validate `model` on the development rows (what you would report), then fit it on them
    and return its scores for the held-back rows (what you get)."""
    development = cv_score(model, X.loc[train_rows], y[train_rows], cv=cv)
    fitted = clone(model).fit(X.loc[train_rows], y[train_rows])
    return development, fitted.predict_proba(X.loc[test_rows])[:, 1]
