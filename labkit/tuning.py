"""Lab 05's measurement harness: search strategies compared over seeds, and fold-to-fold spread.

SageMaker Automatic Model Tuning offers grid, random, Bayesian and Hyperband strategies. The lab
creates its optuna studies itself (the study, its sampler and its pruner are the lesson); this
module keeps the plumbing around them: the sampler that plays each strategy, the best-so-far
curves of many studies, per-seed statistics and their paired intervals::

    from labkit.tuning import make_sampler, study_curves
    studies = {}
    for seed in (0, 1, 2):
        study = optuna.create_study(direction="minimize", sampler=make_sampler("random", seed))
        study.optimize(objective, n_trials=30)
        studies["random", seed] = study
    curves = study_curves(studies, direction="minimize")

`tuning_curves` does the same loop in one call. `fold_auc_spread` measures how much a
cross-validation splitter alone moves the fold scores of fixed predictions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import optuna
import pandas as pd
from scipy import stats

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


def suggest_hyperparameters(trial: optuna.Trial) -> dict[str, float]:
    """The search space of Lab 05: five hyperparameters of gradient boosting, with wide ranges."""
    return {
        "learning_rate": trial.suggest_float("learning_rate", 1e-3, 1.0, log=True),
        "max_leaf_nodes": trial.suggest_int("max_leaf_nodes", 2, 128, log=True),
        "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 1000, log=True),
        "l2_regularization": trial.suggest_float("l2_regularization", 1e-3, 1e3, log=True),
        "max_features": trial.suggest_float("max_features", 0.05, 1.0),
    }


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


def _curve_rows(study: optuna.Study, strategy: str, seed: int, direction: str) -> list[dict[str, Any]]:
    """One row per completed trial of `study`, with the best value so far."""
    trials = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not trials:
        raise ValueError(f"the study of {strategy!r} with seed {seed} has no completed trial; run study.optimize first")
    curve = best_so_far([t.value for t in trials], direction)
    return [
        {"strategy": strategy, "seed": seed, "trial": number, "value": trial.value, "best_so_far": best} | trial.params
        for number, (trial, best) in enumerate(zip(trials, curve, strict=True), start=1)
    ]


def study_curves(studies: Mapping[tuple[str, int], optuna.Study], direction: str = "maximize") -> pd.DataFrame:
    """The best-so-far curves of studies keyed by ``(strategy, seed)``, one row per completed trial.

    Columns: ``strategy``, ``seed``, ``trial`` (1-based), the trial's ``value``, the ``best_so_far``
    and the trial's hyperparameters (one column each). Pruned and failed trials are left out.
    """
    _check_direction(direction)
    if not studies:
        raise ValueError("studies is empty; pass {(strategy, seed): study, ...} with at least one study")
    rows = []
    for key, study in studies.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"study keys must be (strategy, seed) pairs, got {key!r}")
        if not isinstance(study, optuna.Study):
            raise TypeError(f"studies[{key!r}] must be an optuna Study, got {type(study).__name__}")
        rows.extend(_curve_rows(study, key[0], key[1], direction))
    return pd.DataFrame(rows)


def tuning_curves(
    objective: Callable[[optuna.Trial], float],
    grid: Mapping[str, Sequence],
    n_trials: int,
    seeds: Sequence[int] = (0,),
    strategies: Sequence[str] = STRATEGIES,
    direction: str = "maximize",
) -> pd.DataFrame:
    """Run every strategy with every seed on the same objective and budget.

    Returns the frame `study_curves` returns: one row per trial with columns ``strategy``, ``seed``,
    ``trial`` (1-based), the trial's ``value``, the ``best_so_far`` and the hyperparameters.
    """
    if len(seeds) == 0:
        raise ValueError("seeds is empty; give at least one seed, e.g. seeds=[0]")
    if len(strategies) == 0:
        raise ValueError(f"strategies is empty; choose from {', '.join(STRATEGIES)}")
    for strategy in strategies:
        make_sampler(strategy, 0, grid)  # fail on a bad name before spending any budget
    studies = {
        (strategy, seed): run_study(objective, strategy, n_trials, seed=seed, grid=grid, direction=direction)
        for strategy, seed in itertools.product(strategies, seeds)
    }
    return study_curves(studies, direction)


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


def seed_statistics(curves: pd.DataFrame, startup: int, within: float, direction: str = "maximize") -> pd.DataFrame:
    """Per ``(strategy, seed)``: the final best, the median of the trials after `startup`, and how
    many of those later trials came within `within` of the best value of *all* the runs.

    `curves` is the frame `study_curves` returns. `startup` is the number of opening trials to leave
    out (TPE's random start-up trials, for instance); `within` is in the objective's unit.
    """
    _check_direction(direction)
    missing = {"strategy", "seed", "trial", "value", "best_so_far"} - set(curves.columns)
    if missing:
        raise KeyError(f"curves lacks column(s) {', '.join(sorted(missing))}; pass the frame study_curves returns")
    if curves.empty:
        raise ValueError("curves is empty; run the studies first")
    shortest = int(curves.groupby(["strategy", "seed"])["trial"].max().min())
    if not 0 <= startup < shortest:
        raise ValueError(f"startup={startup} must be zero or more and leave trials in every run (the shortest has "
                         f"{shortest})")
    if within < 0:
        raise ValueError(f"within must be zero or positive, got {within}")
    best = curves["value"].max() if direction == "maximize" else curves["value"].min()
    near = (curves["value"] >= best - within) if direction == "maximize" else (curves["value"] <= best + within)
    later = curves["trial"] > startup
    runs = curves.assign(near=near & later).groupby(["strategy", "seed"], sort=False)
    table = pd.DataFrame({
        "final best": runs["best_so_far"].last(),
        "later median": curves[later].groupby(["strategy", "seed"], sort=False)["value"].median(),
        "later near best": runs["near"].sum().astype(int),
    })
    return table


def seed_interval(differences: Iterable[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of paired per-seed differences and its Student t interval: ``(mean, low, high)``.

    Each difference compares two strategies run with the same seed (for example random search's
    final best minus Bayesian search's). With few seeds the interval is wide, as it should be.
    """
    values = np.asarray(list(differences), dtype=float)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"need at least two paired differences (one per seed), got {values.size}")
    if not np.isfinite(values).all():
        raise ValueError("differences hold NaN or infinity; compare runs that completed")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (for example 0.95), got {confidence}")
    mean = float(values.mean())
    half = float(stats.t.ppf((1 + confidence) / 2, df=values.size - 1) * values.std(ddof=1) / math.sqrt(values.size))
    return mean, mean - half, mean + half


def roc_auc(labels: Iterable[int], scores: Iterable[float]) -> float:
    """ROC AUC from ranks (Mann-Whitney): the same value as scikit-learn's, ties counted as halves."""
    y = np.asarray(list(labels) if not isinstance(labels, np.ndarray) else labels)
    s = np.asarray(list(scores) if not isinstance(scores, np.ndarray) else scores, dtype=float)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError(f"labels and scores must be 1-D and of the same length, got {y.shape} and {s.shape}")
    positives = int((y == 1).sum())
    negatives = int((y == 0).sum())
    if positives + negatives != y.size:
        raise ValueError("labels must be coded 0 and 1")
    if positives == 0 or negatives == 0:
        raise ValueError("ROC AUC needs both classes among the rows; this fold holds only one")
    ranks = stats.rankdata(s)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def fold_auc_spread(
    labels: Iterable[int],
    scores: Iterable[float],
    splitter: Callable[[int], Any],
    repetitions: int,
) -> pd.DataFrame:
    """How much the split alone moves the fold AUCs of *fixed* scores.

    For each repetition ``r`` the rows are split with ``splitter(r)`` (for example
    ``lambda r: StratifiedKFold(10, shuffle=True, random_state=r)``) and each held-out fold is scored
    with the same `scores` (out-of-fold predictions, so that no model is refitted). Returns one row
    per repetition: the standard deviation of the fold AUCs (``fold AUC std``, ddof=1) and the
    fewest and most positives a fold held.
    """
    y = np.asarray(list(labels) if not isinstance(labels, np.ndarray) else labels)
    s = np.asarray(list(scores) if not isinstance(scores, np.ndarray) else scores, dtype=float)
    if y.shape != s.shape:
        raise ValueError(f"labels and scores must have the same length, got {y.shape} and {s.shape}")
    if repetitions < 2:
        raise ValueError(f"repetitions must be at least 2 to show a spread, got {repetitions}")
    if not callable(splitter):
        raise TypeError("splitter must be a function of the repetition number that returns a splitter, "
                        "e.g. lambda r: KFold(10, shuffle=True, random_state=r)")
    rows = []
    for repetition in range(repetitions):
        folds = list(splitter(repetition).split(np.zeros((y.size, 1)), y))
        aucs = [roc_auc(y[held], s[held]) for _, held in folds]
        positives = [int(y[held].sum()) for _, held in folds]
        rows.append({"repetition": repetition, "fold AUC std": float(np.std(aucs, ddof=1)),
                     "fewest positives": min(positives), "most positives": max(positives)})
    return pd.DataFrame(rows).set_index("repetition")


def seed_advantage(
    per_seed: pd.DataFrame, strategy: str, baseline: str, direction: str = "maximize", confidence: float = 0.95
) -> pd.DataFrame:
    """How much better `strategy` did than `baseline` with the same seeds, per statistic of `seed_statistics`.

    Positive means `strategy` did better: a lower final best and later median when minimising (higher
    when maximising), and more trials near the best. One row per statistic with the mean of the paired
    per-seed differences, its t interval (`seed_interval`) and a verdict: ``"<strategy> better"`` when
    the interval is above zero, ``"<baseline> better"`` when below, else ``"within noise"``.
    """
    _check_direction(direction)
    strategies = set(per_seed.index.get_level_values(0))
    for name in (strategy, baseline):
        if name not in strategies:
            raise KeyError(f"per_seed has no strategy {name!r}; it has {', '.join(sorted(strategies))}")
    sign = 1.0 if direction == "maximize" else -1.0
    rows = {}
    for column, orientation in (("final best", sign), ("later median", sign), ("later near best", 1.0)):
        differences = (per_seed.loc[strategy, column] - per_seed.loc[baseline, column]) * orientation
        differences = differences.dropna()
        mean, low, high = seed_interval(differences.to_numpy(), confidence)
        verdict = f"{strategy} better" if low > 0 else f"{baseline} better" if high < 0 else "within noise"
        rows[column] = {"mean": mean, "low": low, "high": high, "verdict": verdict}
    return pd.DataFrame(rows).T.astype({"mean": float, "low": float, "high": float})
