"""Lab 15's conclusions survive another seed.

The lab draws its conclusions from one shuffle of the cross-validation folds, one sample of 300
loans for t-SNE and one initialisation of the autoencoder (seed 0). Here the same measurements are
repeated with seeds 1 and 2, through the code the lab saves in `labkit.reduction` (`#@save` cells)
and the lab's protocol (`cv_score` on `default_cv`, corrected paired intervals, `compare_codes` on 5
stratified folds), and each conclusion of its Summary must hold.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.manifold import TSNE
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from labkit.datasets import load_dataset
from labkit.features import cv_score, default_cv, paired_difference
from labkit.lab import start
from labkit.reduction import (
    compare_codes,
    fold_difference,
    group_cohesion,
    loan_features,
    neighbour_overlap,
    pca_then_logistic,
)

SEEDS = (1, 2)
COMPONENTS = (2, 5, 6, 7, 8, 10, 12, 16)


@pytest.fixture(scope="module")
def loans() -> tuple[pd.DataFrame, pd.Series, np.ndarray]:
    X, y = loan_features(load_dataset("lending_club"))
    return X, y, StandardScaler().fit_transform(X)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def seed(request) -> int:
    return request.param


def test_the_score_needs_enough_components_whatever_the_folds(loans, seed):
    X, y, _ = loans
    start(seed=seed)
    cv = default_cv(random_state=seed)
    everything = cv_score(pca_then_logistic(None), X, y, cv=cv)
    differences = {k: paired_difference(cv_score(pca_then_logistic(k), X, y, cv=cv), everything) for k in COMPONENTS}
    assert differences[2].verdict == "worse" and differences[2].high < -0.05, differences[2]
    enough = min(k for k, difference in differences.items() if difference.verdict != "worse")
    assert 6 <= enough <= 12, {k: str(d) for k, d in differences.items()}
    assert all(differences[k].verdict != "worse" for k in COMPONENTS if k >= enough)
    assert abs(differences[16].mean) < 0.002


def test_tsne_is_a_picture_whose_neighbourhoods_move(loans, seed):
    X, _, standardised = loans
    rng = start(seed=seed)
    picked = rng.choice(len(X), size=375, replace=False)
    points, new_points = standardised[picked[:300]], standardised[picked[300:]]
    no_instalment = (X[["total_bal_il", "total_il_high_credit_limit"]].to_numpy()[picked[:300]] == 0).all(axis=1)

    tsne = TSNE(perplexity=30, random_state=seed)
    layout = tsne.fit_transform(points)
    pca_layout = PCA(n_components=2).fit(standardised).transform(points)
    assert not hasattr(tsne, "transform")
    assert neighbour_overlap(points, layout) > neighbour_overlap(points, pca_layout) + 0.15

    runs = {
        "default start, next seed": TSNE(perplexity=30, random_state=seed + 1).fit_transform(points),
        "random start": TSNE(perplexity=30, init="random", random_state=seed).fit_transform(points),
        "random start, next seed": TSNE(perplexity=30, init="random", random_state=seed + 1).fit_transform(points),
        "perplexity 5": TSNE(perplexity=5, random_state=seed).fit_transform(points),
        "more loans": TSNE(perplexity=30, random_state=seed).fit_transform(np.vstack([points, new_points]))[:300],
    }
    shared = {name: neighbour_overlap(layout, coordinates) for name, coordinates in runs.items()}
    assert shared["default start, next seed"] == 1, shared
    assert neighbour_overlap(runs["random start"], runs["random start, next seed"]) < 0.8
    assert all(value < 0.8 for name, value in shared.items() if name != "default start, next seed"), shared
    assert all(group_cohesion(coordinates, no_instalment) > 0.9 for coordinates in [layout, *runs.values()])


def test_the_autoencoder_reconstructs_better_but_is_no_better_a_feature_set(loans, seed):
    X, y, _ = loans
    start(seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        codes = compare_codes(X, y, code_size=4, seed=seed)
    assert fold_difference(codes, "reconstruction MSE", "autoencoder", "PCA").high < 0
    assert fold_difference(codes, "ROC-AUC", "autoencoder", "PCA").verdict != "better"
    assert fold_difference(codes, "ROC-AUC", "PCA", "all columns").high < 0
    assert fold_difference(codes, "ROC-AUC", "autoencoder", "all columns").high < 0

    errors = []
    for train, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=seed).split(X, y):
        scaler = StandardScaler().fit(X.iloc[train])
        seen, unseen = scaler.transform(X.iloc[train]), scaler.transform(X.iloc[test])
        directions = PCA().fit(seen).components_
        errors.append([np.mean((unseen @ directions[:k].T @ directions[:k] - unseen) ** 2) for k in range(1, 17)])
    network_error = codes.loc[codes["method"] == "autoencoder", "reconstruction MSE"].mean()
    assert np.mean(errors, axis=0)[4 - 1] > network_error  # PCA needs more than 4 components to match it
