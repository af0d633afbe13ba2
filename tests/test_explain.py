"""labkit.explain: additivity, one-hot grouping, global importance and NDCG attribution drift."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import ndcg_score

from labkit.explain import (
    NDCG_ALERT_THRESHOLD,
    ExplainInputError,
    UnknownFeatureError,
    additivity_error,
    group_one_hot,
    mean_abs_importance,
    ndcg_feature_ranking,
)

# The worked example of the Task 4.1 chapter (book/domain4/task-4-1.md).
BASELINE = {"income": 0.40, "tenure": 0.30, "age": 0.20, "region": 0.10}
WEEK_1 = {"income": 0.38, "age": 0.25, "tenure": 0.22, "region": 0.08}
WEEK_2 = {"region": 0.35, "age": 0.30, "income": 0.25, "tenure": 0.05}


def _sklearn_ndcg(baseline: dict, live: dict) -> float:
    names = list(baseline)
    return float(ndcg_score([[baseline[n] for n in names]], [[live[n] for n in names]]))


# --- NDCG ---------------------------------------------------------------------------------------


def test_ndcg_matches_the_hand_computed_chapter_example():
    discounts = [1 / math.log2(i + 1) for i in range(1, 5)]
    ideal = 0.40 * discounts[0] + 0.30 * discounts[1] + 0.20 * discounts[2] + 0.10 * discounts[3]
    week_1 = (0.40 * discounts[0] + 0.20 * discounts[1] + 0.30 * discounts[2] + 0.10 * discounts[3]) / ideal
    week_2 = (0.10 * discounts[0] + 0.20 * discounts[1] + 0.40 * discounts[2] + 0.30 * discounts[3]) / ideal
    assert ndcg_feature_ranking(BASELINE, WEEK_1) == pytest.approx(week_1)
    assert ndcg_feature_ranking(BASELINE, WEEK_2) == pytest.approx(week_2)
    assert round(week_1, 3) == 0.982 and round(week_2, 3) == 0.758  # the numbers the chapter prints
    assert ndcg_feature_ranking(BASELINE, WEEK_1) >= NDCG_ALERT_THRESHOLD > ndcg_feature_ranking(BASELINE, WEEK_2)


def test_identical_rankings_score_one_even_when_the_values_change():
    assert ndcg_feature_ranking(BASELINE, BASELINE) == pytest.approx(1.0)
    doubled = {name: 2 * value for name, value in BASELINE.items()}
    assert ndcg_feature_ranking(BASELINE, doubled) == pytest.approx(1.0)


def test_ndcg_agrees_with_scikit_learn_including_ties():
    rng = np.random.default_rng(0)
    names = [f"f{i}" for i in range(12)]
    for _ in range(20):
        baseline = dict(zip(names, rng.random(12), strict=True))
        live = dict(zip(names, rng.integers(0, 4, 12).astype(float), strict=True))  # many ties
        assert ndcg_feature_ranking(baseline, live) == pytest.approx(_sklearn_ndcg(baseline, live))


def test_ndcg_accepts_series_in_any_order():
    baseline = pd.Series(BASELINE)
    live = pd.Series(WEEK_2).iloc[::-1]
    assert ndcg_feature_ranking(baseline, live) == pytest.approx(_sklearn_ndcg(BASELINE, WEEK_2))


def test_the_aws_college_admissions_example_is_a_violation():
    training = {"SAT score": 0.70, "GPA": 0.50, "Class rank": 0.05}
    live = {"SAT score": 0.10, "GPA": 0.20, "Class rank": 0.70}
    assert ndcg_feature_ranking(training, live) == pytest.approx(_sklearn_ndcg(training, live))
    assert ndcg_feature_ranking(training, live) < NDCG_ALERT_THRESHOLD


def test_mismatched_features_are_named():
    live = dict(WEEK_1)
    live["zip_code"] = live.pop("region")
    expected = r"only in the baseline \['region'\].*only in the live window \['zip_code'\]"
    with pytest.raises(UnknownFeatureError, match=expected):
        ndcg_feature_ranking(BASELINE, live)
    with pytest.raises(KeyError):  # also a KeyError, for callers that catch that
        ndcg_feature_ranking(BASELINE, live)


@pytest.mark.parametrize("empty", [{}, pd.Series(dtype=float)])
def test_empty_importance_is_refused(empty):
    with pytest.raises(ExplainInputError, match="empty"):
        ndcg_feature_ranking(empty, BASELINE)
    with pytest.raises(ExplainInputError, match="empty"):
        ndcg_feature_ranking(BASELINE, empty)


def test_negative_importances_are_refused_with_a_hint():
    signed = dict(WEEK_1, age=-0.25)
    with pytest.raises(ExplainInputError, match=r"negative for \['age'\].*mean absolute SHAP"):
        ndcg_feature_ranking(BASELINE, signed)


def test_nan_all_zero_duplicate_and_wrong_type_inputs_are_refused():
    with pytest.raises(ExplainInputError, match="NaN"):
        ndcg_feature_ranking(BASELINE, dict(WEEK_1, age=float("nan")))
    with pytest.raises(ExplainInputError, match="Every baseline importance is 0"):
        ndcg_feature_ranking(dict.fromkeys(BASELINE, 0.0), WEEK_1)
    with pytest.raises(ExplainInputError, match="twice"):
        ndcg_feature_ranking(pd.Series([0.5, 0.4], index=["a", "a"]), {"a": 0.5})
    with pytest.raises(TypeError, match="Series or a dict"):
        ndcg_feature_ranking([0.4, 0.3], WEEK_1)


# --- additivity ---------------------------------------------------------------------------------


def test_additivity_error_is_the_largest_gap_over_rows():
    shap_values = np.array([[0.5, -0.25], [1.0, 0.0]])
    assert additivity_error(-2.0, shap_values, [-1.75, -1.0]) == 0.0
    assert additivity_error([-2.0, -1.0], shap_values, [-1.75, 0.5]) == pytest.approx(0.5)


def test_additivity_error_refuses_mismatched_lengths():
    with pytest.raises(ExplainInputError, match="model_output has 3 values for 2 rows"):
        additivity_error(0.0, np.zeros((2, 3)), [0.0, 0.0, 0.0])
    with pytest.raises(ExplainInputError, match="base_values has 3 values for 2 rows"):
        additivity_error([0.0, 0.0, 0.0], np.zeros((2, 3)), [0.0, 0.0])
    with pytest.raises(ExplainInputError, match="empty"):
        additivity_error(0.0, np.zeros((0, 3)), [])
    with pytest.raises(ExplainInputError, match="2-D"):
        additivity_error(0.0, np.zeros((2, 3, 1)), [0.0, 0.0])


# --- grouping -----------------------------------------------------------------------------------

NAMES = ["term_36", "term_60", "int_rate", "grade_A", "grade_B"]
GROUPS = {"term": ["term_36", "term_60"], "int_rate": ["int_rate"], "grade": ["grade_A", "grade_B"]}


def test_group_one_hot_sums_dummy_columns_and_keeps_row_totals():
    values = np.array([[0.1, 0.2, -0.5, 0.05, 0.0], [-0.3, 0.0, 0.4, 0.0, 0.25]])
    grouped = group_one_hot(values, NAMES, GROUPS)
    assert list(grouped.columns) == ["term", "int_rate", "grade"]
    np.testing.assert_allclose(grouped.to_numpy(), [[0.3, -0.5, 0.05], [-0.3, 0.4, 0.25]])
    np.testing.assert_allclose(grouped.sum(axis=1), values.sum(axis=1))


def test_group_one_hot_refuses_lost_or_double_counted_columns():
    values = np.zeros((2, 5))
    with pytest.raises(UnknownFeatureError, match="belong to no group.*grade_B"):
        group_one_hot(values, NAMES, {**GROUPS, "grade": ["grade_A"]})
    with pytest.raises(ExplainInputError, match="'int_rate' is in both groups 'int_rate' and 'rate'"):
        group_one_hot(values, NAMES, {**GROUPS, "rate": ["int_rate"]})
    with pytest.raises(UnknownFeatureError, match="names 'grade_C'"):
        group_one_hot(values, NAMES, {**GROUPS, "grade": ["grade_A", "grade_B", "grade_C"]})
    with pytest.raises(ExplainInputError, match="4 names for 5 columns"):
        group_one_hot(values, NAMES[:4], GROUPS)
    with pytest.raises(ExplainInputError, match="string 'int_rate'"):
        group_one_hot(values, NAMES, {**GROUPS, "int_rate": "int_rate"})
    with pytest.raises(ExplainInputError, match="groups is empty"):
        group_one_hot(values, NAMES, {})
    with pytest.raises(ExplainInputError, match="repeats"):
        group_one_hot(values, ["a", "a", "b", "c", "d"], {"x": ["a", "b", "c", "d"]})


# --- global importance --------------------------------------------------------------------------


def test_mean_abs_importance_ranks_by_absolute_value():
    frame = pd.DataFrame({"a": [1.0, -1.0], "b": [-3.0, 1.0], "c": [0.0, 0.0]})
    importance = mean_abs_importance(frame)
    assert list(importance.index) == ["b", "a", "c"]
    assert importance.tolist() == [2.0, 1.0, 0.0]
    assert mean_abs_importance(frame.to_numpy(), ["a", "b", "c"]).equals(importance)
    with pytest.raises(ExplainInputError, match="feature_names"):
        mean_abs_importance(frame.to_numpy())
