"""Data-drift statistics and a small Model Monitor-style checker.

SageMaker Model Monitor profiles a baseline dataset into ``statistics.json``, suggests rules in
``constraints.json`` and checks each later window of captured data against them, writing the
findings as violations. This module does the same job offline, with the documented field names:

- statistics: https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-byoc-statistics.html
- constraints: https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-byoc-constraints.html
- violations: https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-violations.html

::

    from labkit.drift import baseline_statistics, check_window, suggest_constraints

    stats = baseline_statistics(training_frame)        # shaped like statistics.json
    constraints = suggest_constraints(stats)           # shaped like constraints.json
    violations = check_window(week_frame, constraints, training_frame)

Two things differ from the managed container, on purpose:

- The baseline's raw values are passed to `check_window`, and the distances are exact. Model
  Monitor's prebuilt container keeps a KLL quantile sketch of each numeric feature instead
  (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-statistics.html), so
  its distances approximate the exact ones computed here.
- Extensions, which the constraints page allows for your own container: a population
  stability index (PSI) next to the Kolmogorov-Smirnov distance in ``baseline_drift_check``
  (``psi_threshold`` in ``distribution_constraints``); a ``non_negative_check`` that enforces
  the ``is_non_negative`` constraint; and per-feature thresholds read from the feature's
  ``monitoringConfigOverrides`` object. The AWS schema shows that object empty and does not list
  its keys, so the keys accepted here (`OVERRIDE_KEYS`) are this module's convention.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon

from labkit.errors import MessageKeyError

INFERRED_TYPES = ("Integral", "Fractional", "String")
NUMERIC_TYPES = ("Integral", "Fractional")
CHECK_TYPES = (
    "data_type_check",
    "completeness_check",
    "baseline_drift_check",
    "missing_column_check",
    "extra_column_check",
    "categorical_values_check",
    "non_negative_check",
)
TOP_LEVEL_OVERRIDES = ("datatype_check_threshold", "domain_content_threshold")
DISTRIBUTION_OVERRIDES = (
    "perform_comparison",
    "comparison_threshold",
    "categorical_comparison_threshold",
    "psi_threshold",
    "psi_bins",
)
OVERRIDE_KEYS = TOP_LEVEL_OVERRIDES + DISTRIBUTION_OVERRIDES
CATEGORICAL_METHODS = {"LInfinity": "linf", "JensenShannon": "js"}
DEFAULT_EPSILON = 1e-4
DEFAULT_PSI_BINS = 10
DEFAULT_MONITORING_CONFIG = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 0.1,
    "domain_content_threshold": 0.1,
    "distribution_constraints": {
        "perform_comparison": "Enabled",
        "comparison_threshold": 0.1,
        "comparison_method": "Simple",
        "categorical_comparison_threshold": 0.1,
        "categorical_drift_method": "LInfinity",
        # Extension of this course (not a Model Monitor field): PSI next to the KS distance.
        "psi_threshold": 0.2,
        "psi_bins": DEFAULT_PSI_BINS,
    },
}


class DriftError(Exception):
    """Base class of the errors this module raises."""


class EmptyDataError(DriftError, ValueError):
    """A sample or window has no rows, or a feature has no non-missing value to compare."""


class ColumnMismatchError(DriftError, MessageKeyError):
    """The constraints name a feature that the baseline frame does not have (or the reverse)."""


class ConstraintsError(DriftError, ValueError):
    """A statistics or constraints dictionary is not shaped like the Model Monitor files."""


# --------------------------------------------------------------------------------------------
# Distances between two samples of one feature
# --------------------------------------------------------------------------------------------


def _numeric_sample(values, name: str) -> np.ndarray:
    """The non-missing values of a numeric sample as floats, or a clear error."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of numbers, got a string.")
    series = pd.Series(values)
    if series.empty:
        raise EmptyDataError(f"{name} is empty: pass at least one value.")
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise TypeError(f"{name} must hold numbers, got dtype {series.dtype}; use categorical_distance for categories.")
    present = series.dropna().to_numpy(dtype=float)
    if present.size == 0:
        raise EmptyDataError(
            f"{name} holds only missing values ({len(series)} NaN); a distance needs at least one value. "
            "Report it as a completeness problem instead."
        )
    return present


def ks_statistic(baseline, current) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs.

    D = max over x of |F_current(x) - F_baseline(x)|, evaluated at every observed value (the CDFs
    are step functions, so the maximum is reached at one of them). Missing values are dropped.
    It equals ``scipy.stats.ks_2samp(baseline, current).statistic``. Model Monitor's ``linf_simple``
    distance for numeric features is the same quantity computed from KLL quantile sketches of the
    two samples, so this exact value is what that distance approximates.
    """
    base = np.sort(_numeric_sample(baseline, "baseline"))
    live = np.sort(_numeric_sample(current, "current"))
    grid = np.concatenate([base, live])
    cdf_base = np.searchsorted(base, grid, side="right") / base.size
    cdf_live = np.searchsorted(live, grid, side="right") / live.size
    return float(np.max(np.abs(cdf_live - cdf_base)))


def ks_critical_value(n_baseline: int, n_window: int, alpha: float = 0.05) -> float:
    """The KS distance that chance alone exceeds with probability about `alpha` (two-sample test).

    c(alpha) * sqrt((n + m) / (n m)), c(alpha) = sqrt(-ln(alpha / 2) / 2), for n and m independent
    draws from one continuous distribution (the large-sample approximation).
    """
    for name, size in (("n_baseline", n_baseline), ("n_window", n_window)):
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
            raise ValueError(f"{name} must be a positive whole number of rows, got {size!r}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be a probability strictly between 0 and 1, got {alpha!r}.")
    c_alpha = math.sqrt(-math.log(alpha / 2) / 2)
    return c_alpha * math.sqrt((n_baseline + n_window) / (n_baseline * n_window))


def ks_permutation_null(baseline, current, rng: np.random.Generator, draws: int = 200) -> np.ndarray:
    """KS statistics of `draws` random splits of the pooled samples into groups of the original sizes.

    Their upper quantile is the noise floor for these sizes and this feature, ties included.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (numpy.random.default_rng(seed)), got {type(rng).__name__}.")
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be a positive integer, got {draws!r}.")
    base = pd.Series(baseline, dtype=float).dropna().to_numpy()
    live = pd.Series(current, dtype=float).dropna().to_numpy()
    if base.size == 0 or live.size == 0:
        raise ValueError("baseline and current each need at least one non-missing value.")
    pooled = np.concatenate([base, live])
    statistics = np.empty(draws)
    for index in range(draws):
        shuffled = rng.permutation(pooled)
        statistics[index] = ks_statistic(shuffled[: base.size], shuffled[base.size:])
    return statistics


def quantile_interval(values, q: float = 0.95, confidence: float = 0.95) -> tuple[float, float, float]:
    """The `q` quantile of `values` and a distribution-free `confidence` interval for it.

    The interval's ends are order statistics whose ranks come from the binomial distribution of the
    number of values below the true quantile, so it needs no assumption about the values' shape.
    Returns (estimate, low, high).
    """
    sample = np.sort(_numeric_sample(values, "values"))
    if not 0 < q < 1 or not 0 < confidence < 1:
        raise ValueError(f"q and confidence must lie strictly between 0 and 1, got {q!r} and {confidence!r}.")
    from scipy.stats import binom

    tail = (1 - confidence) / 2
    low_rank = int(binom.ppf(tail, sample.size, q))
    high_rank = int(binom.ppf(1 - tail, sample.size, q)) + 1
    if low_rank < 1 or high_rank > sample.size:
        raise ValueError(
            f"{sample.size} values are too few for a {confidence:.0%} interval of the {q:g} quantile; pass more draws."
        )
    return float(np.quantile(sample, q)), float(sample[low_rank - 1]), float(sample[high_rank - 1])


def psi_bin_edges(baseline, bins: int = DEFAULT_PSI_BINS) -> np.ndarray:
    """Interior bin edges for PSI: the baseline's quantiles at 1/bins, 2/bins, ..., (bins-1)/bins.

    Quantiles use NumPy's ``inverted_cdf`` method, so every edge is an observed baseline value (the
    smallest x with F(x) >= q) and a discrete feature gets edges at its own values. Repeated
    quantiles (a discrete feature, such as a count that is mostly 0) are merged, so such a
    feature gets fewer bins. The outer bins are open: values below the first edge or above the last
    edge, including live values outside the baseline's range, fall into them. Bins are closed on
    the right: bin i holds the values v with edge[i-1] < v <= edge[i].
    """
    if not isinstance(bins, int) or isinstance(bins, bool) or bins < 2:
        raise ValueError(f"bins must be an integer of at least 2, got {bins!r}.")
    base = _numeric_sample(baseline, "baseline")
    quantiles = np.quantile(base, np.arange(1, bins) / bins, method="inverted_cdf")
    return np.unique(quantiles)


def bin_shares(values, edges: np.ndarray) -> np.ndarray:
    """Share of the (non-missing) values in each bin defined by `psi_bin_edges`."""
    sample = _numeric_sample(values, "values")
    index = np.searchsorted(edges, sample, side="left")
    counts = np.bincount(index, minlength=len(edges) + 1)
    return counts / sample.size


def psi_from_shares(expected, actual, epsilon: float = DEFAULT_EPSILON) -> float:
    """PSI = sum over bins of (a_i - e_i) * ln(a_i / e_i), from the bin shares directly.

    `expected` are the baseline shares, `actual` the live shares, over the same bins. A share of 0
    would make the logarithm infinite, so every share below `epsilon` is raised to `epsilon` before
    the sum (the shares are not renormalised; with epsilon = 1e-4 the effect is negligible).
    """
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if e.shape != a.shape or e.ndim != 1 or e.size == 0:
        raise ValueError(f"expected and actual must be 1-D share vectors of one length, got {e.shape} and {a.shape}.")
    if (e < 0).any() or (a < 0).any():
        raise ValueError("shares cannot be negative.")
    for name, shares in (("expected", e), ("actual", a)):
        if not math.isclose(float(shares.sum()), 1.0, abs_tol=1e-6):
            raise ValueError(f"{name} shares must sum to 1, got {shares.sum():.6f}.")
    if not 0 < epsilon < 0.01:
        raise ValueError(f"epsilon must be a small positive share (below 0.01), got {epsilon!r}.")
    e = np.maximum(e, epsilon)
    a = np.maximum(a, epsilon)
    return float(np.sum((a - e) * np.log(a / e)))


def psi(baseline, current, bins: int = DEFAULT_PSI_BINS, epsilon: float = DEFAULT_EPSILON) -> float:
    """Population stability index of `current` against `baseline` for one numeric feature.

    The bins come from the baseline's quantiles (`psi_bin_edges`: deciles when ``bins=10``), so
    each baseline bin holds about 1/bins of the baseline. Empty bins get the share `epsilon`
    (see `psi_from_shares`). Missing values are dropped. 0 means identical histograms; a common
    industry rule of thumb reads above 0.25 as a large shift (a convention, not an AWS value).
    """
    edges = psi_bin_edges(baseline, bins)
    return psi_from_shares(bin_shares(baseline, edges), bin_shares(current, edges), epsilon)


def category_shares(values) -> pd.Series:
    """Share of each category among the non-missing values (a Series indexed by category)."""
    if isinstance(values, str | bytes):
        raise TypeError("values must be a sequence of categories, got a single string.")
    series = pd.Series(values)
    if series.empty:
        raise EmptyDataError("the sample is empty: pass at least one value.")
    present = series.dropna().astype(str)
    if present.empty:
        raise EmptyDataError(
            f"the sample holds only missing values ({len(series)}); a distance needs at least one category. "
            "Report it as a completeness problem instead."
        )
    return present.value_counts(normalize=True).sort_index()


def categorical_distance(baseline, current, method: str = "linf") -> float:
    """Distance between the category frequencies of two samples of one categorical feature.

    - ``"linf"`` (L-infinity, Model Monitor's default ``LInfinity``): the largest absolute
      difference between a category's share in the two samples, in [0, 1].
    - ``"js"``: the Jensen-Shannon distance (base 2, so in [0, 1]), from SciPy.

    Frequencies are taken over the union of categories (a category absent from one sample has
    share 0 there) and ignore missing values.
    """
    if method not in ("linf", "js"):
        raise ValueError(f"method must be 'linf' or 'js', got {method!r}.")
    base = category_shares(baseline)
    live = category_shares(current)
    categories = base.index.union(live.index)
    p = base.reindex(categories, fill_value=0.0).to_numpy()
    q = live.reindex(categories, fill_value=0.0).to_numpy()
    if method == "linf":
        return float(np.max(np.abs(p - q)))
    return float(jensenshannon(p, q, base=2))


# --------------------------------------------------------------------------------------------
# statistics.json and constraints.json
# --------------------------------------------------------------------------------------------


def _check_frame(frame, name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}.")
    if frame.empty:
        raise EmptyDataError(f"{name} has no rows (shape {frame.shape}); pass at least one row.")


def infer_type(series: pd.Series) -> str:
    """Model Monitor's type names: Integral (whole numbers), Fractional (other numbers) or String."""
    present = series.dropna()
    if present.empty:
        raise EmptyDataError(
            f"column {series.name!r} holds only missing values, so its type cannot be inferred; "
            "drop it from the baseline or fill it."
        )
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
        return "Integral"
    if pd.api.types.is_numeric_dtype(series):
        values = present.to_numpy(dtype=float)
        return "Integral" if np.all(values == np.round(values)) else "Fractional"
    return "String"


def _numeric_statistics(series: pd.Series, buckets: int) -> dict:
    values = series.dropna().to_numpy(dtype=float)
    low, high = float(values.min()), float(values.max())
    edges = np.linspace(low, high, buckets + 1) if high > low else np.array([low, high])
    counts, _ = np.histogram(values, bins=edges)
    return {
        "common": {"num_present": int(values.size), "num_missing": int(series.isna().sum())},
        "mean": float(values.mean()),
        "sum": float(values.sum()),
        "std_dev": float(values.std(ddof=0)),
        "min": low,
        "max": high,
        "distribution": {
            "kll": {
                "buckets": [
                    {"lower_bound": float(lo), "upper_bound": float(hi), "count": int(n)}
                    for lo, hi, n in zip(edges[:-1], edges[1:], counts, strict=True)
                ]
            }
        },
    }


def _string_statistics(series: pd.Series) -> dict:
    counts = series.dropna().astype(str).value_counts()
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        "common": {"num_present": int(counts.sum()), "num_missing": int(series.isna().sum())},
        "distinct_count": int(counts.size),
        "distribution": {"categorical": {"buckets": [{"value": value, "count": int(n)} for value, n in ordered]}},
    }


def baseline_statistics(frame: pd.DataFrame, buckets: int = 10) -> dict:
    """Profile a baseline frame into a dictionary shaped like Model Monitor's ``statistics.json``.

    ``{"version": 0, "dataset": {"item_count": n}, "features": [...]}``, one entry per column with
    ``name``, ``inferred_type`` and either ``numerical_statistics`` (common counts, mean, sum,
    std_dev (population), min, max, and `buckets` equal-width buckets under
    ``distribution.kll.buckets``) or ``string_statistics`` (common counts, distinct_count,
    category counts under ``distribution.categorical.buckets``). The buckets are exact counts, not
    a KLL sketch; the ``kll`` key is kept so the file has the documented shape.

    Raises EmptyDataError for a frame without rows or a column with no value at all.
    """
    _check_frame(frame, "the baseline frame")
    if not isinstance(buckets, int) or buckets < 1:
        raise ValueError(f"buckets must be a positive integer, got {buckets!r}.")
    features = []
    for column in frame.columns:
        series = frame[column]
        kind = infer_type(series)
        entry = {"name": str(column), "inferred_type": kind}
        if kind in NUMERIC_TYPES:
            entry["numerical_statistics"] = _numeric_statistics(series, buckets)
        else:
            entry["string_statistics"] = _string_statistics(series)
        features.append(entry)
    return {"version": 0, "dataset": {"item_count": int(len(frame))}, "features": features}


def _feature_entries(document: dict, name: str) -> list[dict]:
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        raise ConstraintsError(f"{name} must be a dict with a 'features' list, as the Model Monitor file has.")
    for entry in document["features"]:
        if not isinstance(entry, dict) or "name" not in entry or entry.get("inferred_type") not in INFERRED_TYPES:
            raise ConstraintsError(
                f"{name}: every feature needs a 'name' and an 'inferred_type' in {INFERRED_TYPES}; got {entry!r}."
            )
    return document["features"]


def suggest_constraints(stats: dict, max_domain_size: int = 20) -> dict:
    """Suggest ``constraints.json`` from a ``statistics.json`` dictionary, as a baselining job does.

    Per feature: ``name``, ``inferred_type``, ``completeness`` (the baseline's observed share of
    non-missing values), ``num_constraints.is_non_negative`` for numbers, and for strings with at
    most `max_domain_size` distinct values ``string_constraints.domains`` (the observed values;
    high-cardinality strings get no domain). ``monitoring_config`` carries the documented defaults
    plus this module's PSI extension. Treat the result as a draft: loosen what is too strict
    before monitoring with it.
    """
    if not isinstance(max_domain_size, int) or max_domain_size < 1:
        raise ValueError(f"max_domain_size must be a positive integer, got {max_domain_size!r}.")
    features = []
    for entry in _feature_entries(stats, "stats"):
        kind = entry["inferred_type"]
        key = "numerical_statistics" if kind in NUMERIC_TYPES else "string_statistics"
        if key not in entry:
            raise ConstraintsError(f"stats: feature {entry['name']!r} of type {kind} lacks {key!r}.")
        body = entry[key]
        present, missing = body["common"]["num_present"], body["common"]["num_missing"]
        constraint = {"name": entry["name"], "inferred_type": kind, "completeness": present / (present + missing)}
        if kind in NUMERIC_TYPES:
            constraint["num_constraints"] = {"is_non_negative": bool(body["min"] >= 0)}
        elif body["distinct_count"] <= max_domain_size:
            values = [bucket["value"] for bucket in body["distribution"]["categorical"]["buckets"]]
            constraint["string_constraints"] = {"domains": sorted(values)}
        features.append(constraint)
    config = {**DEFAULT_MONITORING_CONFIG}
    config["distribution_constraints"] = dict(DEFAULT_MONITORING_CONFIG["distribution_constraints"])
    return {"version": 0, "features": features, "monitoring_config": config}


# --------------------------------------------------------------------------------------------
# Checking one window
# --------------------------------------------------------------------------------------------


def _feature_config(constraint: dict, config: dict) -> dict:
    """The monitoring config for one feature: the global one with its overrides applied."""
    overrides = constraint.get("monitoringConfigOverrides") or {}
    if not isinstance(overrides, dict):
        raise ConstraintsError(f"feature {constraint['name']!r}: monitoringConfigOverrides must be a dict.")
    unknown = sorted(set(overrides) - set(OVERRIDE_KEYS))
    if unknown:
        raise ConstraintsError(
            f"feature {constraint['name']!r}: unknown override(s) {unknown}; use keys from {list(OVERRIDE_KEYS)}."
        )
    merged = {**config, "distribution_constraints": dict(config["distribution_constraints"])}
    for key, value in overrides.items():
        target = merged if key in TOP_LEVEL_OVERRIDES else merged["distribution_constraints"]
        target[key] = value
    return merged


def _violation(feature: str, check: str, description: str) -> dict:
    return {"feature_name": feature, "constraint_check_type": check, "description": description}


def _share_not_numeric(series: pd.Series, kind: str) -> float:
    present = series.dropna()
    if present.empty:
        return 0.0
    numbers = pd.to_numeric(present, errors="coerce")
    bad = numbers.isna()
    if kind == "Integral":
        bad |= numbers.notna() & (numbers != numbers.round())
    return float(bad.mean())


def _numeric_checks(name: str, series: pd.Series, base: pd.Series, constraint: dict, config: dict) -> list[dict]:
    found = []
    kind = constraint["inferred_type"]
    bad_share = _share_not_numeric(series, kind)
    if bad_share > config["datatype_check_threshold"]:
        found.append(
            _violation(
                name,
                "data_type_check",
                f"{bad_share:.1%} of values are not {kind} (threshold {config['datatype_check_threshold']}).",
            )
        )
        return found  # the distances below need numbers
    numbers = pd.to_numeric(series, errors="coerce")
    if constraint.get("num_constraints", {}).get("is_non_negative") and (numbers < 0).any():
        found.append(
            _violation(name, "non_negative_check", f"{int((numbers < 0).sum())} negative values; baseline had none.")
        )
    drift = config["distribution_constraints"]
    if drift.get("perform_comparison") == "Enabled" and numbers.notna().any():
        ks = ks_statistic(base, numbers)
        index = psi(base, numbers, bins=drift.get("psi_bins", DEFAULT_PSI_BINS))
        reasons = []
        if ks > drift["comparison_threshold"]:
            reasons.append(f"KS {ks:.3f} > {drift['comparison_threshold']}")
        if "psi_threshold" in drift and index > drift["psi_threshold"]:
            reasons.append(f"PSI {index:.3f} > {drift['psi_threshold']}")
        if reasons:
            found.append(_violation(name, "baseline_drift_check", "; ".join(reasons) + "."))
    return found


def _string_checks(name: str, series: pd.Series, base: pd.Series, constraint: dict, config: dict) -> list[dict]:
    found = []
    present = series.dropna().astype(str)
    domains = constraint.get("string_constraints", {}).get("domains")
    if domains is not None and not present.empty:
        unseen = present[~present.isin(set(domains))]
        share = len(unseen) / len(present)
        if share > config["domain_content_threshold"]:
            examples = ", ".join(f"{value!r} ({n})" for value, n in unseen.value_counts().head(3).items())
            found.append(
                _violation(
                    name,
                    "categorical_values_check",
                    f"{share:.1%} of values are outside the baseline domain "
                    f"(threshold {config['domain_content_threshold']}): {examples}.",
                )
            )
    drift = config["distribution_constraints"]
    if drift.get("perform_comparison") == "Enabled" and not present.empty:
        method_name = drift.get("categorical_drift_method", "LInfinity")
        if method_name not in CATEGORICAL_METHODS:
            raise ConstraintsError(
                f"categorical_drift_method {method_name!r} is not supported here; "
                f"use one of {sorted(CATEGORICAL_METHODS)}."
            )
        threshold = drift.get("categorical_comparison_threshold", drift["comparison_threshold"])
        distance = categorical_distance(base, present, CATEGORICAL_METHODS[method_name])
        if distance > threshold:
            found.append(
                _violation(name, "baseline_drift_check", f"{method_name} distance {distance:.3f} > {threshold}.")
            )
    return found


def check_window(window: pd.DataFrame, constraints: dict, baseline: pd.DataFrame) -> list[dict]:
    """Check one window of live data against the constraints; return Model Monitor-style violations.

    Each violation is ``{"feature_name", "constraint_check_type", "description"}``. The checks:

    - ``missing_column_check`` / ``extra_column_check``: a constrained feature absent from the
      window, or a window column with no constraint;
    - ``completeness_check``: the window's share of non-missing values is below the feature's
      ``completeness``;
    - ``data_type_check``: more than ``datatype_check_threshold`` of a numeric feature's values are
      not numbers (or not whole numbers for ``Integral``);
    - ``categorical_values_check``: more than ``domain_content_threshold`` of a string feature's
      values are outside its ``domains``;
    - ``baseline_drift_check``: numeric features, KS distance above ``comparison_threshold`` or PSI
      above ``psi_threshold``; string features, the ``categorical_drift_method`` distance above
      ``categorical_comparison_threshold``;
    - ``non_negative_check``: a negative value where the baseline had none.

    A feature's ``monitoringConfigOverrides`` (keys in `OVERRIDE_KEYS`) replace the global
    thresholds for that feature only. `baseline` is the frame the constraints were suggested from
    (the distances need its values).
    Raises EmptyDataError for a window without rows, ColumnMismatchError when the baseline lacks a
    constrained feature, ConstraintsError for a malformed constraints dictionary.
    """
    _check_frame(window, "the window")
    _check_frame(baseline, "the baseline frame")
    features = _feature_entries(constraints, "constraints")
    config = constraints.get("monitoring_config")
    if not isinstance(config, dict) or "distribution_constraints" not in config:
        raise ConstraintsError("constraints needs a 'monitoring_config' with 'distribution_constraints'.")
    names = [entry["name"] for entry in features]
    absent_from_baseline = [name for name in names if name not in baseline.columns]
    if absent_from_baseline:
        raise ColumnMismatchError(
            f"the baseline frame lacks {', '.join(map(repr, absent_from_baseline))}, which the constraints name; "
            "pass the frame the constraints were suggested from."
        )
    if config.get("evaluate_constraints", "Enabled") != "Enabled":
        return []
    found = [
        _violation(name, "missing_column_check", "column absent from the window.")
        for name in names
        if name not in window.columns
    ]
    found += [
        _violation(str(column), "extra_column_check", "column has no baseline constraint.")
        for column in window.columns
        if column not in names
    ]
    for constraint in features:
        name = constraint["name"]
        if name not in window.columns:
            continue
        series = window[name]
        completeness = float(series.notna().mean())
        if completeness < constraint.get("completeness", 0.0):
            found.append(
                _violation(
                    name,
                    "completeness_check",
                    f"completeness {completeness:.3f} < constraint {constraint['completeness']:.3f}.",
                )
            )
        checks = _numeric_checks if constraint["inferred_type"] in NUMERIC_TYPES else _string_checks
        found += checks(name, series, baseline[name], constraint, _feature_config(constraint, config))
    return found


def violation_table(violations_by_window: dict[object, Iterable[dict]]) -> pd.DataFrame:
    """One row per (window, feature, check): a tidy view of several windows' violations."""
    rows = [
        {"window": window, **violation}
        for window, violations in violations_by_window.items()
        for violation in violations
    ]
    return pd.DataFrame(rows, columns=["window", "feature_name", "constraint_check_type", "description"])
