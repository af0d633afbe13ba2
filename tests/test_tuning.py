"""labkit.tuning: best-so-far curves and equal-budget comparisons of search strategies."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold

from labkit.tuning import (
    STRATEGIES,
    UnknownStrategyError,
    best_so_far,
    curve_summary,
    fold_auc_spread,
    grid_size,
    make_sampler,
    roc_auc,
    run_study,
    seed_advantage,
    seed_interval,
    seed_statistics,
    study_curves,
    suggest_hyperparameters,
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


# ---------------------------------------------------------------- the harness Lab 05 uses around its own studies


def _study(strategy: str, seed: int, n_trials: int = 6, direction: str = "maximize") -> optuna.Study:
    study = optuna.create_study(direction=direction, sampler=make_sampler(strategy, seed, GRID))
    study.optimize(quadratic, n_trials=n_trials)
    return study


def test_study_curves_matches_tuning_curves():
    studies = {("random", seed): _study("random", seed) for seed in (0, 1)}
    curves = study_curves(studies)
    assert curves.equals(tuning_curves(quadratic, grid=GRID, n_trials=6, seeds=[0, 1], strategies=["random"]))


def test_study_curves_leaves_out_pruned_trials():
    def sometimes_pruned(trial):
        value = quadratic(trial)
        if trial.number % 2:
            raise optuna.TrialPruned()
        return value

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(sometimes_pruned, n_trials=6)
    curves = study_curves({("random", 0): study})
    assert curves["trial"].tolist() == [1, 2, 3]


def test_study_curves_rejects_bad_input():
    with pytest.raises(ValueError, match="studies is empty"):
        study_curves({})
    with pytest.raises(ValueError, match=r"\(strategy, seed\) pairs"):
        study_curves({"random": _study("random", 0)})
    with pytest.raises(TypeError, match="optuna Study"):
        study_curves({("random", 0): [0.5, 0.6]})
    empty = optuna.create_study(direction="maximize")
    with pytest.raises(ValueError, match="no completed trial"):
        study_curves({("random", 0): empty})
    with pytest.raises(ValueError, match="maximize"):
        study_curves({("random", 0): _study("random", 0)}, direction="lower")


def _frame(values: dict[tuple[str, int], list[float]], direction: str = "minimize") -> pd.DataFrame:
    rows = []
    for (strategy, seed), run in values.items():
        curve = best_so_far(run, direction)
        rows += [{"strategy": strategy, "seed": seed, "trial": i + 1, "value": v, "best_so_far": b}
                 for i, (v, b) in enumerate(zip(run, curve, strict=True))]
    return pd.DataFrame(rows)


def test_seed_statistics_counts_late_trials_near_the_overall_best():
    curves = _frame({("random", 0): [0.9, 0.5, 0.8, 0.6], ("bayesian", 0): [0.9, 0.5, 0.42, 0.41]})
    table = seed_statistics(curves, startup=2, within=0.05, direction="minimize")
    assert table.loc[("random", 0), "final best"] == 0.5
    assert table.loc[("random", 0), "later median"] == pytest.approx(0.7)
    assert table.loc[("random", 0), "later near best"] == 0
    assert table.loc[("bayesian", 0), "later near best"] == 2  # 0.42 and 0.41 are within 0.05 of 0.41
    maximised = seed_statistics(_frame({("grid", 0): [0.1, 0.3, 0.2]}, "maximize"), 1, 0.15, "maximize")
    assert maximised.loc[("grid", 0), "later near best"] == 2


def test_seed_statistics_rejects_bad_arguments():
    curves = _frame({("random", 0): [0.9, 0.5, 0.8]})
    with pytest.raises(ValueError, match="startup=3"):
        seed_statistics(curves, startup=3, within=0.1)
    with pytest.raises(ValueError, match="within"):
        seed_statistics(curves, startup=1, within=-0.1)
    with pytest.raises(KeyError, match="best_so_far"):
        seed_statistics(curves.drop(columns="best_so_far"), startup=1, within=0.1)


def test_seed_interval_is_a_student_t_interval():
    mean, low, high = seed_interval([1.0, 2.0, 3.0])
    half = stats.t.ppf(0.975, df=2) * 1.0 / np.sqrt(3)
    assert mean == 2.0 and low == pytest.approx(2.0 - half) and high == pytest.approx(2.0 + half)
    assert seed_interval([0.1, 0.1, 0.1]) == (pytest.approx(0.1), pytest.approx(0.1), pytest.approx(0.1))
    with pytest.raises(ValueError, match="at least two"):
        seed_interval([0.3])
    with pytest.raises(ValueError, match="NaN"):
        seed_interval([0.3, float("nan")])
    with pytest.raises(ValueError, match="confidence"):
        seed_interval([0.3, 0.4], confidence=95)


def test_roc_auc_agrees_with_scikit_learn_including_ties():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=300)
    scores = np.round(rng.normal(size=300) + labels, 1)  # rounding makes ties
    assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))
    with pytest.raises(ValueError, match="both classes"):
        roc_auc([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="0 and 1"):
        roc_auc([1, 2], [0.2, 0.3])
    with pytest.raises(ValueError, match="same length"):
        roc_auc([0, 1], [0.2])


def test_fold_auc_spread_measures_the_split_alone():
    rng = np.random.default_rng(1)
    labels = (rng.random(1000) < 0.1).astype(int)
    scores = rng.normal(size=1000) + labels
    stratified = fold_auc_spread(labels, scores, lambda r: StratifiedKFold(5, shuffle=True, random_state=r), 4)
    plain = fold_auc_spread(labels, scores, lambda r: KFold(5, shuffle=True, random_state=r), 4)
    assert list(stratified.columns) == ["fold AUC std", "fewest positives", "most positives"]
    assert len(stratified) == 4 and (stratified["fold AUC std"] > 0).all()
    assert (stratified["most positives"] - stratified["fewest positives"]).max() <= 1
    assert (plain["most positives"] - plain["fewest positives"]).max() > 1
    with pytest.raises(ValueError, match="repetitions"):
        fold_auc_spread(labels, scores, lambda r: KFold(5), 1)
    with pytest.raises(TypeError, match="function of the repetition"):
        fold_auc_spread(labels, scores, KFold(5), 3)
    with pytest.raises(ValueError, match="same length"):
        fold_auc_spread(labels, scores[:10], lambda r: KFold(5), 3)


def test_suggest_hyperparameters_asks_for_the_five_ranges():
    trial = optuna.trial.FixedTrial({"learning_rate": 0.1, "max_leaf_nodes": 8, "min_samples_leaf": 20,
                                     "l2_regularization": 1.0, "max_features": 0.5})
    params = suggest_hyperparameters(trial)
    assert params == {"learning_rate": 0.1, "max_leaf_nodes": 8, "min_samples_leaf": 20,
                      "l2_regularization": 1.0, "max_features": 0.5}


def test_seed_advantage_orients_every_statistic_so_that_positive_means_better():
    runs = {("random", s): [0.9, 0.6, 0.8, 0.7 + 0.01 * s] for s in range(3)}
    runs |= {("bayesian", s): [0.9, 0.6, 0.45 + 0.01 * s, 0.4] for s in range(3)}
    per_seed = seed_statistics(_frame(runs), startup=2, within=0.1, direction="minimize")
    table = seed_advantage(per_seed, "bayesian", "random", direction="minimize")
    assert list(table.index) == ["final best", "later median", "later near best"]
    assert table.loc["later median", "mean"] > 0 and table.loc["later median", "verdict"] == "bayesian better"
    assert table.loc["later near best", "mean"] == 2
    assert table.loc["final best", "mean"] == pytest.approx(0.2)
    with pytest.raises(KeyError, match="no strategy 'grid'"):
        seed_advantage(per_seed, "grid", "random")
