"""Self-checks of Lab 05's "Your turn" tasks whose expected answer the notebook must not show.

Each check prints one line that starts with ``Correct`` or ``Not yet`` and returns True or False;
it never raises, whatever the learner wrote (see `labkit.yourturn`).
"""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
from sklearn.model_selection import BaseCrossValidator, cross_validate
from sklearn.tree import DecisionTreeClassifier

from labkit.yourturn import _not_yet, _say, not_written

__all__ = ["check_leaf_size", "check_random_study"]

DIRECTIONS = {"larger": "the gap grows", "smaller": "the gap shrinks"}
DEPTH = 15


def check_leaf_size(
    leaf_rows: object,
    expect: object,
    X: pd.DataFrame | np.ndarray,
    y: np.ndarray,
    folds: BaseCrossValidator,
    reference_gap: float,
) -> bool:
    """The learner sets a minimum leaf size for the depth-15 tree and predicts whether the train-validation gap grows.

    The check cross-validates ``DecisionTreeClassifier(max_depth=15, min_samples_leaf=leaf_rows)`` on
    the lab's `folds` and compares its gap (mean training AUC minus mean validation AUC) with
    `reference_gap`, the gap of the default tree (``min_samples_leaf=1``).
    """
    if not_written(leaf_rows):
        return _not_yet("leaf_rows", "Set it to a minimum leaf size larger than 1, for example 50.")
    if not_written(expect):
        return _not_yet("expect", "Set it to 'larger' or 'smaller': how will the gap at depth 15 change?")
    if isinstance(leaf_rows, bool) or not isinstance(leaf_rows, int | np.integer):
        return _say(False, f"Not yet: `leaf_rows` should be a whole number of rows, got {type(leaf_rows).__name__}.")
    if not 2 <= int(leaf_rows) <= len(y) // 4:
        return _say(False, f"Not yet: choose `leaf_rows` between 2 and {len(y) // 4}, got {leaf_rows}.")
    if expect not in DIRECTIONS:
        return _say(False, f"Not yet: `expect` should be 'larger' or 'smaller', got {expect!r}.")
    tree = DecisionTreeClassifier(max_depth=DEPTH, min_samples_leaf=int(leaf_rows), random_state=0)
    scores = cross_validate(tree, X, y, cv=folds, scoring="roc_auc", return_train_score=True, n_jobs=1)
    train, valid = float(scores["train_score"].mean()), float(scores["test_score"].mean())
    measured = "larger" if train - valid > reference_gap else "smaller"
    shown = (f"with min_samples_leaf={leaf_rows} the depth-{DEPTH} tree scores {train:.3f} on its training folds "
             f"and {valid:.3f} on validation, a gap of {train - valid:.3f} against {reference_gap:.3f}.")
    if expect == measured:
        return _say(True, f"Correct: {shown}")
    return _say(False, f"Not yet: you expected that {DIRECTIONS[expect]}, but {shown} Open the solution.")


def check_random_study(study: object, budget: int) -> bool:
    """The learner writes the study of random search: seed 0, minimising, `budget` completed trials."""
    if not_written(study):
        return _not_yet("random_study", "Create the study with optuna.create_study(...) and run it with .optimize.")
    if not isinstance(study, optuna.Study):
        return _say(False, f"Not yet: `random_study` should be the Study that optuna.create_study returns, "
                           f"got {type(study).__name__}.")
    if not isinstance(study.sampler, optuna.samplers.RandomSampler):
        return _say(False, f"Not yet: its sampler is {type(study.sampler).__name__}; random search draws every trial "
                           "independently of the others. Which sampler in the table does that?")
    if study.direction != optuna.study.StudyDirection.MINIMIZE:
        return _say(False, "Not yet: the study maximises, but the objective is a log loss, where lower is better. "
                           "Pass direction=... to create_study.")
    completed = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(completed) != budget:
        return _say(False, f"Not yet: the study holds {len(completed)} completed trials; give it the same budget as "
                           f"the others, {budget} (n_trials=... in optimize).")
    return _say(True, f"Correct: random search with {budget} trials; its best validation log loss is "
                      f"{study.best_value:.4f}.")
