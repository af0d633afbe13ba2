"""Lab 06's conclusions hold under seeds the lab does not use (CONTRIBUTING.md, "Conclusions survive another seed").

Each seed (1 and 2; the lab uses 0) draws new fit, validation and test rows and new models, then
recomputes the claims of the lab's Summary with the lab's settings and its `labkit.compression`
functions: what gzip takes off, cost-complexity pruning chosen on validation data, data types and
int8, magnitude pruning and where zeros save space, ONNX, and distillation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import sparse
from skl2onnx import to_onnx
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from labkit.compression import (
    bootstrap_auc_differences,
    dequantize,
    quantize_int8,
    serialized_size,
    shipped_size,
)
from labkit.datasets import load_dataset
from labkit.lab import start
from labkit.yourturn.lab06 import magnitude_prune, pruned_auc_loss

SEEDS = (1, 2)
FOREST = {"n_estimators": 100, "min_samples_leaf": 5, "n_jobs": 1}
MLP = {"hidden_layer_sizes": (64, 32), "batch_size": 500, "learning_rate_init": 0.003, "max_iter": 500}
CCP_ALPHAS = (1e-4, 3e-4, 1e-3, 3e-3)
AUC_TOLERANCE = 0.005


def _forward(coefs, intercepts, rows):
    activation = rows.astype(np.float64)
    for layer, (weights, bias) in enumerate(zip(coefs, intercepts, strict=True)):
        activation = activation @ weights + bias
        if layer < len(coefs) - 1:
            activation = np.maximum(activation, 0)
    return activation[:, 0]


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def run(request):
    """The lab's pipeline with another seed: splits, teachers, pruned forests, networks and students."""
    seed = request.param
    start(seed=seed)
    loans = load_dataset("lending_club")
    y = (loans["Class"] == "bad").astype(int).to_numpy()
    raw = loans.drop(columns=["Class", "addr_state"])
    one_hot = ["term", "verification_status", "emp_length"]
    numeric = [c for c in raw.columns if c not in [*one_hot, "sub_grade"]]
    grades = [f"{letter}{number}" for letter in "ABCDEFG" for number in range(1, 6)]
    train, test, y_train, y_test = train_test_split(raw, y, test_size=0.25, stratify=y, random_state=seed)
    fit, valid, y_fit, y_valid = train_test_split(train, y_train, test_size=0.25, stratify=y_train, random_state=seed)
    encode = ColumnTransformer([("numeric", StandardScaler(), numeric),
                                ("grade", OrdinalEncoder(categories=[grades]), ["sub_grade"]),
                                ("one_hot", OneHotEncoder(sparse_output=False), one_hot)])
    X_fit = encode.fit_transform(fit).astype(np.float32)
    X_valid, X_test = (encode.transform(part).astype(np.float32) for part in (valid, test))

    forest = RandomForestClassifier(**FOREST, random_state=seed, oob_score=True).fit(X_fit, y_fit)
    soft = forest.oob_decision_function_[:, 1].copy()
    del forest.oob_decision_function_, forest.oob_score_
    teacher_valid = roc_auc_score(y_valid, forest.predict_proba(X_valid)[:, 1])
    # The lab's rule, the strongest pruning within the tolerance on validation rows, tried strongest first.
    for alpha in sorted(CCP_ALPHAS, reverse=True):
        chosen = RandomForestClassifier(**FOREST, random_state=seed, ccp_alpha=alpha).fit(X_fit, y_fit)
        if roc_auc_score(y_valid, chosen.predict_proba(X_valid)[:, 1]) >= teacher_valid - AUC_TOLERANCE:
            break

    networks, converged = {}, {}
    for alpha in (0.1, 3.0):  # the lab's weakest candidate and the penalty its validation rows chose
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            networks[alpha] = MLPClassifier(alpha=alpha, random_state=seed, **MLP).fit(X_fit.astype(np.float64), y_fit)
        converged[alpha] = not any(issubclass(w.category, ConvergenceWarning) for w in caught)

    depths = (2, 3, 4, 5, 6, 8)
    hard = {d: roc_auc_score(y_valid, DecisionTreeClassifier(max_depth=d, random_state=0).fit(X_fit, y_fit)
                             .predict_proba(X_valid)[:, 1]) for d in depths}
    soft_students = {d: DecisionTreeRegressor(max_depth=d, random_state=0).fit(X_fit, soft) for d in depths}
    soft_valid = {d: roc_auc_score(y_valid, m.predict(X_valid)) for d, m in soft_students.items()}
    return {"seed": seed, "X_fit": X_fit, "X_valid": X_valid, "X_test": X_test, "y_fit": y_fit, "y_valid": y_valid,
            "y_test": y_test, "forest": forest, "forest_shipped": shipped_size(forest), "chosen": chosen,
            "networks": networks,
            "converged": converged, "hard": hard, "soft_valid": soft_valid, "soft_students": soft_students}


def test_gzip_takes_most_off_a_forest_and_little_off_float_weights(run):
    forest, network = run["forest"], run["networks"][3.0]
    weights = {"coefs": network.coefs_, "intercepts": network.intercepts_}
    assert serialized_size(forest) / run["forest_shipped"] > 2.5
    assert serialized_size(weights) / shipped_size(weights) < 1.2


def test_pruning_chosen_on_validation_is_much_smaller_and_not_measurably_worse(run):
    forest, chosen, X_test, y_test = run["forest"], run["chosen"], run["X_test"], run["y_test"]
    assert run["forest_shipped"] / shipped_size(chosen) > 10
    change = bootstrap_auc_differences(y_test, {"pruned": chosen.predict_proba(X_test)[:, 1]},
                                       forest.predict_proba(X_test)[:, 1], seed=run["seed"])["pruned"]
    assert change.high > 0, change


def test_smaller_data_types_and_int8_keep_the_auc(run):
    network, X_test, y_test = run["networks"][3.0], run["X_test"], run["y_test"]
    full = _forward(network.coefs_, network.intercepts_, X_test)
    variants = {
        "float16": _forward([w.astype(np.float16).astype(np.float32) for w in network.coefs_],
                            network.intercepts_, X_test),
        "int8": _forward([dequantize(*quantize_int8(w)) for w in network.coefs_], network.intercepts_, X_test),
    }
    for name, change in bootstrap_auc_differences(y_test, variants, full, seed=run["seed"]).items():
        assert abs(change.mean) < 0.002 and change.low < 0.001, (name, change)


def test_networks_converge_and_pruning_costs_the_weak_penalty_more(run):
    assert all(run["converged"].values()), run["converged"]
    weak = pruned_auc_loss(run["networks"][0.1], 0.9, run["X_valid"], run["y_valid"])
    strong = pruned_auc_loss(run["networks"][3.0], 0.9, run["X_valid"], run["y_valid"])
    assert weak < strong, (weak, strong)


def test_zeros_ship_at_the_same_size_dense_or_sparse_but_only_sparse_saves_memory(run):
    network = run["networks"][3.0]
    for share in (0.5, 0.9):
        dense = magnitude_prune(network.coefs_, share)
        csr = [sparse.csr_array(w) for w in dense]
        dense_shipped = shipped_size({"coefs": dense, "intercepts": network.intercepts_})
        csr_shipped = shipped_size({"coefs": csr, "intercepts": network.intercepts_})
        assert abs(dense_shipped / csr_shipped - 1) < 0.25, (share, dense_shipped, csr_shipped)
    memory_csr = sum(w.data.nbytes + w.indices.nbytes + w.indptr.nbytes for w in csr)
    assert memory_csr < sum(w.nbytes for w in dense) / 3


def test_onnx_ships_the_forest_smaller_with_the_same_predictions(run):
    import onnxruntime as ort

    forest, X_test = run["forest"], run["X_test"]
    graph = to_onnx(forest, X_test[:1], options={id(forest): {"zipmap": False}},
                    target_opset={"": 17, "ai.onnx.ml": 3}).SerializeToString()
    session = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    probabilities = session.run(["probabilities"], {"X": X_test})[0][:, 1]
    assert np.abs(probabilities - forest.predict_proba(X_test)[:, 1]).max() < 1e-5
    assert run["forest_shipped"] / shipped_size(graph, "model.onnx") > 2


def test_soft_targets_teach_trees_at_least_as_well_and_no_student_is_worse_than_the_forest(run):
    wins = sum(run["soft_valid"][d] > run["hard"][d] for d in run["hard"])
    assert wins >= len(run["hard"]) / 2, (run["soft_valid"], run["hard"])  # at least as often as not
    depth = max(run["soft_valid"], key=run["soft_valid"].get)
    student = run["soft_students"][depth]
    change = bootstrap_auc_differences(run["y_test"], {"student": student.predict(run["X_test"])},
                                       run["forest"].predict_proba(run["X_test"])[:, 1], seed=run["seed"])["student"]
    assert change.high > 0, change
