"""Pre-training bias metrics of SageMaker Clarify, written out in NumPy.

Definitions follow the SageMaker Clarify documentation
(https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-measure-data-bias.html and its
per-metric pages). Notation, for a binary label and a facet split into two groups:

- facet *d* (`facet_d` is True): the group that may be disfavoured, for example applicants
  under 25; facet *a*: everyone else;
- `labels` is True for the positive (favourable) outcome, for example a loan repaid;
- P_a and P_d are the label distributions within each facet, in the order (negative, positive).

Every function takes array-likes (lists, NumPy arrays or pandas Series) of equal length:
``labels`` and ``facet_d`` as booleans or 0/1 integers. The tests cross-check every metric against
`smclarify`, AWS's open-source Clarify library.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

METRIC_NAMES = ("CI", "DPL", "KL", "JS", "LP", "TVD", "KS", "CDDL")


class BiasInputError(ValueError):
    """The labels, facet or groups cannot be used: wrong values, wrong length, or an empty group."""


def _as_binary(values, name: str) -> np.ndarray:
    """Turn booleans or 0/1 integers into a boolean array, or explain what is wrong."""
    if isinstance(values, str):
        raise BiasInputError(f"{name} must be a sequence of booleans, got a string.")
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    if series.isna().any():
        raise BiasInputError(
            f"{name} has {int(series.isna().sum())} missing values; drop or fill them before measuring bias."
        )
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=bool)
    distinct = pd.unique(series.to_numpy(dtype=object))
    if pd.api.types.is_numeric_dtype(series) and set(distinct) <= {0, 1}:
        return series.to_numpy() == 1
    shown = ", ".join(repr(value) for value in list(distinct)[:5])
    raise BiasInputError(
        f"{name} must be binary (True/False or 1/0), got values {shown}. "
        "Turn it into a boolean first, for example frame['Status'] == 'good'."
    )


def _prepare(labels, facet_d) -> tuple[np.ndarray, np.ndarray]:
    label_array = _as_binary(labels, "labels")
    facet_array = _as_binary(facet_d, "facet_d")
    if len(label_array) != len(facet_array):
        raise BiasInputError(
            f"labels has {len(label_array)} values but facet_d has {len(facet_array)}; "
            "they must describe the same rows."
        )
    _check_facet_groups(facet_array)
    return label_array, facet_array


def as_label_and_facet(labels, facet_d) -> tuple[np.ndarray, np.ndarray]:
    """The labels and facet d as boolean arrays of equal length, with both facets present, or a clear error."""
    return _prepare(labels, facet_d)


def _check_facet_groups(facet_array: np.ndarray) -> None:
    if not facet_array.any():
        raise BiasInputError("Facet d is empty: no row has facet_d True. Check the facet condition.")
    if facet_array.all():
        raise BiasInputError("Facet a is empty: every row has facet_d True, so there is nothing to compare with.")


def class_imbalance(facet_d) -> float:
    r"""Class imbalance CI = (n_a - n_d) / (n_a + n_d), in [-1, 1].

    Positive when facet d is the smaller group; it ignores the labels.
    """
    facet_array = _as_binary(facet_d, "facet_d")
    _check_facet_groups(facet_array)
    n_d = int(facet_array.sum())
    n_a = len(facet_array) - n_d
    return (n_a - n_d) / (n_a + n_d)


def dpl(labels, facet_d) -> float:
    r"""Difference in proportions of labels DPL = q_a - q_d, the positive rates of the facets."""
    label_array, facet_array = _prepare(labels, facet_d)
    return float(label_array[~facet_array].mean() - label_array[facet_array].mean())


def label_distributions(labels, facet_d) -> tuple[np.ndarray, np.ndarray]:
    """P_a and P_d: the share of negative and positive labels within each facet."""
    label_array, facet_array = _prepare(labels, facet_d)
    q_a = label_array[~facet_array].mean()
    q_d = label_array[facet_array].mean()
    return np.array([1 - q_a, q_a]), np.array([1 - q_d, q_d])


def _kl_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p || q) in nats, with 0 * ln(0 / q) = 0; infinite where p > 0 and q = 0."""
    support = p > 0
    if np.any(q[support] == 0):
        return math.inf
    return float(np.sum(p[support] * np.log(p[support] / q[support])))


def kl(labels, facet_d) -> float:
    r"""Kullback-Leibler divergence KL(P_a || P_d) = sum_y P_a(y) ln(P_a(y) / P_d(y)), in nats.

    Infinite when facet d never has a label value that facet a has.
    """
    p_a, p_d = label_distributions(labels, facet_d)
    return _kl_divergence(p_a, p_d)


def js(labels, facet_d) -> float:
    r"""Jensen-Shannon divergence JS = [KL(P_a || P) + KL(P_d || P)] / 2 with P = (P_a + P_d) / 2."""
    p_a, p_d = label_distributions(labels, facet_d)
    mixture = (p_a + p_d) / 2
    return (_kl_divergence(p_a, mixture) + _kl_divergence(p_d, mixture)) / 2


def lp(labels, facet_d, p: float = 2) -> float:
    r"""Lp-norm of the difference of label distributions, (sum_y |P_a(y) - P_d(y)|^p)^(1/p); Clarify uses p = 2."""
    if not isinstance(p, int | float) or p < 1:
        raise BiasInputError(f"p must be a number >= 1, got {p!r}.")
    p_a, p_d = label_distributions(labels, facet_d)
    return float(np.linalg.norm(p_a - p_d, ord=p))


def tvd(labels, facet_d) -> float:
    r"""Total variation distance TVD = (1/2) sum_y |P_a(y) - P_d(y)|."""
    p_a, p_d = label_distributions(labels, facet_d)
    return float(np.abs(p_a - p_d).sum() / 2)


def ks(labels, facet_d) -> float:
    r"""Kolmogorov-Smirnov distance KS = max_y |P_a(y) - P_d(y)|."""
    p_a, p_d = label_distributions(labels, facet_d)
    return float(np.abs(p_a - p_d).max())


def cddl(labels, facet_d, groups) -> float:
    r"""Conditional demographic disparity in labels, CDDL = (1/n) sum_i n_i DD_i.

    For each subgroup i of `groups`, DD_i = (facet d's share of the subgroup's negative labels)
    - (facet d's share of its positive labels). As in `smclarify`, a share whose denominator is
    zero (a subgroup with no negative, or no positive, labels) counts as 0.
    """
    label_array, facet_array = _prepare(labels, facet_d)
    group_series = pd.Series(groups) if not isinstance(groups, pd.Series) else groups
    if len(group_series) != len(label_array):
        raise BiasInputError(
            f"groups has {len(group_series)} values but labels has {len(label_array)}; "
            "they must describe the same rows."
        )
    if group_series.isna().any():
        raise BiasInputError(
            f"groups has {int(group_series.isna().sum())} missing values; fill them (e.g. with 'unknown') first."
        )
    if label_array.all() or not label_array.any():
        raise BiasInputError("CDDL needs both positive and negative labels in the data.")
    group_array = group_series.to_numpy(dtype=object)
    total = 0.0
    for group in pd.unique(group_array):
        in_group = group_array == group
        negatives = in_group & ~label_array
        positives = in_group & label_array
        share_of_negatives = (negatives & facet_array).sum() / negatives.sum() if negatives.any() else 0.0
        share_of_positives = (positives & facet_array).sum() / positives.sum() if positives.any() else 0.0
        total += in_group.sum() * (share_of_negatives - share_of_positives)
    return float(total / len(label_array))


def pretraining_metrics(labels, facet_d, groups=None) -> pd.Series:
    """All the metrics above for one facet, as a Series indexed by metric name (CDDL needs `groups`)."""
    values = {
        "CI": class_imbalance(facet_d),
        "DPL": dpl(labels, facet_d),
        "KL": kl(labels, facet_d),
        "JS": js(labels, facet_d),
        "LP": lp(labels, facet_d),
        "TVD": tvd(labels, facet_d),
        "KS": ks(labels, facet_d),
    }
    if groups is not None:
        values["CDDL"] = cddl(labels, facet_d, groups)
    return pd.Series(values, name="value", dtype=float)


def bootstrap_dpl(labels, facet_d, rng: np.random.Generator, resamples: int = 1000) -> np.ndarray:
    """The 2.5 % and 97.5 % quantiles of DPL over `resamples` bootstrap resamples of the rows."""
    y, d = as_label_and_facet(labels, facet_d)  # boolean arrays, checked (Lab 03 shows this function)
    rows = rng.integers(0, len(y), size=(resamples, len(y)))  # each row of `rows` is one resample
    y, d = y[rows], d[rows]
    q_a = (y & ~d).sum(axis=1) / (~d).sum(axis=1)
    q_d = (y & d).sum(axis=1) / d.sum(axis=1)
    return np.quantile(q_a - q_d, [0.025, 0.975])
