"""Dimensionality reduction, measured: the code Lab 15 shows, and the plumbing it leans on.

Lab 15 compresses the 17 numeric columns of `lending_club` three ways: principal component
analysis (PCA), t-SNE (a picture only) and a small autoencoder (scikit-learn's `MLPRegressor`
trained to reproduce its input). The functions the lab teaches are shown in its cells marked
``#@save labkit.reduction`` and kept identical here (a test compares them):

- `pca_then_logistic`: standardise, keep k principal components, then a logistic regression;
- `autoencoder` and `encode`: the network, and the code of a row (its middle layer's activations).

The rest is plumbing the lab calls: `loan_features` prepares the table; `neighbour_overlap` measures
how many of each point's nearest neighbours two arrangements share, and `group_cohesion` whether a
group of points stays together on a map; `compare_codes` scores PCA against the autoencoder with the
same code size, fold by fold, on held-out reconstruction error and on the ROC-AUC of a model trained
on the codes; `fold_difference` turns two methods' fold scores into a difference with the corrected
resampled t interval of `labkit.features`. `tests/test_conclusions_lab15.py` reuses all of them to
recompute the lab's conclusions under other seeds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import NearestNeighbors
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from labkit.features import DEFAULT_CONFIDENCE, CVScore, Difference, paired_difference, split_features_target

__all__ = [
    "LOGGED_COLUMNS",
    "autoencoder",
    "compare_codes",
    "encode",
    "fold_difference",
    "group_cohesion",
    "loan_features",
    "neighbour_overlap",
    "pca_then_logistic",
]

# The long-tailed money and count columns of lending_club (its datasheet, "Known quirks"), all >= 0.
LOGGED_COLUMNS = (
    "annual_inc", "delinq_2yrs", "inq_last_6mths", "acc_now_delinq", "open_il_6m", "open_il_12m",
    "open_il_24m", "total_bal_il", "inq_fi", "inq_last_12m", "delinq_amnt", "num_il_tl",
    "total_il_high_credit_limit",
)


def loan_features(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """`lending_club`'s numeric columns as floats, the long-tailed ones through log(1 + x), and the label (bad = 1).

    Raises ValueError if a column of LOGGED_COLUMNS is missing, not numeric, or holds a negative value.
    """
    X, y = split_features_target(frame, target="Class", positive="bad")
    numeric = [column for column in X.columns if pd.api.types.is_numeric_dtype(X[column])]
    absent = [column for column in LOGGED_COLUMNS if column not in numeric]
    if absent:
        raise ValueError(f"these long-tailed columns are missing or not numeric: {', '.join(absent)}; "
                         "pass the lending_club table as load_dataset('lending_club') returns it")
    X = X[numeric].astype("float64")
    logged = list(LOGGED_COLUMNS)
    negative = [column for column in logged if (X[column] < 0).any()]
    if negative:
        raise ValueError(f"log(1 + x) needs values of 0 or more; negative values in: {', '.join(negative)}")
    X[logged] = np.log1p(X[logged])
    return X, y


def pca_then_logistic(n_components: int | float | None) -> Pipeline:
    """Standardise the columns, keep `n_components` principal components (None: all), then a logistic regression."""
    return make_pipeline(StandardScaler(), PCA(n_components=n_components), LogisticRegression(max_iter=1000))


def neighbour_overlap(layout: np.ndarray, other: np.ndarray, k: int = 10) -> float:
    """Mean share of each point's `k` nearest neighbours in `layout` that are also among its `k` nearest in `other`.

    1 means both arrangements have the same neighbourhoods; for unrelated layouts of n points it is about k / n.
    """
    layout, other = np.asarray(layout, dtype="float64"), np.asarray(other, dtype="float64")
    if layout.ndim != 2 or other.ndim != 2 or len(layout) != len(other):
        raise ValueError(f"need two 2-D arrays with one row per point, got shapes {layout.shape} and {other.shape}")
    if not 1 <= k < len(layout):
        raise ValueError(f"k must be from 1 to the number of points minus 1 ({len(layout) - 1}), got {k}")
    neighbours = []
    for points in (layout, other):
        found = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points, return_distance=False)
        itself = found == np.arange(len(points))[:, None]
        itself[~itself.any(axis=1), -1] = True  # a duplicate point may hide the point itself: drop the last
        neighbours.append(found[~itself].reshape(len(points), k))
    shared = [len(set(mine) & set(theirs)) for mine, theirs in zip(*neighbours, strict=True)]
    return float(np.mean(shared) / k)


def autoencoder(code_size: int, seed: int) -> MLPRegressor:
    """A small autoencoder: 32 ReLU units, a code of `code_size` units, 32 units, trained to reproduce its input."""
    if isinstance(code_size, bool) or not isinstance(code_size, int | np.integer) or code_size < 1:
        raise ValueError(f"code_size must be a whole number of 1 or more, got {code_size!r}")
    return MLPRegressor(hidden_layer_sizes=(32, code_size, 32), activation="relu", learning_rate_init=0.003,
                        batch_size=256, max_iter=60, random_state=seed)


def encode(network: MLPRegressor, rows: np.ndarray) -> np.ndarray:
    """The code of each row: the activations of the fitted autoencoder's middle layer."""
    weights = getattr(network, "coefs_", None)
    if weights is None or len(weights) % 2 or getattr(network, "activation", None) != "relu":
        raise ValueError("encode needs a fitted ReLU MLPRegressor with an odd number of hidden layers "
                         "(the middle one is the code): fit autoencoder(k, seed) on the rows first")
    hidden = np.asarray(rows, dtype="float64")
    half = len(weights) // 2
    for layer_weights, bias in zip(weights[:half], network.intercepts_[:half], strict=True):
        hidden = np.maximum(hidden @ layer_weights + bias, 0.0)  # ReLU, as in every hidden layer
    return hidden


def compare_codes(X: pd.DataFrame | np.ndarray, y: pd.Series | np.ndarray, code_size: int, seed: int,
                  folds: int = 5, network: Callable[[int, int], MLPRegressor] | None = None) -> pd.DataFrame:
    """PCA and the autoencoder with the same code size, fold by fold: held-out reconstruction error and ROC-AUC.

    In each fold of a stratified split, the scaler, PCA and the network are fitted on training rows only.
    The error is the mean squared difference between held-out rows (standardised) and their
    reconstructions; the ROC-AUC is a logistic regression's, trained on the training rows' codes. The row
    "all columns" is the same model on every standardised column (its reconstruction error is 0).
    `network(code_size, seed)` builds the autoencoder (default: `autoencoder`); it must suit `encode`.
    """
    X, y = np.asarray(X, dtype="float64"), np.asarray(y)
    if not 1 <= code_size < X.shape[1]:
        raise ValueError(f"code_size must be from 1 to {X.shape[1] - 1} (fewer than the columns), got {code_size}")
    results = []
    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(X, y)
    for fold, (train, test) in enumerate(splits):
        scaler = StandardScaler().fit(X[train])
        seen, unseen = scaler.transform(X[train]), scaler.transform(X[test])
        pca = PCA(n_components=code_size).fit(seen)
        net = (network or autoencoder)(code_size, seed).fit(seen, seen)
        codes = {
            "PCA": (pca.transform(seen), pca.transform(unseen), pca.inverse_transform(pca.transform(unseen))),
            "autoencoder": (encode(net, seen), encode(net, unseen), net.predict(unseen)),
            "all columns": (seen, unseen, unseen),
        }
        for method, (train_codes, test_codes, rebuilt) in codes.items():
            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(train_codes, y[train])
            results.append({"fold": fold, "method": method,
                            "reconstruction MSE": float(np.mean((rebuilt - unseen) ** 2)),
                            "ROC-AUC": float(roc_auc_score(y[test], model.decision_function(test_codes)))})
    return pd.DataFrame(results)


def fold_difference(results: pd.DataFrame, metric: str, method: str, reference: str,
                    confidence: float = DEFAULT_CONFIDENCE) -> Difference:
    """`method` minus `reference` on `metric`, fold by fold, with the corrected resampled t interval.

    `results` has the columns fold, method and `metric`, as `compare_codes` returns. With k folds the
    test/train ratio in the correction is 1 / (k - 1) (see `labkit.features.paired_difference`).
    """
    missing = {"fold", "method", metric} - set(results.columns)
    if missing:
        raise ValueError(f"results lacks the column(s) {sorted(missing)}; pass what compare_codes returns")
    table = results.pivot(index="fold", columns="method", values=metric)
    for name in (method, reference):
        if name not in table.columns:
            raise ValueError(f"no method {name!r} in the results; they hold {sorted(table.columns)}")
    folds = len(table)
    if folds < 2:
        raise ValueError("a paired difference needs at least two folds")

    def scores(name: str) -> CVScore:
        return CVScore(tuple(table[name]), scoring=metric, cv=f"{folds} folds", test_train_ratio=1 / (folds - 1))

    return paired_difference(scores(method), scores(reference), confidence)


def group_cohesion(layout: np.ndarray, members: np.ndarray, k: int = 10) -> float:
    """Share of the `members`' `k` nearest neighbours in `layout` that are members too (1: they sit together).

    `members` is a boolean array with one entry per row of `layout`; it must mark at least one row
    and leave at least `k` rows unmarked or marked, so that each member has `k` other points to look at.
    """
    layout, members = np.asarray(layout, dtype="float64"), np.asarray(members)
    if members.dtype != bool or members.shape != (len(layout),):
        raise ValueError(f"members must be a boolean array with one entry per point ({len(layout)}), "
                         f"got {members.dtype} of shape {members.shape}")
    if not members.any() or not 1 <= k < len(layout):
        raise ValueError(f"need at least one member and k from 1 to {len(layout) - 1}, got "
                         f"{int(members.sum())} members and k={k}")
    found = NearestNeighbors(n_neighbors=k + 1).fit(layout).kneighbors(layout[members], return_distance=False)
    itself = found == np.flatnonzero(members)[:, None]
    itself[~itself.any(axis=1), -1] = True  # a duplicate point may hide the point itself: drop the last
    return float(members[found[~itself].reshape(len(found), k)].mean())
