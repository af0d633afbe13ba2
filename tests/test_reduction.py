"""labkit.reduction: the code of Lab 15 (dimensionality reduction) and its errors for bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from labkit.datasets import load_dataset
from labkit.features import Difference
from labkit.reduction import (
    LOGGED_COLUMNS,
    autoencoder,
    compare_codes,
    encode,
    fold_difference,
    group_cohesion,
    loan_features,
    neighbour_overlap,
    pca_then_logistic,
)


@pytest.fixture(scope="module")
def loans() -> pd.DataFrame:
    return load_dataset("lending_club")


def test_loan_features_keeps_the_numeric_columns_and_logs_the_long_tailed_ones(loans):
    X, y = loan_features(loans)
    assert X.shape == (9857, 17) and set(LOGGED_COLUMNS) < set(X.columns)
    assert (X.dtypes == "float64").all() and set(y.unique()) == {0, 1} and abs(y.mean() - 0.0525) < 0.0001
    assert np.allclose(X["annual_inc"], np.log1p(loans["annual_inc"]))
    assert np.allclose(X["funded_amnt"], loans["funded_amnt"])  # not in LOGGED_COLUMNS: unchanged


def test_loan_features_names_a_missing_or_negative_column(loans):
    with pytest.raises(ValueError, match="annual_inc"):
        loan_features(loans.drop(columns="annual_inc"))
    broken = loans.copy()
    broken.loc[0, "delinq_amnt"] = -5
    with pytest.raises(ValueError, match="negative values in: delinq_amnt"):
        loan_features(broken)


def test_pca_then_logistic_standardises_reduces_then_classifies():
    model = pca_then_logistic(3)
    kinds = [type(step) for _, step in model.steps]
    assert kinds == [StandardScaler, PCA, LogisticRegression] and model.steps[1][1].n_components == 3


def test_neighbour_overlap_ignores_rotation_and_scale_but_not_a_shuffle():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(60, 2))
    turned = 3 * points @ np.array([[0.0, -1.0], [1.0, 0.0]]) + 7
    assert neighbour_overlap(points, turned) == 1.0
    assert neighbour_overlap(points, rng.permutation(points)) < 0.4


def test_neighbour_overlap_handles_duplicate_points():
    points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [5.0, 0.0]])
    assert neighbour_overlap(points, points, k=2) == 1.0


@pytest.mark.parametrize(("other", "k", "message"), [
    (np.zeros((5, 2)), 3, "one row per point"),
    (np.zeros(10), 3, "2-D arrays"),
    (np.zeros((10, 2)), 10, "k must be"),
    (np.zeros((10, 2)), 0, "k must be"),
])
def test_neighbour_overlap_refuses_bad_input(other, k, message):
    with pytest.raises(ValueError, match=message):
        neighbour_overlap(np.zeros((10, 2)), other, k=k)


def test_group_cohesion_is_one_for_a_separate_group_and_low_for_a_mixed_one():
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(size=(40, 2)), rng.normal(size=(15, 2)) + 50])
    island = np.arange(55) >= 40
    assert group_cohesion(points, island, k=5) == 1.0
    scattered = np.zeros(55, dtype=bool)
    scattered[::4] = True
    assert group_cohesion(points, scattered, k=5) < 0.5


@pytest.mark.parametrize(("members", "k", "message"), [
    (np.ones(10), 3, "boolean array"),
    (np.zeros(9, dtype=bool), 3, "boolean array"),
    (np.zeros(10, dtype=bool), 3, "at least one member"),
    (np.ones(10, dtype=bool), 10, "k from 1"),
])
def test_group_cohesion_refuses_bad_input(members, k, message):
    with pytest.raises(ValueError, match=message):
        group_cohesion(np.zeros((10, 2)), members, k=k)


def test_autoencoder_has_a_narrow_middle_layer():
    network = autoencoder(4, seed=3)
    assert isinstance(network, MLPRegressor) and network.hidden_layer_sizes == (32, 4, 32)
    assert network.activation == "relu" and network.random_state == 3


@pytest.mark.parametrize("size", [0, -1, 2.5, True, "4"])
def test_autoencoder_refuses_a_bad_code_size(size):
    with pytest.raises(ValueError, match="code_size"):
        autoencoder(size, seed=0)


def _small_network(rows: np.ndarray) -> MLPRegressor:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPRegressor(hidden_layer_sizes=(6, 2, 6), max_iter=20, random_state=0).fit(rows, rows)


def test_encode_returns_the_middle_layer_of_the_forward_pass():
    rows = np.random.default_rng(0).normal(size=(50, 5))
    network = _small_network(rows)
    relu = np.maximum
    first = relu(rows @ network.coefs_[0] + network.intercepts_[0], 0)
    middle = relu(first @ network.coefs_[1] + network.intercepts_[1], 0)
    assert np.allclose(encode(network, rows), middle) and encode(network, rows).shape == (50, 2)
    # the rest of the network turns the code into the reconstruction
    last = relu(middle @ network.coefs_[2] + network.intercepts_[2], 0)
    assert np.allclose(last @ network.coefs_[3] + network.intercepts_[3], network.predict(rows))


def test_encode_refuses_an_unfitted_or_unsuitable_network():
    rows = np.random.default_rng(0).normal(size=(30, 4))
    with pytest.raises(ValueError, match="fit autoencoder"):
        encode(autoencoder(2, seed=0), rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        even = MLPRegressor(hidden_layer_sizes=(3, 2), max_iter=5, random_state=0).fit(rows, rows)
        linear = MLPRegressor(hidden_layer_sizes=(2,), activation="identity", max_iter=5, random_state=0)
        linear.fit(rows, rows)
    for network in (even, linear):
        with pytest.raises(ValueError, match="odd number of hidden layers"):
            encode(network, rows)


@pytest.fixture(scope="module")
def small_comparison() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    hidden = rng.normal(size=(300, 2))
    X = hidden @ rng.normal(size=(2, 6)) + 0.1 * rng.normal(size=(300, 6))
    y = (hidden[:, 0] + 0.5 * rng.normal(size=300) > 0.8).astype(int)

    def quick(code_size: int, seed: int) -> MLPRegressor:
        return autoencoder(code_size, seed).set_params(max_iter=5, batch_size=64)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return compare_codes(X, y, code_size=2, seed=0, folds=3, network=quick)


def test_compare_codes_scores_three_methods_in_every_fold(small_comparison):
    assert list(small_comparison.columns) == ["fold", "method", "reconstruction MSE", "ROC-AUC"]
    assert len(small_comparison) == 9 and set(small_comparison["method"]) == {"PCA", "autoencoder", "all columns"}
    assert (small_comparison.loc[small_comparison["method"] == "all columns", "reconstruction MSE"] == 0).all()
    pca_error = small_comparison.loc[small_comparison["method"] == "PCA", "reconstruction MSE"]
    assert (pca_error < 0.1).all()  # two hidden directions: two components rebuild the six columns


def test_compare_codes_refuses_a_code_as_wide_as_the_data():
    with pytest.raises(ValueError, match="code_size must be from 1 to 5"):
        compare_codes(np.zeros((20, 6)), np.tile([0, 1], 10), code_size=6, seed=0)


def test_fold_difference_pairs_the_folds(small_comparison):
    difference = fold_difference(small_comparison, "ROC-AUC", "PCA", "all columns")
    table = small_comparison.pivot(index="fold", columns="method", values="ROC-AUC")
    assert isinstance(difference, Difference)
    assert difference.mean == pytest.approx((table["PCA"] - table["all columns"]).mean())
    assert difference.low < difference.mean < difference.high


@pytest.mark.parametrize(("metric", "method", "message"), [
    ("accuracy", "PCA", "lacks the column"),
    ("ROC-AUC", "t-SNE", "no method 't-SNE'"),
])
def test_fold_difference_names_what_is_missing(small_comparison, metric, method, message):
    with pytest.raises(ValueError, match=message):
        fold_difference(small_comparison, metric, method, "all columns")


def test_fold_difference_needs_two_folds(small_comparison):
    with pytest.raises(ValueError, match="two folds"):
        fold_difference(small_comparison[small_comparison["fold"] == 0], "ROC-AUC", "PCA", "all columns")
