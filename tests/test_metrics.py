"""labkit.metrics: hand-built metrics agree with scikit-learn's, and bad input fails clearly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    fbeta_score,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)

from labkit.metrics import (
    Confusion,
    CostMatrix,
    MetricsInputError,
    best_threshold,
    bootstrap_weights,
    checked_costs,
    confusion_at,
    confusion_counts,
    expected_cost,
    metrics_at_thresholds,
    regression_report,
    resampled_cost,
    resampled_ranking,
)


@pytest.fixture
def scored():
    """500 labels with about 10 % positives and noisy scores that rank positives higher."""
    rng = np.random.default_rng(0)
    labels = (rng.random(500) < 0.1).astype(int)
    scores = np.clip(0.25 * labels + rng.random(500) * 0.75, 0, 1)
    return labels, scores


# --- agreement with scikit-learn -------------------------------------------------------------


@pytest.mark.parametrize("threshold", [0.0, 0.2, 0.5, 0.8, 1.0])
def test_confusion_at_matches_sklearn(scored, threshold):
    labels, scores = scored
    predicted = (scores >= threshold).astype(int)
    confusion = confusion_at(labels, scores, threshold)
    np.testing.assert_array_equal(confusion.as_matrix(), confusion_matrix(labels, predicted, labels=[0, 1]))
    assert confusion.n == len(labels)
    assert confusion.precision == pytest.approx(precision_score(labels, predicted, zero_division=0))
    assert confusion.recall == pytest.approx(recall_score(labels, predicted, zero_division=0))
    for beta in (0.5, 1.0, 2.0):
        assert confusion.f_beta(beta) == pytest.approx(fbeta_score(labels, predicted, beta=beta, zero_division=0))


def test_the_chapter_worked_example():
    # Task 2.3's fraud example: TP 40, FN 10, FP 20, TN 930.
    confusion = Confusion(tp=40, fp=20, fn=10, tn=930)
    assert confusion.accuracy == pytest.approx(0.970)
    assert confusion.precision == pytest.approx(40 / 60)
    assert confusion.recall == pytest.approx(0.8)
    assert confusion.f1 == pytest.approx(0.727, abs=5e-4)
    assert confusion.f_beta(2) == pytest.approx(0.769, abs=5e-4)
    assert confusion.f_beta(0.5) == pytest.approx(0.690, abs=5e-4)
    assert confusion.specificity == pytest.approx(930 / 950)
    assert confusion.false_positive_rate == pytest.approx(20 / 950)


def test_metrics_at_thresholds_matches_sklearn(scored):
    labels, scores = scored
    table = metrics_at_thresholds(labels, scores, [0.1, 0.5, 0.9])
    assert list(table.columns) == [
        "threshold", "TP", "FP", "FN", "TN", "accuracy", "precision", "recall", "F1", "F2", "F0.5"
    ]
    for row in table.itertuples():
        predicted = (scores >= row.threshold).astype(int)
        assert row.precision == pytest.approx(precision_score(labels, predicted, zero_division=0))
        assert row.recall == pytest.approx(recall_score(labels, predicted, zero_division=0))
        assert row.F2 == pytest.approx(fbeta_score(labels, predicted, beta=2, zero_division=0))


def test_nothing_flagged_gives_zero_precision_not_an_error():
    confusion = confusion_at([0, 1, 1], [0.1, 0.2, 0.3], 1.0)
    assert (confusion.tp, confusion.fp, confusion.fn, confusion.tn) == (0, 0, 2, 1)
    assert confusion.precision == 0.0 and confusion.f1 == 0.0


def test_boolean_labels_are_accepted():
    assert confusion_at(np.array([True, False]), [0.9, 0.1], 0.5) == Confusion(tp=1, fp=0, fn=0, tn=1)


def test_regression_report_matches_sklearn():
    rng = np.random.default_rng(1)
    actual = rng.uniform(20, 300, size=200)
    predicted = actual + rng.normal(0, 25, size=200)
    report = regression_report(actual, predicted)
    assert report["RMSE"] == pytest.approx(math.sqrt(mean_squared_error(actual, predicted)))
    assert report["MAE"] == pytest.approx(mean_absolute_error(actual, predicted))
    assert report["MAPE (%)"] == pytest.approx(100 * mean_absolute_percentage_error(actual, predicted))
    assert report["R²"] == pytest.approx(r2_score(actual, predicted))


def test_regression_report_on_the_chapter_worked_example():
    report = regression_report([3, 5, 2, 8], [2.5, 5, 4, 7])
    assert report["MAE"] == pytest.approx(0.875)
    assert report["RMSE"] == pytest.approx(1.146, abs=5e-4)
    assert report["MAPE (%)"] == pytest.approx(32.3, abs=0.05)
    assert report["R²"] == pytest.approx(0.75)


# --- costs ------------------------------------------------------------------------------------


def test_expected_cost_counts_each_decision(scored):
    labels, scores = scored
    costs = CostMatrix(false_positive=1, false_negative=10, true_positive=0.5)
    table = expected_cost(labels, scores, [0.0, 0.5, 1.0], costs)
    for row in table.to_dict("records"):
        by_hand = (0.5 * row["TP"] + 1 * row["FP"] + 10 * row["FN"]) / len(labels) * 1000
        assert row["cost per 1,000"] == pytest.approx(by_hand)
        assert row["flagged share"] == pytest.approx((scores >= row["threshold"]).mean())
    # Threshold 0 flags everything: every negative is a false alarm.
    assert table.loc[0, "FP"] == (labels == 0).sum() and table.loc[0, "FN"] == 0


def test_expected_cost_per_other_counts(scored):
    labels, scores = scored
    table = expected_cost(labels, scores, [0.5], CostMatrix(false_positive=1, false_negative=1), per=100)
    assert "cost per 100" in table.columns


def test_bayes_threshold():
    assert CostMatrix(false_positive=1, false_negative=10).bayes_threshold() == pytest.approx(1 / 11)
    assert CostMatrix(false_positive=3, false_negative=1, true_negative=1).bayes_threshold() == pytest.approx(2 / 3)
    with pytest.raises(MetricsInputError, match="each error to cost more"):
        CostMatrix(false_positive=1, false_negative=1, true_positive=2).bayes_threshold()


def test_cost_matrix_total():
    assert CostMatrix(false_positive=2, false_negative=5).total(Confusion(tp=1, fp=3, fn=2, tn=9)) == 16


@given(
    data=st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=1, max_size=60),
    grid=st.lists(st.floats(0, 1), min_size=1, max_size=25),
    false_positive=st.floats(0, 50),
    false_negative=st.floats(0.01, 50),
)
@settings(max_examples=150, deadline=None)
def test_best_threshold_minimises_expected_cost_over_the_grid(data, grid, false_positive, false_negative):
    labels = [label for label, _ in data]
    scores = [score for _, score in data]
    costs = CostMatrix(false_positive=false_positive, false_negative=false_negative)
    chosen = best_threshold(labels, scores, grid, costs)
    table = expected_cost(labels, scores, grid, costs)
    assert chosen in grid
    chosen_cost = table.loc[table["threshold"] == chosen, "cost per 1,000"].iloc[0]
    assert chosen_cost == table["cost per 1,000"].min()
    assert (table[["TP", "FP", "FN", "TN"]].sum(axis=1) == len(labels)).all()


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"false_positive": -1, "false_negative": 10}, MetricsInputError, "cannot be negative"),
        ({"false_positive": 1, "false_negative": 10, "true_negative": -0.5}, MetricsInputError, "true_negative"),
        ({"false_positive": float("nan"), "false_negative": 10}, MetricsInputError, "finite"),
        ({"false_positive": "1", "false_negative": 10}, TypeError, "must be a number"),
        ({"false_positive": True, "false_negative": 10}, TypeError, "must be a number"),
        ({"false_positive": 0, "false_negative": 0}, MetricsInputError, "at least one decision a cost"),
    ],
)
def test_cost_matrix_rejects_bad_entries(kwargs, error, message):
    with pytest.raises(error, match=message):
        CostMatrix(**kwargs)


def test_metrics_input_error_is_a_value_error():
    assert issubclass(MetricsInputError, ValueError)


@pytest.mark.parametrize(
    "labels, message",
    [
        (["bad", "good", "good"], r"Map them first"),
        ([0, 1, 2], r"binary with labels 0 and 1"),
        ([1, -1, 1], r"binary with labels 0 and 1"),
        ([0.0, 1.0, float("nan")], r"binary with labels 0 and 1"),
        ([], "empty"),
        ([[0, 1, 1]], "one-dimensional"),
    ],
)
def test_labels_must_be_binary(labels, message):
    scores = [0.2] * (len(labels) if labels and not isinstance(labels[0], list) else 0)
    with pytest.raises(MetricsInputError, match=message):
        confusion_at(labels, scores, 0.5)


@pytest.mark.parametrize(
    "scores, message",
    [
        ([0.1, 0.9], "3 labels but scores has 2"),
        ([0.1, 0.9, 1.7], r"probabilities in \[0, 1\]"),
        ([0.1, -2.0, 0.3], r"decision_function"),
        ([0.1, float("nan"), 0.3], "NaN"),
        ([[0.1, 0.9, 0.3]], "one-dimensional"),
    ],
)
def test_scores_must_be_one_probability_per_label(scores, message):
    with pytest.raises(MetricsInputError, match=message):
        confusion_at([0, 1, 0], scores, 0.5)


@pytest.mark.parametrize("thresholds", [[-0.1, 0.5], [0.5, 1.01], [float("nan")], []])
def test_thresholds_must_lie_in_unit_interval(thresholds):
    with pytest.raises(MetricsInputError, match="thresholds"):
        expected_cost([0, 1], [0.2, 0.8], thresholds, CostMatrix(false_positive=1, false_negative=1))


@pytest.mark.parametrize(
    "call",
    [
        lambda: confusion_at([0, 1], ["low", "high"], 0.5),
        lambda: confusion_at([0, 1], [0.2, 0.8], "half"),
        lambda: regression_report(["a", "b"], [1.0, 2.0]),
    ],
    ids=["scores", "threshold", "regression"],
)
def test_non_numeric_values_fail_clearly(call):
    with pytest.raises(MetricsInputError, match="must be numbers"):
        call()


def test_confusion_at_rejects_bad_thresholds():
    with pytest.raises(MetricsInputError, match=r"\[0, 1\]"):
        confusion_at([0, 1], [0.2, 0.8], 1.5)
    with pytest.raises(MetricsInputError, match="one number"):
        confusion_at([0, 1], [0.2, 0.8], [0.2, 0.5])


def test_expected_cost_needs_a_cost_matrix_and_a_positive_count():
    with pytest.raises(TypeError, match="must be a CostMatrix"):
        expected_cost([0, 1], [0.2, 0.8], [0.5], {"false_positive": 1, "false_negative": 10})
    with pytest.raises(MetricsInputError, match="per must be"):
        expected_cost([0, 1], [0.2, 0.8], [0.5], CostMatrix(false_positive=1, false_negative=1), per=0)


def test_f_beta_rejects_a_non_positive_beta():
    with pytest.raises(MetricsInputError, match="beta must be a positive number"):
        Confusion(tp=1, fp=1, fn=1, tn=1).f_beta(0)


@pytest.mark.parametrize(
    "actual, predicted, message",
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0], "3 values but y_pred has 2"),
        ([1.0, 0.0, 3.0], [1.0, 2.0, 3.0], "MAPE divides by zero"),
        ([2.0, 2.0, 2.0], [1.0, 2.0, 3.0], "two distinct true values"),
        ([1.0, float("inf"), 3.0], [1.0, 2.0, 3.0], "NaN or infinite"),
        ([[1.0, 2.0]], [[1.0, 2.0]], "one-dimensional"),
    ],
)
def test_regression_report_rejects_bad_input(actual, predicted, message):
    with pytest.raises(MetricsInputError, match=message):
        regression_report(actual, predicted)


def test_regression_report_is_a_series():
    assert isinstance(regression_report([1.0, 2.0], [1.5, 2.5]), pd.Series)


# --- confusion_counts and the bootstrap helpers ----------------------------------------------


def test_confusion_counts_match_confusion_at(scored):
    labels, scores = scored
    table = confusion_counts(labels, scores, [0.1, 0.5])
    for row in table.itertuples():
        confusion = confusion_at(labels, scores, row.threshold)
        assert (row.TP, row.FP, row.FN, row.TN) == (confusion.tp, confusion.fp, confusion.fn, confusion.tn)


def test_checked_costs_returns_the_cost_matrix():
    costs = CostMatrix(false_positive=1, false_negative=10)
    assert checked_costs(costs, 100) is costs
    with pytest.raises(MetricsInputError, match="per must be"):
        checked_costs(costs, True)


def test_bootstrap_weights_count_n_draws_per_resample():
    weights = bootstrap_weights(50, 20, np.random.default_rng(0))
    assert weights.shape == (20, 50)
    assert (weights.sum(axis=1) == 50).all() and (weights >= 0).all()
    again = bootstrap_weights(50, 20, np.random.default_rng(0))
    np.testing.assert_array_equal(weights, again)


@pytest.mark.parametrize("rounding", [None, 1])  # rounded scores have many ties
def test_resampled_ranking_matches_sklearn_with_sample_weights(scored, rounding):
    labels, scores = scored
    if rounding is not None:
        scores = np.round(scores, rounding)
    weights = bootstrap_weights(len(labels), 30, np.random.default_rng(1))
    table = resampled_ranking(labels, scores, weights)
    for row, weight in zip(table.itertuples(index=False), weights, strict=True):
        assert row[0] == pytest.approx(roc_auc_score(labels, scores, sample_weight=weight))
        assert row[1] == pytest.approx(average_precision_score(labels, scores, sample_weight=weight))
    plain = resampled_ranking(labels, scores, np.ones((1, len(labels)))).iloc[0]
    assert plain["ROC-AUC"] == pytest.approx(roc_auc_score(labels, scores))
    assert plain["PR-AUC"] == pytest.approx(average_precision_score(labels, scores))


def test_a_resample_without_positives_has_no_auc():
    weights = np.array([[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    table = resampled_ranking([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], weights)
    assert table.iloc[0].isna().all() and table.iloc[1]["ROC-AUC"] == pytest.approx(0.75)


def test_resampled_cost_matches_expected_cost(scored):
    labels, scores = scored
    costs = CostMatrix(false_positive=1, false_negative=10, true_positive=0.5)
    weights = bootstrap_weights(len(labels), 10, np.random.default_rng(2))
    resampled = resampled_cost(labels, scores, 0.4, costs, weights)
    assert resampled.shape == (10,)
    for value, weight in zip(resampled, weights, strict=True):
        rows = np.repeat(np.arange(len(labels)), weight)
        assert value == pytest.approx(expected_cost(labels[rows], scores[rows], [0.4], costs)["cost per 1,000"].iloc[0])
    unweighted = resampled_cost(labels, scores, 0.4, costs, np.ones((1, len(labels))), per=100)
    assert unweighted[0] == pytest.approx(expected_cost(labels, scores, [0.4], costs, per=100)["cost per 100"].iloc[0])


def test_bootstrap_helpers_reject_bad_input(scored):
    labels, scores = scored
    costs = CostMatrix(false_positive=1, false_negative=10)
    with pytest.raises(MetricsInputError, match="resamples must be a positive whole number"):
        bootstrap_weights(10, 0, np.random.default_rng(0))
    with pytest.raises(TypeError, match="numpy Generator"):
        bootstrap_weights(10, 5, 0)
    with pytest.raises(MetricsInputError, match="one column per label"):
        resampled_ranking(labels, scores, np.ones((3, 7)))
    with pytest.raises(MetricsInputError, match="non-negative"):
        resampled_cost(labels, scores, 0.5, costs, -np.ones((2, len(labels))))
    with pytest.raises(MetricsInputError, match="one number"):
        resampled_cost(labels, scores, [0.2, 0.5], costs, np.ones((2, len(labels))))
    with pytest.raises(TypeError, match="must be a CostMatrix"):
        resampled_cost(labels, scores, 0.5, None, np.ones((2, len(labels))))
