"""labkit.features: fair cross-validated comparisons and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold, RepeatedStratifiedKFold, StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

from labkit.features import (
    DEFAULT_REPEATS,
    DEFAULT_SPLITS,
    ColumnNotFoundError,
    CVScore,
    Difference,
    NotBinaryError,
    ResultsTable,
    ResultsTableError,
    binary_target,
    bootstrap_roc_auc_difference,
    check_columns,
    cv_score,
    default_cv,
    develop_then_test,
    knn,
    logistic,
    numeric_parts,
    onehot_pipeline,
    outlier_summary,
    paired_difference,
    pipeline,
    plan_column,
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


def _score(folds, cv=None, ratio=0.25):
    return CVScore(tuple(folds), "roc_auc", cv or repr(default_cv()), ratio)


def test_results_table_compares_each_step_with_its_reference_with_an_interval():
    table = ResultsTable()
    table.add("baseline", "as loaded", _score([0.80, 0.82, 0.81, 0.79]))
    table.add("scaled", "standardised", _score([0.82, 0.84, 0.83, 0.81]), reference="baseline")
    table.add("noisy", "something else", _score([0.83, 0.80, 0.82, 0.78]), reference="baseline")
    frame = table.to_frame()
    assert list(frame.index) == ["baseline", "scaled", "noisy"]
    assert list(frame.columns) == ["what changed", "ROC-AUC", "compared with", "difference", "95% interval", "verdict"]
    assert frame.loc["scaled", "ROC-AUC"] == pytest.approx(0.825)
    assert frame.loc["scaled", "compared with"] == "baseline"
    assert frame.loc["scaled", "difference"] == "+0.0200"
    # every fold gains exactly 0.02: no spread, so the interval is a point and the verdict is "better"
    assert frame.loc["scaled", "verdict"] == "better"
    assert frame.loc["noisy", "verdict"] == "within noise"
    assert frame.loc["baseline", "compared with"] == "" and frame.loc["baseline", "verdict"] == ""
    assert list(table.to_frame(steps=["noisy", "scaled"]).index) == ["noisy", "scaled"]
    assert table.compare("noisy", reference="scaled").mean == pytest.approx(-0.0175)
    assert len(table) == 3 and table.score("scaled").mean == pytest.approx(0.825)
    with pytest.raises(ResultsTableError, match="no reference"):
        table.compare("baseline")


def test_paired_difference_is_the_corrected_resampled_t_interval():
    reference = _score([0.80, 0.82, 0.81, 0.79, 0.83], ratio=0.25)
    score = _score([0.81, 0.84, 0.81, 0.80, 0.86], ratio=0.25)
    differences = np.array([0.01, 0.02, 0.00, 0.01, 0.03])
    half = stats.t.ppf(0.975, df=4) * np.sqrt((1 / 5 + 0.25) * differences.var(ddof=1))
    result = paired_difference(score, reference)
    assert result.mean == pytest.approx(differences.mean())
    assert result.low == pytest.approx(differences.mean() - half)
    assert result.high == pytest.approx(differences.mean() + half)
    assert result.method == "corrected resampled t" and result.confidence == 0.95
    # the correction widens the textbook interval: sqrt((1/5 + 1/4) / (1/5)) = 1.5 times
    naive = stats.t.ppf(0.975, df=4) * np.sqrt(differences.var(ddof=1) / 5)
    assert half / naive == pytest.approx(1.5)
    assert paired_difference(score, reference, confidence=0.5).high < result.high
    assert str(result).endswith(f"{result.interval} ({result.verdict})")


@pytest.mark.parametrize(
    "low, high, verdict", [(0.001, 0.01, "better"), (-0.01, -0.001, "worse"), (-0.01, 0.01, "within noise")]
)
def test_a_difference_says_better_worse_or_within_noise(low, high, verdict):
    assert Difference((low + high) / 2, low, high, 0.95, "test").verdict == verdict


def test_paired_difference_refuses_unpaired_scores():
    a = _score([0.8, 0.81, 0.82])
    with pytest.raises(ResultsTableError, match="different folds"):
        paired_difference(a, _score([0.8, 0.81, 0.82], cv=repr(KFold(3))))
    with pytest.raises(ResultsTableError, match="different folds"):
        paired_difference(a, _score([0.8, 0.81]))
    with pytest.raises(ResultsTableError, match="one metric"):
        paired_difference(a, CVScore((0.8, 0.81, 0.82), "average_precision", a.cv))
    with pytest.raises(ResultsTableError, match="at least two folds"):
        paired_difference(_score([0.8]), _score([0.7]))
    with pytest.raises(TypeError, match="CVScore"):
        paired_difference(a, 0.8)
    with pytest.raises(ValueError, match="confidence"):
        paired_difference(a, a, confidence=95)


def test_cv_score_records_the_test_to_train_ratio_of_its_folds(toy):
    X, y = toy
    assert cv_score(LogisticRegression(), X, y).test_train_ratio == pytest.approx(0.25)
    three = cv_score(LogisticRegression(), X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert three.test_train_ratio == pytest.approx(0.5, abs=0.01)
    assert len(cv_score(LogisticRegression(), X, y).fold_scores) == DEFAULT_SPLITS * DEFAULT_REPEATS


def test_default_cv_is_repeated_and_stratified():
    cv = default_cv()
    assert isinstance(cv, RepeatedStratifiedKFold) and cv.get_n_splits() == 10
    assert default_cv(n_repeats=1, random_state=3).get_n_splits() == 5
    with pytest.raises(ValueError, match="n_splits"):
        default_cv(n_splits=1)
    with pytest.raises(ValueError, match="n_repeats"):
        default_cv(n_repeats=0)


def test_bootstrap_roc_auc_difference_is_paired_and_reproducible():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], [300, 100])
    good = labels + rng.normal(scale=0.8, size=400)
    poor = labels + rng.normal(scale=2.5, size=400)
    result = bootstrap_roc_auc_difference(labels, good, poor, n_resamples=500, seed=1)
    assert result.mean == pytest.approx(roc_auc_score(labels, good) - roc_auc_score(labels, poor))
    assert result.low < result.mean < result.high and result.verdict == "better"
    assert result.method == "paired bootstrap"
    assert bootstrap_roc_auc_difference(labels, good, poor, n_resamples=500, seed=1) == result
    same = bootstrap_roc_auc_difference(labels, good, good, n_resamples=200)
    assert (same.low, same.mean, same.high) == (0, 0, 0) and same.verdict == "within noise"
    # the rank formula agrees with scikit-learn, ties included
    tied = np.round(good, 0)
    assert bootstrap_roc_auc_difference(labels, tied, poor, n_resamples=100).mean == pytest.approx(
        roc_auc_score(labels, tied) - roc_auc_score(labels, poor))


def test_bootstrap_roc_auc_difference_rejects_bad_input():
    labels = np.repeat([0, 1], [5, 5])
    scores = np.linspace(0, 1, 10)
    with pytest.raises(ValueError, match="one finite score per label"):
        bootstrap_roc_auc_difference(labels, scores[:9], scores)
    with pytest.raises(ValueError, match="one finite score per label"):
        bootstrap_roc_auc_difference(labels, np.r_[scores[:9], np.nan], scores)
    with pytest.raises(ValueError, match="at least 100"):
        bootstrap_roc_auc_difference(labels, scores, scores, n_resamples=10)
    with pytest.raises(NotBinaryError):
        bootstrap_roc_auc_difference(np.arange(10), scores, scores)


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
    with pytest.raises(ResultsTableError, match="reference 'basline'.*add it first"):
        table.add("scaled", "typo in the reference", CVScore((0.8, 0.8), "roc_auc", stratified), reference="basline")
    with pytest.raises(ColumnNotFoundError, match="No step 'missing'"):
        table.score("missing")
    with pytest.raises(ColumnNotFoundError):
        table.to_frame(steps=["missing"])
    with pytest.raises(ValueError, match="confidence"):
        ResultsTable(confidence=1.5)


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


@pytest.fixture
def churn_like() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    n = 300
    tenure = rng.integers(0, 73, size=n)
    frame = pd.DataFrame({
        "tenure": tenure,
        "monthly_charges": rng.uniform(18, 119, size=n).round(2),
        "contract": pd.Categorical(rng.choice(["Month-to-month", "One year", "Two year"], size=n)),
        "payment_method": pd.Categorical(rng.choice(["Electronic check", "Mailed check"], size=n)),
    })
    frame["total_charges"] = np.where(tenure == 0, np.nan, tenure * frame["monthly_charges"])
    churn = ((tenure < 12) ^ (rng.random(n) < 0.2)).astype(int)
    return frame, pd.Series(churn, name="churn")


def test_the_lab_pipelines_fit_and_switch_one_step_each(churn_like):
    X, y = churn_like
    numeric, categorical = ["tenure", "monthly_charges", "total_charges"], ["contract", "payment_method"]
    assert isinstance(logistic(), LogisticRegression) and logistic().solver == "newton-cholesky"
    assert isinstance(knn(7), KNeighborsClassifier) and knn(7).n_neighbors == 7 and knn().n_neighbors == 50
    names = [name for name, _, _ in numeric_parts(numeric, tenure_bins=True)]
    assert names == ["charges", "numbers", "tenure_bins"]
    charges = numeric_parts(numeric, log_charges=False)[0][1]
    assert [type(step).__name__ for _, step in charges.steps] == ["SimpleImputer", "StandardScaler"]
    width = ColumnTransformer(numeric_parts(numeric)).fit_transform(X).shape[1]
    assert width == 3
    model = onehot_pipeline(numeric, categorical)
    assert isinstance(model, Pipeline)
    probabilities = model.fit(X, y).predict_proba(X)[:, 1]
    assert np.isfinite(probabilities).all() and roc_auc_score(y, probabilities) > 0.6
    assert model[0].transform(X).shape[1] == 3 + 3 + 2
    assert onehot_pipeline(numeric, categorical, tenure_bins=True)[0].fit_transform(X).shape[1] > 8
    assert isinstance(pipeline(numeric_parts(numeric), knn(5))[-1], KNeighborsClassifier)
    with pytest.raises(ValueError, match="total_charges"):
        numeric_parts(["tenure"])


def test_plan_column_joins_the_values_and_names_unknown_columns(churn_like):
    X, _ = churn_like
    plans = plan_column(X, ["contract", "payment_method"])
    assert plans.iloc[0] == f"{X['contract'].iloc[0]} | {X['payment_method'].iloc[0]}"
    assert plans.nunique() <= 6
    with pytest.raises(ColumnNotFoundError, match="'plan'"):
        plan_column(X, ["plan"])


def test_develop_then_test_reports_cv_on_development_rows_and_scores_the_held_back_rows(churn_like):
    X, y = churn_like
    model = onehot_pipeline(["tenure", "monthly_charges", "total_charges"], ["contract"])
    train, test = X.index[:200], X.index[200:]
    development, scores = develop_then_test(model, X, y, train, test, cv=default_cv(n_repeats=1))
    assert len(development.fold_scores) == 5 and scores.shape == (100,)
    assert development == cv_score(model, X.loc[train], y[train], cv=default_cv(n_repeats=1))
    assert not hasattr(model[-1], "coef_"), "develop_then_test must fit a clone"
