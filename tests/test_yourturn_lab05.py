"""labkit.yourturn.lab05: Lab 05's self-checks say what is wrong, never raise, and accept the worked solutions."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.tree import DecisionTreeClassifier

from labkit.yourturn.lab05 import check_leaf_size, check_random_study

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture(scope="module")
def trees():
    X, y = make_classification(n_samples=600, n_features=8, n_informative=4, flip_y=0.1, random_state=0)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    deep = cross_validate(DecisionTreeClassifier(max_depth=15, random_state=0), X, y, cv=folds,
                          scoring="roc_auc", return_train_score=True)
    return X, y, folds, float(deep["train_score"].mean() - deep["test_score"].mean())


def test_check_leaf_size_placeholder_and_bad_values(trees, capsys):
    X, y, folds, gap = trees
    assert check_leaf_size(None, "smaller", X, y, folds, gap) is False
    assert "Not yet: `leaf_rows` is still the placeholder" in capsys.readouterr().out
    assert check_leaf_size(50, None, X, y, folds, gap) is False
    assert "`expect` is still the placeholder" in capsys.readouterr().out
    assert check_leaf_size(2.5, "smaller", X, y, folds, gap) is False
    assert "whole number" in capsys.readouterr().out
    assert check_leaf_size(1, "smaller", X, y, folds, gap) is False
    assert "between 2 and" in capsys.readouterr().out
    assert check_leaf_size(50, "lower", X, y, folds, gap) is False
    assert "'larger' or 'smaller'" in capsys.readouterr().out


def test_check_leaf_size_compares_the_measured_direction(trees, capsys):
    X, y, folds, gap = trees
    assert check_leaf_size(50, "smaller", X, y, folds, gap) is True
    assert capsys.readouterr().out.startswith("Correct: with min_samples_leaf=50")
    assert check_leaf_size(50, "larger", X, y, folds, gap) is False
    assert "Not yet: you expected that the gap grows" in capsys.readouterr().out


def _objective(trial):
    return (trial.suggest_float("x", -1.0, 1.0) - 0.2) ** 2


def test_check_random_study_walks_through_the_mistakes(capsys):
    assert check_random_study(None, 4) is False
    assert "still the placeholder" in capsys.readouterr().out
    assert check_random_study("study", 4) is False
    assert "got str" in capsys.readouterr().out
    tpe = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=0))
    assert check_random_study(tpe, 4) is False
    assert "its sampler is TPESampler" in capsys.readouterr().out
    upward = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    assert check_random_study(upward, 4) is False
    assert "maximises" in capsys.readouterr().out
    short = optuna.create_study(direction="minimize", sampler=optuna.samplers.RandomSampler(seed=0))
    short.optimize(_objective, n_trials=2)
    assert check_random_study(short, 4) is False
    assert "holds 2 completed trials" in capsys.readouterr().out
    short.optimize(_objective, n_trials=2)
    assert check_random_study(short, 4) is True
    assert capsys.readouterr().out.startswith("Correct: random search with 4 trials")


def test_checks_never_raise_on_odd_input(trees, capsys):
    X, y, folds, gap = trees
    for leaf_rows, expect in [(np.int64(20), "smaller"), (True, "smaller"), ("50", "smaller"), (50, 3)]:
        assert check_leaf_size(leaf_rows, expect, X, y, folds, gap) in (True, False)
    assert check_random_study(object(), 4) is False
    capsys.readouterr()
