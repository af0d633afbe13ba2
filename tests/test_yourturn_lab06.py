"""labkit.yourturn.lab06: Lab 06's self-checks say what is wrong, never raise, and accept the worked solutions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from labkit.yourturn.lab06 import check_pruning_loss, check_soft_student, magnitude_prune, pruned_auc_loss


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=800, n_features=10, n_informative=5, weights=[0.8], random_state=0)
    return X[:600], y[:600], X[600:], y[600:]


@pytest.fixture(scope="module")
def networks(data):
    X_fit, y_fit, _, _ = data
    settings = {"hidden_layer_sizes": (32, 16), "max_iter": 2000, "random_state": 0}
    return {alpha: MLPClassifier(alpha=alpha, **settings).fit(X_fit, y_fit) for alpha in (0.0001, 30.0)}


def test_magnitude_prune_zeroes_the_smallest_share_over_all_matrices():
    coefs = [np.array([[0.1, -0.5], [2.0, 0.05]]), np.array([[-0.2], [1.0]])]
    pruned = magnitude_prune(coefs, 0.5)
    assert sum(int((w == 0).sum()) for w in pruned) == 3
    assert pruned[0][1, 0] == 2.0 and pruned[1][1, 0] == 1.0
    with pytest.raises(ValueError, match="share"):
        magnitude_prune(coefs, 1.0)


def test_pruned_auc_loss_is_zero_for_nothing_to_prune(data, networks):
    _, _, X_valid, y_valid = data
    assert pruned_auc_loss(networks[30.0], 0.01, X_valid, y_valid) == pytest.approx(0.0, abs=0.01)


def test_check_pruning_loss_walks_through_the_mistakes(data, networks, capsys):
    _, _, X_valid, y_valid = data
    args = (networks, 30.0, X_valid, y_valid)
    assert check_pruning_loss(None, "larger", *args) is False
    assert "one of [0.0001]" in capsys.readouterr().out
    assert check_pruning_loss(0.0001, None, *args) is False
    assert "`expect` is still the placeholder" in capsys.readouterr().out
    assert check_pruning_loss(30.0, "larger", *args) is False
    assert "other trained networks" in capsys.readouterr().out
    assert check_pruning_loss(0.0001, "bigger", *args) is False
    assert "'larger' or 'smaller'" in capsys.readouterr().out


def test_check_pruning_loss_compares_with_the_measured_direction(data, networks, capsys):
    _, _, X_valid, y_valid = data
    weak = pruned_auc_loss(networks[0.0001], 0.9, X_valid, y_valid)
    strong = pruned_auc_loss(networks[30.0], 0.9, X_valid, y_valid)
    measured = "larger" if weak < strong else "smaller"
    other = "smaller" if measured == "larger" else "larger"
    assert check_pruning_loss(0.0001, measured, networks, 30.0, X_valid, y_valid) is True
    assert capsys.readouterr().out.startswith("Correct: pruning 90% of the weights")
    assert check_pruning_loss(0.0001, other, networks, 30.0, X_valid, y_valid) is False
    assert "Not yet: you expected" in capsys.readouterr().out


def test_check_soft_student(data, capsys):
    X_fit, y_fit, X_valid, _ = data
    soft = DecisionTreeRegressor(max_depth=6, random_state=0).fit(X_fit, y_fit).predict(X_fit) * 0.9 + 0.05
    assert check_soft_student(None, X_fit, soft, X_valid) is False
    assert "still the placeholder" in capsys.readouterr().out
    assert check_soft_student(DecisionTreeClassifier(max_depth=4).fit(X_fit, y_fit), X_fit, soft, X_valid) is False
    assert "a classifier learns the 0/1 labels" in capsys.readouterr().out
    assert check_soft_student(DecisionTreeRegressor(max_depth=4), X_fit, soft, X_valid) is False
    assert "not fitted" in capsys.readouterr().out
    assert check_soft_student(DecisionTreeRegressor(max_depth=3).fit(X_fit, soft), X_fit, soft, X_valid) is False
    assert "max_depth=4" in capsys.readouterr().out
    on_labels = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X_fit, y_fit)
    assert check_soft_student(on_labels, X_fit, soft, X_valid) is False
    assert "soft_targets" in capsys.readouterr().out
    assert check_soft_student("tree", X_fit, soft, X_valid) is False
    assert "got str" in capsys.readouterr().out
    student = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X_fit, soft)
    assert check_soft_student(student, X_fit, soft, X_valid) is True
    assert capsys.readouterr().out.startswith("Correct: a depth-4 regression tree")
