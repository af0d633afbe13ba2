"""SHAP bookkeeping: additivity, grouping one-hot columns, global importance and attribution drift.

The explainability lab (Lab 10) uses these helpers around the `shap` package:

- `additivity_error` checks SHAP's local accuracy: base value plus the row's SHAP values must equal
  the model's raw output (for a boosted classifier, the log-odds) for every explained row;
- `group_one_hot` adds the SHAP values of the dummy columns a one-hot encoder made back into one
  value per source column (Shapley values are additive, so the sum keeps local accuracy);
- `mean_abs_importance` is the global importance SageMaker Clarify calls ``mean_abs``;
- `ndcg_feature_ranking` scores how far a live window's feature ranking has drifted from the
  baseline's, the way Clarify's feature attribution drift monitor does, and
  `NDCG_ALERT_THRESHOLD` is the score below which that monitor logs a violation.

Example::

    grouped = group_one_hot(shap_values, feature_names, {"term": ["term_36", "term_60"], ...})
    score = ndcg_feature_ranking(mean_abs_importance(baseline), mean_abs_importance(live))
    drifted = score < NDCG_ALERT_THRESHOLD
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from labkit.errors import MessageKeyError

# Clarify's feature attribution drift monitor logs a violation when the nDCG score of the live
# global SHAP values against the baseline's is less than 0.9:
# https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-model-monitor-model-attribution-drift-violations.html
NDCG_ALERT_THRESHOLD = 0.9


class ExplainInputError(ValueError):
    """An argument of a `labkit.explain` function is not valid; the message says how to fix it."""


class UnknownFeatureError(ExplainInputError, MessageKeyError):
    """Two inputs disagree on which features exist."""


def _as_matrix(values: object, name: str) -> np.ndarray:
    """A 2-D float array (rows x features) from an array, a DataFrame or one row."""
    matrix = np.asarray(values, dtype=float)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    if matrix.ndim != 2:
        raise ExplainInputError(f"{name} must be 2-D (rows x features), got an array of shape {matrix.shape}.")
    if matrix.size == 0:
        raise ExplainInputError(f"{name} is empty: explain at least one row with at least one feature.")
    if not np.isfinite(matrix).all():
        raise ExplainInputError(f"{name} holds NaN or infinite values; explain rows the model can score.")
    return matrix


def additivity_error(base_values: object, shap_values: object, model_output: object) -> float:
    """Largest absolute gap between ``base + sum(SHAP)`` and the model's raw output, over rows.

    `shap_values` is rows x features; `base_values` is one number or one per row; `model_output`
    has one raw output per row, in the units the explainer explained (log-odds for a boosted
    classifier's ``decision_function``, not the probability).
    """
    values = _as_matrix(shap_values, "shap_values")
    rows = values.shape[0]
    base = np.asarray(base_values, dtype=float).reshape(-1)
    output = np.asarray(model_output, dtype=float).reshape(-1)
    if base.size not in (1, rows):
        raise ExplainInputError(
            f"base_values has {base.size} values for {rows} rows: pass one base value, or one per row."
        )
    if output.size != rows:
        raise ExplainInputError(
            f"model_output has {output.size} values for {rows} rows of SHAP values: pass the model's raw "
            "output for exactly the rows that were explained, in the same order."
        )
    if not (np.isfinite(base).all() and np.isfinite(output).all()):
        raise ExplainInputError("base_values and model_output must be finite numbers.")
    return float(np.max(np.abs(base + values.sum(axis=1) - output)))


def group_one_hot(
    shap_values: object, feature_names: Sequence[str], groups: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """Sum the SHAP values of each group of encoded columns into one column per source feature.

    `groups` maps a source feature to the encoded columns made from it, for example
    ``{"term": ["term_36", "term_60"], "int_rate": ["int_rate"]}``. Every encoded column must
    belong to exactly one group, so the row sums (and so additivity) are unchanged. Returns a
    DataFrame with one row per explained row and one column per group, in the order of `groups`.
    """
    values = _as_matrix(shap_values, "shap_values")
    names = [str(name) for name in feature_names]
    if len(names) != values.shape[1]:
        raise ExplainInputError(
            f"feature_names has {len(names)} names for {values.shape[1]} columns of SHAP values; "
            "pass the encoded names in column order (e.g. ColumnTransformer.get_feature_names_out())."
        )
    if len(set(names)) != len(names):
        duplicates = sorted({name for name in names if names.count(name) > 1})
        raise ExplainInputError(f"feature_names repeats {duplicates}; each encoded column needs a unique name.")
    if not groups:
        raise ExplainInputError("groups is empty: map each source feature to the encoded columns made from it.")
    position = {name: index for index, name in enumerate(names)}
    owner: dict[str, str] = {}
    for source, members in groups.items():
        if isinstance(members, str):
            raise ExplainInputError(f"groups[{source!r}] is the string {members!r}; give a list of column names.")
        if len(members) == 0:
            raise ExplainInputError(f"groups[{source!r}] lists no columns; drop the group or name its columns.")
        for member in members:
            if member not in position:
                raise UnknownFeatureError(f"groups[{source!r}] names {member!r}, which is not in feature_names.")
            if member in owner:
                raise ExplainInputError(
                    f"Column {member!r} is in both groups {owner[member]!r} and {source!r}; "
                    "each column must be counted once or the sums double-count it."
                )
            owner[member] = source
    missing = [name for name in names if name not in owner]
    if missing:
        raise UnknownFeatureError(
            f"{len(missing)} encoded column(s) belong to no group, e.g. {missing[:3]}; add them "
            "(a numeric column is its own group) so that no attribution is lost."
        )
    grouped = {source: values[:, [position[m] for m in members]].sum(axis=1) for source, members in groups.items()}
    return pd.DataFrame(grouped)


def mean_abs_importance(shap_values: object, feature_names: Sequence[str] | None = None) -> pd.Series:
    """Global importance: the mean absolute SHAP value of each feature, largest first.

    This is the aggregation SageMaker Clarify names ``mean_abs``. Pass a DataFrame (its columns
    name the features) or an array with `feature_names`.
    """
    if feature_names is None:
        if not isinstance(shap_values, pd.DataFrame):
            raise ExplainInputError("Pass feature_names, or pass the SHAP values as a DataFrame with named columns.")
        feature_names = [str(column) for column in shap_values.columns]
    values = _as_matrix(shap_values, "shap_values")
    if len(feature_names) != values.shape[1]:
        raise ExplainInputError(f"feature_names has {len(feature_names)} names for {values.shape[1]} columns.")
    importance = pd.Series(np.abs(values).mean(axis=0), index=list(feature_names), name="mean |SHAP|")
    return importance.sort_values(ascending=False, kind="stable")


def _importance_series(importance: Mapping[str, float] | pd.Series, name: str) -> pd.Series:
    if not isinstance(importance, (Mapping, pd.Series)):
        raise TypeError(
            f"{name} must map feature names to importances (a pandas Series or a dict), "
            f"got {type(importance).__name__}."
        )
    series = pd.Series(importance, dtype=float) if isinstance(importance, Mapping) else importance.astype(float)
    if series.empty:
        raise ExplainInputError(f"{name} is empty: give the global importance of at least one feature.")
    if series.index.has_duplicates:
        raise ExplainInputError(f"{name} names a feature twice: {sorted(series.index[series.index.duplicated()])}.")
    if not np.isfinite(series.to_numpy()).all():
        raise ExplainInputError(f"{name} holds NaN or infinite values; compute it from finite SHAP values.")
    if (series < 0).any():
        negative = list(series.index[series < 0])[:3]
        raise ExplainInputError(
            f"{name} is negative for {negative}; rank features by a non-negative importance such as "
            "the mean absolute SHAP value (mean_abs_importance), not by signed SHAP values."
        )
    return series


def ndcg_feature_ranking(
    baseline_importance: Mapping[str, float] | pd.Series, live_importance: Mapping[str, float] | pd.Series
) -> float:
    """nDCG of the live feature ranking, with the baseline importances as the relevance of each feature.

    Features are put in the order of `live_importance` (largest first); the feature at position
    i (from 1) earns its *baseline* importance divided by log2(i + 1); the sum is divided by the
    same sum for the baseline's own order, so identical rankings score 1.0. Features tied in the
    live importance share their positions' discounts equally, as scikit-learn's ``ndcg_score`` does.
    A top-ranked baseline feature that falls in the live ranking costs the most.
    """
    baseline = _importance_series(baseline_importance, "baseline_importance")
    live = _importance_series(live_importance, "live_importance")
    only_baseline = sorted(set(baseline.index) - set(live.index))
    only_live = sorted(set(live.index) - set(baseline.index))
    if only_baseline or only_live:
        raise UnknownFeatureError(
            f"The two rankings must cover the same features: only in the baseline {only_baseline[:5]}, "
            f"only in the live window {only_live[:5]}. Compute both from the same model and feature grouping."
        )
    if baseline.sum() == 0:
        raise ExplainInputError(
            "Every baseline importance is 0, so no ranking can be scored; check the baseline SHAP values."
        )
    discounts = 1.0 / np.log2(np.arange(2, len(baseline) + 2))
    ideal = float(np.sort(baseline.to_numpy())[::-1] @ discounts)
    gains = baseline.reindex(live.index)
    dcg = 0.0
    start = 0
    # Walk down the live ranking one tie group at a time (most groups hold a single feature).
    tie_groups = live.groupby(live).groups
    for value in sorted(tie_groups, reverse=True):
        members = list(tie_groups[value])
        size = len(members)
        dcg += float(gains[members].mean()) * float(discounts[start : start + size].sum())
        start += size
    return dcg / ideal
