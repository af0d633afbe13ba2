"""labkit.tuning: best-so-far curves and equal-budget comparisons of search strategies."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from labkit.tuning import (
    STRATEGIES,
    UnknownStrategyError,
    best_so_far,
    curve_summary,
    grid_size,
    make_sampler,
    run_study,
    tuning_curves,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)

GRID = {"x": [-2.0, -1.0, 0.0, 1.0, 2.0], "y": [0, 1]}


def quadratic(trial: optuna.Trial) -> float:
    """Maximised at x = 0.5, y = 1; cheap and deterministic."""
    x = trial.suggest_float("x", -2.0, 2.0)
    y = trial.suggest_int("y", 0, 1)
    return -((x - 0.5) ** 2) + y


def test_best_so_far_is_a_running_maximum_or_minimum():
    assert best_so_far([0.7, 0.6, 0.8, 0.75]).tolist() == [0.7, 0.7, 0.8, 0.8]
    assert best_so_far([3, 4, 1, 2], direction="minimize").tolist() == [3, 3, 1, 1]


def test_best_so_far_never_gets_worse():
    values = np.random.default_rng(0).normal(size=50)
    curve = best_so_far(values)
    assert (np.diff(curve) >= 0).all() and curve[-1] == values.max()


@pytest.mark.parametrize("values", [[], np.array([])])
def test_best_so_far_rejects_an_empty_trial_list(values):
    with pytest.raises(ValueError, match="non-empty"):
        best_so_far(values)


def test_best_so_far_rejects_nan_and_a_bad_direction():
    with pytest.raises(ValueError, match="trial value 1 is NaN"):
        best_so_far([0.5, float("nan")])
    with pytest.raises(ValueError, match="maximize"):
        best_so_far([0.5], direction="up")


def test_unknown_strategy_names_the_known_ones():
    with pytest.raises(UnknownStrategyError, match="Unknown strategy 'hyperband'.*grid, random, bayesian"):
        make_sampler("hyperband", seed=0)
    with pytest.raises(KeyError):  # also a KeyError, for callers that catch lookups
        make_sampler("Bayesian", seed=0)


def test_grid_strategy_needs_a_non_empty_grid():
    with pytest.raises(ValueError, match="needs grid"):
        make_sampler("grid", seed=0)
    with pytest.raises(ValueError, match="empty"):
        grid_size({})
    with pytest.raises(ValueError, match="y are empty"):
        grid_size({"x": [1], "y": []})
    assert grid_size(GRID) == 10


@pytest.mark.parametrize(
    "strategy, kind",
    [
        ("grid", optuna.samplers.GridSampler),
        ("random", optuna.samplers.RandomSampler),
        ("bayesian", optuna.samplers.TPESampler),
    ],
)
def test_each_strategy_maps_to_its_optuna_sampler(strategy, kind):
    assert isinstance(make_sampler(strategy, seed=0, grid=GRID), kind)


def test_run_study_refuses_a_budget_the_grid_cannot_spend():
    with pytest.raises(ValueError, match="grid has 10 combinations but n_trials is 11"):
        run_study(quadratic, "grid", n_trials=11, grid=GRID)
    with pytest.raises(ValueError, match="n_trials must be at least 1"):
        run_study(quadratic, "random", n_trials=0)


def test_grid_search_visits_every_combination_once():
    study = run_study(quadratic, "grid", n_trials=10, seed=3, grid=GRID)
    visited = {(t.params["x"], t.params["y"]) for t in study.trials}
    assert len(visited) == 10


def test_tuning_curves_gives_every_strategy_the_same_budget():
    curves = tuning_curves(quadratic, grid=GRID, n_trials=10, seeds=[0, 1])
    counts = curves.groupby(["strategy", "seed"]).size()
    assert set(curves["strategy"]) == set(STRATEGIES)
    assert (counts == 10).all() and len(counts) == 6
    for _, run in curves.groupby(["strategy", "seed"]):
        assert run["trial"].tolist() == list(range(1, 11))
        assert run["best_so_far"].tolist() == best_so_far(run["value"]).tolist()
    assert {"x", "y"} <= set(curves.columns)


def test_tuning_curves_is_reproducible_for_a_seed():
    first = tuning_curves(quadratic, grid=GRID, n_trials=6, seeds=[4], strategies=["bayesian"])
    second = tuning_curves(quadratic, grid=GRID, n_trials=6, seeds=[4], strategies=["bayesian"])
    assert first.equals(second)


def test_tuning_curves_rejects_bad_arguments_before_running():
    calls = []

    def counting(trial):
        calls.append(1)
        return quadratic(trial)

    with pytest.raises(UnknownStrategyError):
        tuning_curves(counting, grid=GRID, n_trials=5, strategies=["random", "annealing"])
    with pytest.raises(ValueError, match="seeds is empty"):
        tuning_curves(counting, grid=GRID, n_trials=5, seeds=[])
    with pytest.raises(ValueError, match="strategies is empty"):
        tuning_curves(counting, grid=GRID, n_trials=5, strategies=[])
    assert not calls


def test_curve_summary_reports_checkpoints_per_strategy():
    curves = tuning_curves(quadratic, grid=GRID, n_trials=10, seeds=[0, 1])
    summary = curve_summary(curves, checkpoints=[5, 10])
    assert list(summary.index) == list(STRATEGIES)
    assert ("mean", 10) in summary.columns and ("min", 5) in summary.columns
    assert (summary[("max", 10)] >= summary[("mean", 10)]).all()
    assert (summary[("mean", 10)] >= summary[("mean", 5)]).all()


def test_curve_summary_rejects_bad_input():
    curves = tuning_curves(quadratic, grid=GRID, n_trials=4, seeds=[0], strategies=["random"])
    with pytest.raises(ValueError, match=r"outside trials 1..4"):
        curve_summary(curves, checkpoints=[5])
    with pytest.raises(ValueError, match="checkpoints is empty"):
        curve_summary(curves, checkpoints=[])
    with pytest.raises(KeyError, match="best_so_far"):
        curve_summary(curves.drop(columns="best_so_far"), checkpoints=[2])
