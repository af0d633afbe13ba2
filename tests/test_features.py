"""labkit.features: fair cross-validated comparisons and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

from labkit.features import (
    ColumnNotFoundError,
    CVScore,
    NotBinaryError,
    ResultsTable,
    ResultsTableError,
    binary_target,
    check_columns,
    cv_score,
    default_cv,
    outlier_summary,
    split_features_target,
)


@pytest.fixture
def toy() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = pd.Series((X["a"] + rng.normal(scale=1.0, size=200) > 0).astype(int), name="label")
    return X, y


def test_split_features_target_codes_the_positive_class_as_one():
    frame = pd.DataFrame({"x": [1, 2, 3, 4], "churn": ["No", "Yes", "No", "Yes"]})
    X, y = split_features_target(frame, "churn", positive="Yes")
    assert list(X.columns) == ["x"]
    assert y.tolist() == [0, 1, 0, 1]


def test_unknown_column_names_are_listed_with_the_known_ones():
    frame = pd.DataFrame({"tenure": [1, 2], "churn": ["No", "Yes"]})
    with pytest.raises(ColumnNotFoundError, match="'tenur'.*tenure, churn") as caught:
        split_features_target(frame, "churn", positive="Yes", features=["tenur"])
    assert isinstance(caught.value, KeyError)
    assert not str(caught.value).startswith('"')  # readable message, not KeyError's quoted repr
    with pytest.raises(ColumnNotFoundError, match="'label'"):
        split_features_target(frame, "label", positive="Yes")
    with pytest.raises(ColumnNotFoundError):
        check_columns(frame, "nope")


def test_target_listed_as_feature_is_refused():
    frame = pd.DataFrame({"x": [1, 2], "churn": ["No", "Yes"]})
    with pytest.raises(ValueError, match="also listed as a feature"):
        split_features_target(frame, "churn", positive="Yes", features=["x", "churn"])


@pytest.mark.parametrize(
    "labels, positive, message",
    [
        (pd.Series(["a", "b", "c"], name="grade"), "a", "exactly two values, found 3"),
        (pd.Series(["a", "a"], name="grade"), "a", "exactly two values, found 1"),
        (pd.Series(["No", "Yes"], name="churn"), "yes", "not a value of 'churn'"),
        (pd.Series(["No", None, "Yes"], name="churn"), "Yes", "missing value"),
    ],
)
def test_binary_target_rejects_labels_that_are_not_binary(labels, positive, message):
    with pytest.raises(NotBinaryError, match=message):
        binary_target(labels, positive)


def test_binary_target_needs_a_series():
    with pytest.raises(TypeError, match="Series"):
        binary_target(["No", "Yes"], "Yes")


def test_cv_score_matches_scikit_learn_on_the_default_folds(toy):
    X, y = toy
    model = LogisticRegression()
    result = cv_score(model, X, y)
    expected = cross_val_score(LogisticRegression(), X, y, cv=default_cv(), scoring="roc_auc")
    assert np.allclose(result.fold_scores, expected)
    assert result.mean == pytest.approx(expected.mean())
    assert result.std == pytest.approx(expected.std())
    assert str(result) == f"{expected.mean():.4f} ± {expected.std():.4f}"
    assert not hasattr(model, "coef_"), "cv_score must fit clones, not the model passed in"


def test_cv_score_is_reproducible(toy):
    X, y = toy
    assert cv_score(LogisticRegression(), X, y) == cv_score(LogisticRegression(), X, y)


@pytest.mark.parametrize(
    "labels, message",
    [
        (["No", "Yes"] * 100, "0 and 1"),
        ([0, 1, 2, 1] * 50, "0 and 1"),
        ([1] * 200, "0 and 1"),
    ],
)
def test_cv_score_rejects_a_label_that_is_not_0_1(toy, labels, message):
    X, _ = toy
    with pytest.raises(NotBinaryError, match=message):
        cv_score(LogisticRegression(), X, pd.Series(labels))


def test_cv_score_rejects_mismatched_rows_and_non_estimators(toy):
    X, y = toy
    with pytest.raises(ValueError, match="200 rows but y has 199"):
        cv_score(LogisticRegression(), X, y.iloc[:199])
    with pytest.raises(TypeError, match="estimator"):
        cv_score("logistic", X, y)
    with pytest.raises(TypeError, match="splitter"):
        cv_score(LogisticRegression(), X, y, cv="five folds")


def test_results_table_compares_each_step_with_the_baseline_fold_by_fold():
    table = ResultsTable()
    cv = repr(default_cv())
    table.add("baseline", "as loaded", CVScore((0.80, 0.82, 0.81), "roc_auc", cv))
    table.add("scaled", "standardised", CVScore((0.81, 0.81, 0.83), "roc_auc", cv), model="k-NN")
    frame = table.to_frame()
    assert list(frame.index) == ["baseline", "scaled"]
    assert frame.loc["scaled", "model"] == "k-NN"
    assert frame.loc["scaled", "ROC-AUC mean"] == pytest.approx(0.8167, abs=1e-4)
    assert frame.loc["scaled", "vs baseline"] == pytest.approx(0.0067, abs=1e-4)
    assert frame.loc["scaled", "folds better"] == "2/3"
    assert frame.loc["baseline", "folds better"] == "0/3"
    assert table.to_frame(baseline="scaled").loc["baseline", "vs baseline"] == pytest.approx(-0.0067, abs=1e-4)
    assert list(table.to_frame(steps=["scaled"]).index) == ["scaled"]
    assert len(table) == 2 and table.score("scaled").mean == pytest.approx(0.8167, abs=1e-4)


def test_results_table_refuses_unfair_or_ambiguous_rows():
    table = ResultsTable(scoring="roc_auc")
    stratified = repr(default_cv())
    table.add("baseline", "as loaded", CVScore((0.8, 0.8), "roc_auc", stratified))
    with pytest.raises(ResultsTableError, match="already has a step 'baseline'"):
        table.add("baseline", "again", CVScore((0.8, 0.8), "roc_auc", stratified))
    with pytest.raises(ResultsTableError, match="same metric"):
        table.add("pr", "other metric", CVScore((0.5, 0.5), "average_precision", stratified))
    other_folds = repr(KFold(2))
    with pytest.raises(ResultsTableError, match="same folds"):
        table.add("kfold", "other folds", CVScore((0.8, 0.8), "roc_auc", other_folds))
    with pytest.raises(ResultsTableError, match="non-empty"):
        table.add("", "no name", CVScore((0.8, 0.8), "roc_auc", stratified))
    with pytest.raises(TypeError, match="CVScore"):
        table.add("float", "a bare number", 0.8)
    with pytest.raises(ColumnNotFoundError, match="No step 'missing'"):
        table.score("missing")
    with pytest.raises(ColumnNotFoundError):
        table.to_frame(baseline="missing")


def test_an_empty_results_table_cannot_be_shown():
    with pytest.raises(ResultsTableError, match="empty"):
        ResultsTable().to_frame()


def test_cv_scores_from_different_splitters_do_not_mix(toy):
    X, y = toy
    table = ResultsTable()
    table.add("default", "default folds", cv_score(LogisticRegression(), X, y))
    other = cv_score(LogisticRegression(), X, y, cv=StratifiedKFold(5, shuffle=True, random_state=1))
    with pytest.raises(ResultsTableError, match="same folds"):
        table.add("other seed", "other folds", other)


def test_outlier_summary_reproduces_the_chapter_example():
    # Task 1.2's worked example: spend 20, 30, 40, 50, 160. IQR fences 0 and 80 flag 160;
    # its z-score is about 1.96, so the |z| > 3 rule does not.
    frame = pd.DataFrame({"spend": [20, 30, 40, 50, 160]})
    summary = outlier_summary(frame, ["spend"])
    row = summary.loc["spend"]
    assert (row["q1"], row["q3"], row["lower fence"], row["upper fence"]) == (30, 50, 0, 80)
    assert row["IQR outliers"] == 1
    assert row["|z| > 3"] == 0
    assert outlier_summary(frame, ["spend"], z=1.9).loc["spend", "|z| > 1.9"] == 1


def test_outlier_summary_rejects_bad_input():
    frame = pd.DataFrame({"spend": [1.0, 2.0, None], "plan": ["a", "b", "c"]})
    with pytest.raises(ColumnNotFoundError, match="'spnd'"):
        outlier_summary(frame, ["spnd"])
    with pytest.raises(TypeError, match="'plan'.*not numeric"):
        outlier_summary(frame, ["plan"])
    with pytest.raises(ValueError, match="positive"):
        outlier_summary(frame, ["spend"], k=0)
    assert outlier_summary(frame, ["spend"]).loc["spend", "IQR outliers"] == 0
