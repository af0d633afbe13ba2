"""Compare hyperparameter search strategies on the same objective and the same budget.

SageMaker Automatic Model Tuning offers grid, random, Bayesian and Hyperband strategies. This module
runs the first three locally through optuna, so that every strategy calls the *same* objective
function the *same* number of times, and records the best score found after each trial::

    from labkit.tuning import tuning_curves
    curves = tuning_curves(objective, grid=grid, n_trials=30, seeds=[0, 1, 2])

`objective` is an ordinary optuna objective: it takes a trial, asks it for hyperparameters with
``trial.suggest_*`` and returns a validation score.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import optuna
import pandas as pd

from labkit.errors import MessageKeyError

STRATEGIES = ("grid", "random", "bayesian")
DIRECTIONS = ("maximize", "minimize")


class UnknownStrategyError(MessageKeyError):
    """The strategy name is not one of `STRATEGIES`."""


def _check_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'maximize' or 'minimize', got {direction!r}")


def best_so_far(values: Iterable[float], direction: str = "maximize") -> np.ndarray:
    """The best value seen up to and including each trial (a running maximum or minimum).

    >>> best_so_far([0.7, 0.6, 0.8, 0.75]).tolist()
    [0.7, 0.7, 0.8, 0.8]
    """
    _check_direction(direction)
    array = np.asarray(list(values), dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError("best_so_far needs a non-empty sequence of trial values; the study ran no trial")
    if np.isnan(array).any():
        position = int(np.flatnonzero(np.isnan(array))[0])
        raise ValueError(f"trial value {position} is NaN; drop failed trials before computing the curve")
    running = np.maximum if direction == "maximize" else np.minimum
    return running.accumulate(array)


def grid_size(grid: Mapping[str, Sequence]) -> int:
    """The number of combinations in a grid of hyperparameter values."""
    if not grid:
        raise ValueError("the grid is empty; give at least one hyperparameter with a list of values")
    empty = [name for name, values in grid.items() if len(values) == 0]
    if empty:
        raise ValueError(f"grid values for {', '.join(empty)} are empty; give each hyperparameter at least one value")
    return math.prod(len(values) for values in grid.values())


def make_sampler(strategy: str, seed: int, grid: Mapping[str, Sequence] | None = None) -> optuna.samplers.BaseSampler:
    """The optuna sampler that plays the part of one SageMaker AMT strategy.

    - ``"grid"``: `GridSampler` over `grid` (every combination once, in a seeded order);
    - ``"random"``: `RandomSampler`, independent draws from the objective's ranges;
    - ``"bayesian"``: `TPESampler`, which models good and bad trials seen so far.
    """
    if strategy not in STRATEGIES:
        raise UnknownStrategyError(f"Unknown strategy {strategy!r}. Choose one of: {', '.join(STRATEGIES)}.")
    if strategy == "grid":
        if grid is None:
            raise ValueError("the 'grid' strategy needs grid={name: [values, ...]}")
        grid_size(grid)
        return optuna.samplers.GridSampler({name: list(values) for name, values in grid.items()}, seed=seed)
    if strategy == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def run_study(
    objective: Callable[[optuna.Trial], float],
    strategy: str,
    n_trials: int,
    seed: int = 0,
    grid: Mapping[str, Sequence] | None = None,
    direction: str = "maximize",
) -> optuna.Study:
    """Run one optuna study of `n_trials` trials with the sampler of `strategy`."""
    _check_direction(direction)
    if n_trials < 1:
        raise ValueError(f"n_trials must be at least 1, got {n_trials}")
    sampler = make_sampler(strategy, seed, grid)
    if strategy == "grid" and n_trials > grid_size(grid):
        raise ValueError(
            f"the grid has {grid_size(grid)} combinations but n_trials is {n_trials}: grid search cannot spend "
            "the budget; add grid values or lower n_trials so that every strategy gets the same budget"
        )
    study = optuna.create_study(direction=direction, sampler=sampler)
    study.optimize(objective, n_trials=n_trials)
    return study


def tuning_curves(
    objective: Callable[[optuna.Trial], float],
    grid: Mapping[str, Sequence],
    n_trials: int,
    seeds: Sequence[int] = (0,),
    strategies: Sequence[str] = STRATEGIES,
    direction: str = "maximize",
) -> pd.DataFrame:
    """Run every strategy with every seed on the same objective and budget.

    Returns one row per trial with columns ``strategy``, ``seed``, ``trial`` (1-based), the trial's
    ``value``, the ``best_so_far`` and the trial's hyperparameters (one column each).
    """
    if len(seeds) == 0:
        raise ValueError("seeds is empty; give at least one seed, e.g. seeds=[0]")
    if len(strategies) == 0:
        raise ValueError(f"strategies is empty; choose from {', '.join(STRATEGIES)}")
    for strategy in strategies:
        make_sampler(strategy, 0, grid)  # fail on a bad name before spending any budget
    rows = []
    for strategy, seed in itertools.product(strategies, seeds):
        study = run_study(objective, strategy, n_trials, seed=seed, grid=grid, direction=direction)
        trials = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
        curve = best_so_far([t.value for t in trials], direction)
        for number, (trial, best) in enumerate(zip(trials, curve, strict=True), start=1):
            rows.append(
                {"strategy": strategy, "seed": seed, "trial": number, "value": trial.value, "best_so_far": best}
                | trial.params
            )
    return pd.DataFrame(rows)


def curve_summary(curves: pd.DataFrame, checkpoints: Sequence[int]) -> pd.DataFrame:
    """Mean, minimum and maximum of `best_so_far` across seeds at each checkpoint trial, per strategy.

    `curves` is the frame `tuning_curves` returns. The result has one row per strategy and one
    column per statistic and checkpoint, e.g. ``("mean", 10)``.
    """
    required = {"strategy", "seed", "trial", "best_so_far"}
    missing = required - set(curves.columns)
    if missing:
        raise KeyError(f"curves lacks column(s) {', '.join(sorted(missing))}; pass the frame tuning_curves returns")
    if len(checkpoints) == 0:
        raise ValueError("checkpoints is empty; give trial numbers such as [5, 10, 30]")
    last = int(curves["trial"].max())
    beyond = [c for c in checkpoints if not 1 <= c <= last]
    if beyond:
        raise ValueError(f"checkpoints {beyond} lie outside trials 1..{last}")
    at = curves[curves["trial"].isin(checkpoints)]
    table = at.pivot_table(index="strategy", columns="trial", values="best_so_far", aggfunc=["mean", "min", "max"])
    return table.reindex([s for s in STRATEGIES if s in table.index])
