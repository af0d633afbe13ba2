"""Measure feature-engineering steps fairly: one metric, one cross-validation, one results table.

Lab 01 changes one thing at a time (an imputer, a scaler, an encoder) and asks whether the model
got better. The answer is only meaningful if every variant is scored with the *same* metric on the
*same* folds, so this module makes that the default and refuses anything else::

    from labkit.features import ResultsTable, cv_score, split_features_target

    X, y = split_features_target(churn, target="churn", positive="Yes")
    results = ResultsTable(scoring="roc_auc")
    results.add("baseline", "numeric columns only", cv_score(model, X, y))
    results.to_frame()

Conventions: labels are 0 and 1 with **1 the positive class**; the default cross-validation is
``StratifiedKFold(n_splits=5, shuffle=True, random_state=0)``; a standard deviation is the
population one (``ddof=0``) over the fold scores, as scikit-learn's examples report it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import BaseCrossValidator, StratifiedKFold, cross_val_score

from labkit.errors import MessageKeyError

DEFAULT_SPLITS = 5
DEFAULT_SEED = 0


class ColumnNotFoundError(MessageKeyError):
    """A column name is not in the DataFrame."""


class NotBinaryError(ValueError):
    """A label is not binary, or not coded as 0 and 1."""


class ResultsTableError(ValueError):
    """A row does not fit the results table (duplicate step, another metric, other folds)."""


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


def default_cv(n_splits: int = DEFAULT_SPLITS, random_state: int = DEFAULT_SEED) -> StratifiedKFold:
    """The course's cross-validation: stratified, shuffled once with a fixed seed."""
    return StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)


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
    """The scores of one model on each fold of one cross-validation."""

    fold_scores: tuple[float, ...]
    scoring: str
    cv: str

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


def cv_score(
    model: BaseEstimator,
    X: pd.DataFrame | np.ndarray,
    y: pd.Series | np.ndarray,
    cv: BaseCrossValidator | None = None,
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
    scores = cross_val_score(clone(model), X, labels, cv=cv, scoring=scoring, n_jobs=1, error_score="raise")
    return CVScore(fold_scores=tuple(float(s) for s in scores), scoring=scoring, cv=repr(cv))


class ResultsTable:
    """Accumulate one row per experiment and compare every row with the baseline, fold by fold.

    The first row added is the baseline unless `baseline` names another step. Every row must use
    the table's metric and the same cross-validation as the first row, so the comparison is fair.
    """

    def __init__(self, scoring: str = "roc_auc", metric_label: str = "ROC-AUC") -> None:
        self.scoring = scoring
        self.metric_label = metric_label
        self._rows: list[dict] = []

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def steps(self) -> list[str]:
        """The step names, in the order they were added."""
        return [row["step"] for row in self._rows]

    def add(self, step: str, change: str, score: CVScore, model: str = "logistic regression") -> CVScore:
        """Record `score` under a unique `step` name, describing `change` in a few words."""
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
        self._rows.append({"step": step, "model": model, "change": change, "score": score})
        return score

    def score(self, step: str) -> CVScore:
        """The CVScore recorded for `step`."""
        for row in self._rows:
            if row["step"] == step:
                return row["score"]
        raise ColumnNotFoundError(f"No step {step!r} in the table; its steps are: {', '.join(self.steps)}.")

    def to_frame(self, baseline: str | None = None, steps: Sequence[str] | None = None) -> pd.DataFrame:
        """The table as a DataFrame indexed by step, rounded to four decimals.

        Columns: model, what changed, mean and standard deviation of the metric, the difference of
        the means from the baseline, and on how many folds the step beat the baseline's score on
        the same fold. `steps` selects and orders rows (all rows by default).
        """
        if not self._rows:
            raise ResultsTableError("The table is empty; add a row first.")
        reference = self.score(baseline) if baseline is not None else self._rows[0]["score"]
        chosen = self._rows if steps is None else [self._row(step) for step in steps]
        label = self.metric_label
        records = []
        for row in chosen:
            score = row["score"]
            wins = sum(s > r for s, r in zip(score.fold_scores, reference.fold_scores, strict=True))
            records.append(
                {
                    "step": row["step"],
                    "model": row["model"],
                    "what changed": row["change"],
                    f"{label} mean": round(score.mean, 4),
                    f"{label} std": round(score.std, 4),
                    "vs baseline": round(score.mean - reference.mean, 4),
                    "folds better": f"{wins}/{len(score.fold_scores)}",
                }
            )
        return pd.DataFrame.from_records(records).set_index("step")

    def _row(self, step: str) -> dict:
        self.score(step)  # raises a clear error for an unknown step
        return next(row for row in self._rows if row["step"] == step)


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
