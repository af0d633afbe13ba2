"""Lab 04's conclusions hold for other seeds: the notebook's own code, re-run with SEED = 1 and 2.

The seed moves the train/test split, the folds, the trees, the bootstrap resamples and the
booking that gets the absurd price, so each run is a new draw of everything the lab measured by
chance. The lab's code cells run in order with `SEED` replaced (figures are skipped), then this
test asserts what the lab's Summary concludes.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import REPO_ROOT
from tests.lab_runner import run_lab_with_seed

LAB = REPO_ROOT / "labs" / "04-metrics-tradeoffs.ipynb"


def run_lab(seed: int) -> dict:
    return run_lab_with_seed(LAB, seed, skip_self_checks=False)


@pytest.fixture(scope="module", params=[1, 2], ids=lambda seed: f"seed{seed}")
def lab(request):
    return run_lab(request.param)


def test_accuracy_cannot_tell_the_models_apart(lab):
    table, y_test = lab["baseline_table"], lab["y_test"]
    assert table.loc["dummy (prior)", "recall"] == 0
    for name in ["logistic regression", "gradient boosting"]:
        assert table.loc[name, "flagged"] <= 0.002 * len(y_test)
        assert abs(table.loc[name, "accuracy"] - table.loc["dummy (prior)", "accuracy"]) < 0.002


def test_logistic_regression_ranks_better_beyond_noise(lab):
    assert lab["lead_table"].loc["ROC-AUC", "2.5 %"] > 0
    assert lab["auc_table"].loc["logistic regression", "PR-AUC"] > 2 * lab["positive_rate"]


def test_the_review_queue_saves_money_and_the_automatic_decline_does_not(lab):
    chosen, savings = lab["chosen"], lab["saving_table"]
    assert abs(chosen["review queue"] - lab["review_costs"].bayes_threshold()) <= 0.03
    assert savings.loc["review queue", "2.5 %"] > 0
    assert savings.loc["automatic decline", "2.5 %"] <= 0 <= savings.loc["automatic decline", "97.5 %"]


def test_balanced_weights_break_calibration_and_isotonic_repairs_it(lab):
    table = lab["calibration_table"]
    plain = table.loc["logistic regression", "Brier"]
    assert table.loc["balanced weights", "Brier"] > 3 * plain
    assert table.loc["balanced + isotonic", "Brier"] < 1.05 * plain
    assert abs(lab["gap_on_test"]) < 0.02


def test_one_outlier_moves_rmse_far_more_than_mae(lab):
    change = lab["change"]
    assert change["RMSE"] > 2 * change["MAE"] and change["MAE"] < 1.5
    assert np.isfinite(change).all()


def test_the_your_turn_checks(lab, capsys):
    from labkit.metrics import CostMatrix
    from labkit.yourturn import lab04

    y_train, scores, grid, review = lab["y_train"], lab["oof_scores"], lab["grid"], lab["review_costs"]
    right = lab["expected_cost"](y_train, scores, [0.5], review)["cost per 1,000"].iloc[0]
    assert lab04.check_default_cost(right, y_train, scores, review)
    assert not lab04.check_default_cost(right + 1, y_train, scores, review)
    assert not lab04.check_default_cost(None, y_train, scores, review)
    pricier = CostMatrix(false_positive=2, false_negative=10)
    assert lab04.check_pricier_reviews(pricier, "up", y_train, scores, grid, review)
    assert not lab04.check_pricier_reviews(pricier, "down", y_train, scores, grid, review)
    assert not lab04.check_pricier_reviews(CostMatrix(false_positive=3, false_negative=10), "up", y_train, scores,
                                           grid, review)
    assert not lab04.check_pricier_reviews(pricier, None, y_train, scores, grid, review)
    out = capsys.readouterr().out
    assert "Correct" in out and "Not quite" in out and "should cost 2" in out and "placeholder" in out
