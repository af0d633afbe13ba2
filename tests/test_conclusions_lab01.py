"""Lab 01's conclusions survive another seed.

The lab's Summary draws its conclusions from one shuffle of the cross-validation folds (seed 0) and
one held-out split. Here the same comparisons are recomputed with seeds 1 and 2, through the code
the lab saves in `labkit.features` (`#@save` cells) and the lab's own protocol (`default_cv`,
paired differences with the corrected interval, a bootstrap on the held-out rows), and each
conclusion must hold: the direction of a difference, that its interval excludes zero, or that a
difference stays below a bound.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, OneHotEncoder, StandardScaler, TargetEncoder

from labkit.datasets import load_dataset
from labkit.features import (
    bootstrap_roc_auc_difference,
    cv_score,
    default_cv,
    develop_then_test,
    knn,
    logistic,
    numeric_parts,
    onehot_pipeline,
    paired_difference,
    pipeline,
    plan_column,
    split_features_target,
)
from labkit.lab import start

SEEDS = (1, 2)


@pytest.fixture(scope="module")
def churn() -> tuple[pd.DataFrame, pd.Series, list[str], list[str]]:
    X, y = split_features_target(load_dataset("wa_churn"), target="churn", positive="Yes")
    categorical = [column for column in X.columns if isinstance(X[column].dtype, pd.CategoricalDtype)]
    numeric = [column for column in X.columns if column not in categorical]
    return X, y, numeric, categorical


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def measured(request, churn) -> dict:
    """The lab's comparisons with another shuffle of the folds and another held-out split."""
    seed = request.param
    start(seed=seed)
    X, y, numeric, categorical = churn
    cv = default_cv(random_state=seed)

    def score(model, features):
        return cv_score(model, features, y, cv=cv)

    def fill_zero():
        return SimpleImputer(strategy="constant", fill_value=0)

    scores = {
        "baseline": score(make_pipeline(fill_zero(), logistic()), X[numeric]),
        "impute median": score(make_pipeline(SimpleImputer(strategy="median"), logistic()), X[numeric]),
        "LR standardise": score(make_pipeline(fill_zero(), StandardScaler(), logistic()), X[numeric]),
        "LR row-normalise": score(make_pipeline(fill_zero(), Normalizer(), logistic()), X[numeric]),
        "k-NN unscaled": score(make_pipeline(fill_zero(), knn()), X[numeric]),
        "k-NN standardise": score(make_pipeline(fill_zero(), StandardScaler(), knn()), X[numeric]),
        "log total_charges": score(pipeline(numeric_parts(numeric)), X),
        "tenure bins": score(pipeline(numeric_parts(numeric, tenure_bins=True)), X),
        "one-hot": score(onehot_pipeline(numeric, categorical), X),
        "without log": score(onehot_pipeline(numeric, categorical, log_charges=False), X),
    }

    plan = plan_column(X, categorical)
    X_plan = X.assign(plan=plan, plan_churn_rate=plan.map(y.groupby(plan).mean()))
    final_parts = numeric_parts(numeric) + [("categories", OneHotEncoder(handle_unknown="ignore"), categorical)]
    leaky = pipeline(final_parts + [("plan_rate", StandardScaler(), ["plan_churn_rate"])])
    honest = pipeline(final_parts + [("plan_rate", TargetEncoder(target_type="binary"), ["plan"])])
    scores["plan target-encoded"] = score(honest, X_plan)
    scores["LEAK plan churn rate"] = score(leaky, X_plan)

    train_rows, test_rows = train_test_split(X_plan.index, test_size=0.25, stratify=y, random_state=seed)
    train_rates = y[train_rows].groupby(plan[train_rows]).mean()
    X_dev = X_plan.assign(plan_churn_rate=plan.map(train_rates).fillna(y[train_rows].mean()))
    leaky_development, leaky_test = develop_then_test(leaky, X_dev, y, train_rows, test_rows, cv=cv)
    honest_test = honest.fit(X_dev.loc[train_rows], y[train_rows]).predict_proba(X_dev.loc[test_rows])[:, 1]

    return {
        "seed": seed,
        "scores": scores,
        "delivered": bootstrap_roc_auc_difference(y[test_rows], honest_test, leaky_test, seed=seed),
        "leaky promised": leaky_development.mean,
        "leaky delivered": roc_auc_score(y[test_rows], leaky_test),
    }


def difference(measured: dict, step: str, reference: str):
    return paired_difference(measured["scores"][step], measured["scores"][reference])


def test_the_folds_are_not_the_lab_s_folds(measured):
    assert measured["scores"]["baseline"].cv == repr(default_cv(random_state=measured["seed"]))
    assert measured["scores"]["baseline"].cv != repr(default_cv())
    assert len(measured["scores"]["baseline"].fold_scores) == 10


def test_the_fill_of_11_missing_values_barely_matters(measured):
    assert abs(difference(measured, "impute median", "baseline").mean) < 0.001


def test_k_nn_needs_column_scaling_and_logistic_regression_does_not(measured):
    assert difference(measured, "k-NN standardise", "k-NN unscaled").low > 0
    assert abs(difference(measured, "LR standardise", "baseline").mean) < 0.001
    assert difference(measured, "LR row-normalise", "baseline").high < 0


def test_the_log_transform_helps_and_the_tenure_bins_do_not(measured):
    assert difference(measured, "log total_charges", "LR standardise").verdict == "better"
    assert difference(measured, "tenure bins", "log total_charges").verdict != "better"
    assert difference(measured, "without log", "one-hot").verdict == "worse"  # still needed at the end


def test_the_categorical_columns_are_the_logistic_regression_s_largest_gain(measured):
    categories = difference(measured, "one-hot", "log total_charges")
    assert categories.low > 0.01
    others = [difference(measured, "impute median", "baseline"),
              difference(measured, "LR standardise", "baseline"),
              difference(measured, "log total_charges", "LR standardise"),
              difference(measured, "tenure bins", "log total_charges")]
    assert all(categories.low > other.high for other in others)


def test_the_final_pipeline_beats_the_baseline(measured):
    gain = difference(measured, "one-hot", "baseline")
    assert gain.low > 0.015 and 0.02 < gain.mean < 0.04


def test_the_target_leak_inflates_cross_validation_and_does_not_deliver(measured):
    assert difference(measured, "plan target-encoded", "one-hot").verdict != "better"
    assert difference(measured, "LEAK plan churn rate", "plan target-encoded").low > 0.03
    assert measured["delivered"].low > 0  # the honest pipeline beats the leaky one on held-back customers
    assert measured["leaky promised"] - measured["leaky delivered"] > 0.05
    assert np.isfinite(measured["leaky delivered"]) and measured["leaky delivered"] < 0.82
