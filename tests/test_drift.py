"""labkit.drift: distances against SciPy and hand computations, the JSON shapes, each check, clear errors."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp

from labkit.drift import (
    CHECK_TYPES,
    ColumnMismatchError,
    ConstraintsError,
    EmptyDataError,
    baseline_statistics,
    categorical_distance,
    check_window,
    ks_critical_value,
    ks_permutation_null,
    ks_statistic,
    psi,
    psi_bin_edges,
    psi_from_shares,
    quantile_interval,
    suggest_constraints,
    violation_table,
)

# --------------------------------------------------------------------------------------------
# Kolmogorov-Smirnov
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current"),
    [
        (np.random.default_rng(1).normal(0, 1, 500), np.random.default_rng(2).normal(0.3, 1, 300)),
        (np.random.default_rng(3).poisson(2, 400), np.random.default_rng(4).poisson(2.5, 250)),  # many ties
        (np.random.default_rng(5).exponential(50, 1000), np.random.default_rng(6).exponential(50, 40)),
        ([1, 2, 3], [1, 2, 3]),
        ([0, 0, 0], [5, 6]),
    ],
)
def test_ks_statistic_equals_scipy_ks_2samp(baseline, current):
    assert ks_statistic(baseline, current) == pytest.approx(ks_2samp(baseline, current).statistic, abs=1e-12)


def test_ks_statistic_drops_missing_values():
    with_nan = [1.0, 2.0, np.nan, 3.0]
    assert ks_statistic(with_nan, [2.0, 3.0, 4.0]) == pytest.approx(ks_2samp([1, 2, 3], [2, 3, 4]).statistic)


def test_ks_statistic_is_the_chapter_worked_example():
    # Task 4.1's worked example: five bins, baseline shares .1 .2 .4 .2 .1, live .05 .15 .35 .25 .2.
    # With one value per bin (1..5) the CDF gaps are .05 .10 .15 .10 0, so D = 0.15.
    baseline = np.repeat([1, 2, 3, 4, 5], [10, 20, 40, 20, 10])
    current = np.repeat([1, 2, 3, 4, 5], [5, 15, 35, 25, 20])
    assert ks_statistic(baseline, current) == pytest.approx(0.15)


def test_ks_critical_value_matches_the_textbook_constant_and_the_exact_distribution():
    from scipy.stats import kstwo

    # c(0.05) = 1.358; one sample of n against a known distribution is the limit m -> infinity.
    assert ks_critical_value(10**9, 100) == pytest.approx(1.3581 / 10, abs=1e-4)
    # Equal samples of 200: the exact one-sample law with n_eff = 100 gives a close value.
    assert ks_critical_value(200, 200) == pytest.approx(kstwo.ppf(0.95, 100), abs=0.005)
    assert ks_critical_value(1439, 244) == pytest.approx(0.0940, abs=1e-4)
    assert ks_critical_value(1439, 61) > 1.8 * ks_critical_value(1439, 244)  # a quarter of the rows
    assert ks_critical_value(100, 100, alpha=0.01) > ks_critical_value(100, 100, alpha=0.05)


def test_ks_critical_value_errors():
    for bad in (0, -3, 2.5, True, "100"):
        with pytest.raises(ValueError, match="positive whole number"):
            ks_critical_value(bad, 10)
    for alpha in (0, 1, 1.5):
        with pytest.raises(ValueError, match="alpha"):
            ks_critical_value(10, 10, alpha=alpha)


def test_permutation_null_reproduces_the_formula_for_continuous_data_and_is_lower_with_ties():
    rng = np.random.default_rng(7)
    baseline, window = rng.normal(size=800), rng.normal(size=200)
    null = ks_permutation_null(baseline, window, np.random.default_rng(8), draws=400)
    q95, low, high = quantile_interval(null, 0.95)
    assert low <= q95 <= high
    assert abs(q95 - ks_critical_value(800, 200)) < 0.012
    coarse = ks_permutation_null(rng.integers(0, 3, 800), rng.integers(0, 3, 200), np.random.default_rng(9), 400)
    assert np.quantile(coarse, 0.95) < 0.85 * ks_critical_value(800, 200)  # three values: ties lower the floor
    repeat = ks_permutation_null(baseline, window, np.random.default_rng(8), draws=400)
    assert np.array_equal(null, repeat)  # seeded


def test_permutation_null_and_quantile_interval_errors():
    with pytest.raises(TypeError, match="Generator"):
        ks_permutation_null([1.0, 2.0], [1.0], rng=7)
    with pytest.raises(ValueError, match="draws"):
        ks_permutation_null([1.0, 2.0], [1.0], np.random.default_rng(0), draws=0)
    with pytest.raises(ValueError, match="non-missing"):
        ks_permutation_null([np.nan], [1.0], np.random.default_rng(0))
    with pytest.raises(ValueError, match="too few"):
        quantile_interval([0.1, 0.2, 0.3], 0.95)
    with pytest.raises(ValueError, match="strictly between"):
        quantile_interval(np.arange(100.0), q=1.0)


def test_quantile_interval_covers_the_true_quantile():
    # 200 samples of 300 normal draws: the 95 % interval of the 0.95 quantile covers 1.645 about 95 % of the time.
    rng = np.random.default_rng(3)
    covered = [low <= 1.6449 <= high for low, high in
               (quantile_interval(rng.normal(size=300), 0.95)[1:] for _ in range(200))]
    assert 0.90 <= np.mean(covered) <= 0.995


# --------------------------------------------------------------------------------------------
# Population stability index
# --------------------------------------------------------------------------------------------


def test_psi_matches_a_hand_computation():
    # Baseline 1, 2, ..., 100 and bins=5: the quantiles at .2 .4 .6 .8 (the smallest value whose
    # CDF reaches q) are 20, 40, 60, 80, so the bins (-inf, 20], (20, 40], ..., (80, inf) each hold
    # 20 baseline values: e_i = 0.2.
    baseline = np.arange(1, 101)
    assert psi_bin_edges(baseline, bins=5).tolist() == [20, 40, 60, 80]
    # Live: 10 values in bin 1, 10 in bin 2, 20 in bin 3, 30 in bin 4, 30 in bin 5 (n = 100),
    # so a = 0.1, 0.1, 0.2, 0.3, 0.3.
    current = [5.0] * 10 + [30.0] * 10 + [50.0] * 20 + [70.0] * 30 + [90.0] * 30
    # Terms (a - e) ln(a / e):
    #   bins 1, 2: (0.1 - 0.2) ln(0.5) = 0.0693147 each
    #   bin 3:     (0.2 - 0.2) ln(1)   = 0
    #   bins 4, 5: (0.3 - 0.2) ln(1.5) = 0.0405465 each
    # PSI = 2 * 0.0693147 + 2 * 0.0405465 = 0.2197225
    by_hand = 2 * (-0.1) * math.log(0.5) + 2 * 0.1 * math.log(1.5)
    assert by_hand == pytest.approx(0.2197225, abs=1e-7)
    assert psi(baseline, current, bins=5) == pytest.approx(by_hand, rel=1e-9)


def test_psi_from_shares_reproduces_the_chapter_table():
    # Task 4.1's table: terms 0.0347 + 0.0144 + 0.0067 + 0.0112 + 0.0693 = 0.1362.
    value = psi_from_shares([0.10, 0.20, 0.40, 0.20, 0.10], [0.05, 0.15, 0.35, 0.25, 0.20])
    assert round(value, 4) == 0.1362


def test_psi_uses_epsilon_for_empty_bins():
    # Every live value falls in bin 1: a = (1, 0, 0, 0, 0) becomes (1, 1e-4, 1e-4, 1e-4, 1e-4).
    #   bin 1:      (1 - 0.2) ln(1 / 0.2)           = 0.8 * 1.6094379 = 1.2875503
    #   bins 2..5:  (1e-4 - 0.2) ln(1e-4 / 0.2)     = 0.1999 * 7.6009024 = 1.5194204 each
    # PSI = 1.2875503 + 4 * 1.5194204 = 7.3652319
    value = psi(np.arange(1, 101), [1.0] * 50, bins=5)
    assert math.isfinite(value)
    assert value == pytest.approx(7.3652319, abs=1e-6)
    assert psi(np.arange(1, 101), [1.0] * 50, bins=5, epsilon=1e-3) < value  # a larger epsilon caps it lower


def test_psi_is_zero_for_identical_samples_and_merges_repeated_edges():
    rng = np.random.default_rng(0)
    sample = rng.normal(size=1000)
    assert psi(sample, sample) == pytest.approx(0.0, abs=1e-12)
    mostly_zero = np.array([0] * 90 + [1] * 7 + [2] * 3)
    # F(0) = 0.9, so all nine deciles are 0 and merge into one edge: bins (-inf, 0] and (0, inf).
    assert psi_bin_edges(mostly_zero).tolist() == [0]
    assert psi(mostly_zero, mostly_zero[::-1]) == pytest.approx(0.0, abs=1e-12)


def test_values_outside_the_baseline_range_fall_into_the_outer_bins():
    baseline = np.arange(1, 101)
    assert psi(baseline, [1000.0] * 20, bins=5) == pytest.approx(psi(baseline, [95.0] * 20, bins=5))


# --------------------------------------------------------------------------------------------
# Categorical distance
# --------------------------------------------------------------------------------------------


def test_categorical_distance_linf_by_hand_and_js_against_scipy():
    baseline = ["a", "a", "b", "b"]  # a 0.5, b 0.5, c 0
    current = ["a", "c", "c", "c"]  # a 0.25, b 0, c 0.75
    # L-infinity: max(|0.5 - 0.25|, |0.5 - 0|, |0 - 0.75|) = 0.75
    assert categorical_distance(baseline, current) == pytest.approx(0.75)
    expected = jensenshannon([0.5, 0.5, 0.0], [0.25, 0.0, 0.75], base=2)
    assert categorical_distance(baseline, current, method="js") == pytest.approx(expected)
    assert categorical_distance(pd.Categorical(baseline), [None, "a", "b"]) == pytest.approx(0.0)  # NaN ignored


def test_categorical_distance_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="'linf' or 'js'"):
        categorical_distance(["a"], ["b"], method="chi2")


# --------------------------------------------------------------------------------------------
# Clear errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", [ks_statistic, psi])
def test_numeric_distances_reject_empty_and_nan_only_samples(function):
    with pytest.raises(EmptyDataError, match="empty"):
        function([], [1.0, 2.0])
    with pytest.raises(EmptyDataError, match="only missing values"):
        function([1.0, 2.0], [np.nan, np.nan])
    with pytest.raises(TypeError, match="numbers"):
        function(["x", "y"], [1.0])
    assert issubclass(EmptyDataError, ValueError)


def test_categorical_distance_rejects_empty_and_nan_only_samples():
    with pytest.raises(EmptyDataError, match="empty"):
        categorical_distance([], ["a"])
    with pytest.raises(EmptyDataError, match="only missing values"):
        categorical_distance(["a"], [None, np.nan])


def test_psi_argument_errors():
    with pytest.raises(ValueError, match="bins"):
        psi([1, 2, 3], [1, 2], bins=1)
    with pytest.raises(ValueError, match="sum to 1"):
        psi_from_shares([0.5, 0.4], [0.5, 0.5])
    with pytest.raises(ValueError, match="one length"):
        psi_from_shares([1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="epsilon"):
        psi_from_shares([1.0], [1.0], epsilon=0)


# --------------------------------------------------------------------------------------------
# statistics.json and constraints.json
# --------------------------------------------------------------------------------------------


@pytest.fixture
def baseline_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 600
    return pd.DataFrame(
        {
            "lead_time": rng.integers(0, 300, n),
            "price": rng.gamma(4.0, 25.0, n),
            "meal": pd.Categorical(rng.choice(["bb", "hb", "fb"], n, p=[0.7, 0.25, 0.05])),
            "country": np.where(rng.random(n) < 0.02, None, rng.choice([f"c{i:02d}" for i in range(30)], n)),
        }
    )


def test_statistics_have_the_documented_shape(baseline_frame):
    stats = baseline_statistics(baseline_frame)
    assert json.loads(json.dumps(stats)) == stats  # plain JSON types only
    assert stats["version"] == 0 and stats["dataset"] == {"item_count": 600}
    by_name = {entry["name"]: entry for entry in stats["features"]}
    assert [entry["name"] for entry in stats["features"]] == list(baseline_frame.columns)
    assert by_name["lead_time"]["inferred_type"] == "Integral"
    assert by_name["price"]["inferred_type"] == "Fractional"
    assert by_name["meal"]["inferred_type"] == "String"
    numeric = by_name["price"]["numerical_statistics"]
    assert set(numeric) == {"common", "mean", "sum", "std_dev", "min", "max", "distribution"}
    assert set(numeric["common"]) == {"num_present", "num_missing"}
    buckets = numeric["distribution"]["kll"]["buckets"]
    assert len(buckets) == 10 and set(buckets[0]) == {"lower_bound", "upper_bound", "count"}
    assert sum(bucket["count"] for bucket in buckets) == numeric["common"]["num_present"] == 600
    assert numeric["mean"] == pytest.approx(baseline_frame["price"].mean())
    strings = by_name["country"]["string_statistics"]
    assert set(strings) == {"common", "distinct_count", "distribution"}
    assert strings["common"]["num_missing"] == int(baseline_frame["country"].isna().sum()) > 0
    categorical = strings["distribution"]["categorical"]["buckets"]
    assert set(categorical[0]) == {"value", "count"}
    assert sum(bucket["count"] for bucket in categorical) == strings["common"]["num_present"]


def test_constraints_have_the_documented_shape(baseline_frame):
    constraints = suggest_constraints(baseline_statistics(baseline_frame))
    assert json.loads(json.dumps(constraints)) == constraints
    assert set(constraints) == {"version", "features", "monitoring_config"}
    by_name = {entry["name"]: entry for entry in constraints["features"]}
    assert by_name["lead_time"]["num_constraints"] == {"is_non_negative": True}
    assert by_name["lead_time"]["completeness"] == 1.0
    assert by_name["meal"]["string_constraints"] == {"domains": ["bb", "fb", "hb"]}
    assert "string_constraints" not in by_name["country"]  # 30 distinct values > max_domain_size 20
    assert by_name["country"]["completeness"] == pytest.approx(baseline_frame["country"].notna().mean())
    config = constraints["monitoring_config"]
    for key in ("evaluate_constraints", "emit_metrics", "datatype_check_threshold", "domain_content_threshold"):
        assert key in config
    for key in (
        "perform_comparison",
        "comparison_threshold",
        "comparison_method",
        "categorical_comparison_threshold",
        "categorical_drift_method",
    ):
        assert key in config["distribution_constraints"]
    wider = suggest_constraints(baseline_statistics(baseline_frame), max_domain_size=50)
    assert len({e["name"]: e for e in wider["features"]}["country"]["string_constraints"]["domains"]) == 30


def test_statistics_errors(baseline_frame):
    with pytest.raises(EmptyDataError, match="no rows"):
        baseline_statistics(baseline_frame.iloc[:0])
    with pytest.raises(EmptyDataError, match="'blank'.*only missing values"):
        baseline_statistics(baseline_frame.assign(blank=np.nan))
    with pytest.raises(TypeError, match="DataFrame"):
        baseline_statistics([1, 2, 3])
    with pytest.raises(ConstraintsError, match="'features' list"):
        suggest_constraints({"version": 0})
    with pytest.raises(ConstraintsError, match="inferred_type"):
        suggest_constraints({"features": [{"name": "x", "inferred_type": "Decimal"}]})


# --------------------------------------------------------------------------------------------
# check_window
# --------------------------------------------------------------------------------------------


@pytest.fixture
def constraints(baseline_frame) -> dict:
    return suggest_constraints(baseline_statistics(baseline_frame))


def _checks(violations) -> set[tuple[str, str]]:
    return {(v["feature_name"], v["constraint_check_type"]) for v in violations}


def test_a_window_from_the_baseline_itself_passes(baseline_frame, constraints):
    loose = copy.deepcopy(constraints)
    for entry in loose["features"]:
        entry["completeness"] = min(entry["completeness"], 0.95)  # a 200-row window may miss a little more
    assert check_window(baseline_frame.iloc[:200], loose, baseline_frame) == []


def test_each_problem_raises_its_violation(baseline_frame, constraints):
    window = baseline_frame.iloc[:200].copy()
    window["lead_time"] = window["lead_time"] * 3  # covariate shift
    window["country"] = window["country"].where(np.arange(200) % 3 != 0)  # a third missing
    window["meal"] = window["meal"].cat.add_categories(["all_inclusive"])
    window.loc[window.index[:40], "meal"] = "all_inclusive"  # 20% unseen
    window["price"] = window["price"].astype(object)
    window.loc[window.index[:50], "price"] = "n/a"  # 25% not numbers
    window = window.drop(columns=["country"]).assign(country=window["country"], source="web")
    found = check_window(window, constraints, baseline_frame)
    assert {v["constraint_check_type"] for v in found} <= set(CHECK_TYPES)
    assert _checks(found) >= {
        ("lead_time", "baseline_drift_check"),
        ("country", "completeness_check"),
        ("meal", "categorical_values_check"),
        ("price", "data_type_check"),
        ("source", "extra_column_check"),
    }
    assert set(found[0]) == {"feature_name", "constraint_check_type", "description"}
    negative = baseline_frame.iloc[:200].assign(lead_time=lambda f: f["lead_time"] - 1000)
    assert ("lead_time", "non_negative_check") in _checks(check_window(negative, constraints, baseline_frame))
    missing = check_window(baseline_frame.iloc[:200].drop(columns=["meal"]), constraints, baseline_frame)
    assert ("meal", "missing_column_check") in _checks(missing)


def test_overrides_change_one_feature_only(baseline_frame, constraints):
    window = baseline_frame.iloc[:200].assign(lead_time=lambda f: f["lead_time"] * 3, price=lambda f: f["price"] * 3)
    tuned = copy.deepcopy(constraints)
    by_name = {entry["name"]: entry for entry in tuned["features"]}
    by_name["lead_time"]["monitoringConfigOverrides"] = {"perform_comparison": "Disabled"}
    found = _checks(check_window(window, tuned, baseline_frame))
    assert ("lead_time", "baseline_drift_check") not in found
    assert ("price", "baseline_drift_check") in found
    by_name["lead_time"]["monitoringConfigOverrides"] = {"threshold": 0.5}
    with pytest.raises(ConstraintsError, match="unknown override"):
        check_window(window, tuned, baseline_frame)


def test_check_window_errors(baseline_frame, constraints):
    with pytest.raises(EmptyDataError, match="window has no rows"):
        check_window(baseline_frame.iloc[:0], constraints, baseline_frame)
    with pytest.raises(ColumnMismatchError, match="baseline frame lacks 'meal'"):
        check_window(baseline_frame, constraints, baseline_frame.drop(columns=["meal"]))
    assert issubclass(ColumnMismatchError, KeyError)
    with pytest.raises(ConstraintsError, match="monitoring_config"):
        check_window(baseline_frame, {"features": constraints["features"]}, baseline_frame)
    broken = copy.deepcopy(constraints)
    broken["monitoring_config"]["distribution_constraints"]["categorical_drift_method"] = "ChiSquared"
    with pytest.raises(ConstraintsError, match="not supported"):
        check_window(baseline_frame.iloc[:100], broken, baseline_frame)


def test_a_nan_only_window_column_is_a_completeness_violation_not_a_crash(baseline_frame, constraints):
    window = baseline_frame.iloc[:100].assign(price=np.nan, meal=None)
    found = _checks(check_window(window, constraints, baseline_frame))
    assert {("price", "completeness_check"), ("meal", "completeness_check")} <= found
    assert ("price", "baseline_drift_check") not in found


def test_violation_table_is_tidy(baseline_frame, constraints):
    table = violation_table(
        {"w1": [], "w2": check_window(baseline_frame.iloc[:100].drop(columns=["meal"]), constraints, baseline_frame)}
    )
    assert list(table.columns) == ["window", "feature_name", "constraint_check_type", "description"]
    assert table["window"].tolist() == ["w2"]
