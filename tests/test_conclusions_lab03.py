"""Lab 03's conclusions hold for other seeds: the notebook's own code, re-run with SEED = 1 and 2.

The seed moves the corrupted rows, the bootstrap resamples, the cross-validation folds, the
samplers and the loans scored in the leak experiment. The lab's code cells run in order with
`SEED` replaced (figures and the "Your turn" self-checks are skipped), then this test asserts what
the lab's Summary concludes.
"""

from __future__ import annotations

import numpy as np
import pytest

from labkit.yourturn import lab03
from tests.conftest import REPO_ROOT
from tests.lab_runner import run_lab_with_seed

LAB = REPO_ROOT / "labs" / "03-data-integrity-and-bias.ipynb"


def run_lab(seed: int) -> dict:
    return run_lab_with_seed(LAB, seed)


@pytest.fixture(scope="module", params=[1, 2], ids=lambda seed: f"seed{seed}")
def lab(request):
    return run_lab(request.param)


def test_each_injected_defect_is_caught_by_its_own_rule(lab):
    caught = lab["caught"]
    assert (caught["injected"] == caught["extra violations"]).all(), caught
    assert lab["clean_report"]["passed"].all()


def test_young_applicants_differ_beyond_noise_and_the_smallest_groups_cannot_be_told(lab):
    intervals = lab["intervals"]
    assert intervals.loc["Age under 25", "DPL 2.5 %"] > 0
    for small in ["Marital = divorced", "Marital = widow"]:
        assert intervals.loc[small, "DPL 2.5 %"] < 0 < intervals.loc[small, "DPL 97.5 %"]


def test_remedies_raise_recall_without_moving_pr_auc(lab):
    results, change = lab["imbalance_results"], lab["pr_auc_change"]
    assert results.loc["baseline", "recall"] < 0.05
    for remedy in ["class weights", "random oversampling", "random undersampling", "SMOTE"]:
        assert results.loc[remedy, "recall"] > 0.5
        assert change[remedy].abs().max() < 0.03  # fold by fold, PR-AUC stays near the baseline's


def test_the_leak_is_small_for_the_linear_model_and_large_for_the_tree(lab):
    linear_gain, tree_gain = lab["linear_gain"], lab["tree_gain"]
    assert 0 < linear_gain.mean() < 0.05
    assert (tree_gain > 0).all() and tree_gain.mean() > 5 * linear_gain.mean()
    means = lab["linear_folds"].groupby("oversampled")["PR-AUC"].mean()
    assert means["before the split, scored on its 50 % fold"] > 3 * means["before the split"]


def test_the_width_ratio_check_accepts_the_square_root_rule_and_rejects_the_plain_ratio(lab, capsys):
    good, facets = lab["good"], lab["facets"]
    rule = np.sqrt(facets["Age under 25"].sum() / facets["Marital = divorced"].sum())
    assert lab03.check_width_ratio(rule, good, facets["Marital = divorced"], facets["Age under 25"])
    assert "Correct" in capsys.readouterr().out
    plain = facets["Age under 25"].sum() / facets["Marital = divorced"].sum()
    assert not lab03.check_width_ratio(plain, good, facets["Marital = divorced"], facets["Age under 25"])
    assert "too high" in capsys.readouterr().out
