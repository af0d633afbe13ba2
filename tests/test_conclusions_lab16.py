"""Lab 16's conclusions hold under other seeds, and its "Your turn" checkers say Correct and Not yet.

The lab's Summary concludes that (1) bad-to-good flips of 20 % of the new batch leave the ROC-AUC
within noise while the share of bad applicants approved rises by far more than its bootstrap noise,
with copied rows in between and random flips hardly moving the decisions; (2) each check catches a
different attack: rules and isolation-forest outliers catch crude rows from 2 % and no label attack,
label drift at 0.1 catches bad-to-good flips only from 10-20 %, the trusted model's surprise catches
random flips from 5 % and its count catches bad-to-good flips from 5 % and copied rows, and at 2 %
bad-to-good flips and copied rows pass every check; no clean batch raises an alarm; (3) a digest
refuses exactly the snapshots changed after sign-off; (4) evaders who overstate their income pass the
input-drift check while the share of scores just under the threshold crosses its limit.

The seed fixes the split, the poisoned rows, the batches and the bootstraps. The test runs the lab's
own code cells (all but the figure, the "Your turn" cells and the checks) with seeds 1 and 2, and
three poisonings per share instead of five for the score curve.
"""

from __future__ import annotations

import json

import matplotlib
import pytest

from labkit.yourturn import lab16
from tests.conftest import REPO_ROOT

matplotlib.use("Agg")

LAB = REPO_ROOT / "labs" / "16-poisoned-data.ipynb"
SEEDS = (1, 2)
SKIP = ("plt.", "auc_guess", "check_guess(", "lab16.check", "tighter_threshold", "amount_change",
        "All checks passed")
LABEL_ATTACKS = ["random flips", "bad-to-good flips", "copied bad rows"]


def _run_lab(seed: int) -> dict:
    cells = json.loads(LAB.read_text(encoding="utf-8"))["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    assert sum("SEED = 0" in source for source in code) == 1, "the lab must set SEED = 0 in exactly one cell"
    assert sum("REPEATS = 5" in source for source in code) == 1, "the lab's score curve must set REPEATS = 5"
    namespace: dict = {"__name__": "__lab16__"}
    for source in code:
        if any(mark in source for mark in SKIP):
            continue
        source = source.replace("SEED = 0", f"SEED = {seed}").replace("REPEATS = 5", "REPEATS = 3")
        exec(compile(source, str(LAB), "exec"), namespace)  # noqa: S102 - the course's own notebook
    return namespace


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def lab(request):
    return _run_lab(request.param)


def test_bad_to_good_flips_move_decisions_not_the_ranking(lab):
    summary, intervals = lab["summary"], lab["intervals"]
    rise = summary["bad_approved"] - summary.loc[("none", 0.0), "bad_approved"]
    assert rise[("bad-to-good flips", 0.20)] > 0.25, rise
    assert intervals.loc["bad approved", "2.5 %"] > 0.2, intervals
    assert abs(intervals.loc["ROC-AUC", "median"]) < 0.01, intervals
    assert intervals.loc["ROC-AUC", "2.5 %"] > -0.02, intervals
    assert abs(rise[("random flips", 0.20)]) < rise[("bad-to-good flips", 0.05)], rise
    assert rise[("random flips", 0.20)] < rise[("copied bad rows", 0.20)] < rise[("bad-to-good flips", 0.20)], rise


def test_each_check_catches_its_own_attack(lab):
    rates = lab["rates"]
    assert (rates.loc[("none", 0.0)] <= 0.1).all(), rates.loc["none"]
    assert (rates.loc["crude rows", ["quality rules", "feature outliers"]] >= 0.9).all().all(), rates
    assert (rates.loc[LABEL_ATTACKS, "feature outliers"] == 0).all(), rates
    assert (rates.loc[LABEL_ATTACKS, "quality rules"] <= 0.5).all(), rates
    assert rates.loc[("bad-to-good flips", 0.05), "label drift"] <= 0.2, rates
    assert rates.loc[("bad-to-good flips", 0.20), "label drift"] >= 0.9, rates
    assert (rates.loc["copied bad rows", "label drift"] <= 0.2).all(), rates
    assert rates.loc[("random flips", 0.05), "model: surprise"] >= 0.9, rates
    assert (rates.loc["bad-to-good flips", "model: surprise"] <= 0.2).all(), rates
    assert rates.loc[("bad-to-good flips", 0.05), "model: label count"] >= 0.8, rates
    assert rates.loc[("copied bad rows", 0.20), ["model: surprise", "model: label count"]].min() >= 0.9, rates
    assert rates.loc[[("bad-to-good flips", 0.02), ("copied bad rows", 0.02)]].to_numpy().max() <= 0.3, rates


def test_the_digest_refuses_exactly_what_changed_after_sign_off(lab):
    checksum = lab["checksum"]
    after = checksum.iloc[:-1]
    assert (after["training refused"] == (after["rows changed or added"] > 0)).all(), checksum
    assert after["training refused"].sum() == len(after) - 1  # everything but the unchanged copy
    assert not checksum.iloc[-1]["training refused"]


def test_evasion_passes_input_drift_and_piles_up_under_the_threshold(lab):
    seen = lab["seen"]
    assert seen.loc["input drift", "gamed windows alarmed"] <= 0.1, seen
    assert seen.loc["just under the threshold", "gamed windows alarmed"] >= 0.7, seen
    assert seen.loc["just under the threshold", "honest windows alarmed"] <= 0.15, seen
    assert 0.4 <= lab["changes"]["Income"].notna().mean() <= 0.9, lab["changes"].notna().mean()


def test_the_threshold_checker_measures_the_direction(lab, capsys):
    baseline, batch, seed = lab["baseline"], lab["batch"], lab["SEED"]
    assert not lab16.check_tighter_drift(None, None, baseline, batch, seed=seed)
    assert capsys.readouterr().out.startswith("Not yet")
    assert not lab16.check_tighter_drift(0.2, "up", baseline, batch, seed=seed)
    assert "between 0 and the default" in capsys.readouterr().out
    assert lab16.check_tighter_drift(0.05, "up", baseline, batch, seed=seed)
    assert capsys.readouterr().out.startswith("Correct")
    assert not lab16.check_tighter_drift(0.05, "down", baseline, batch, seed=seed)
    assert capsys.readouterr().out.startswith("Not yet")


def test_the_amount_checker_accepts_only_the_smallest_cut(lab, capsys):
    model, applicant, threshold = lab["clean_model"], lab["applicant"], lab["THRESHOLD"]
    answer = lab["smallest_change"](model, applicant, "Amount", threshold=threshold, limit=1000).iloc[0]
    assert lab16.check_amount_change(answer, model, applicant, threshold=threshold)
    assert capsys.readouterr().out.startswith("Correct")
    for wrong, message in [(None, "placeholder"), ("x", "one number"), (-1.0, "too small"),
                           (2 * answer, "not the smallest"), (-answer, "negative")]:
        assert not lab16.check_amount_change(wrong, model, applicant, threshold=threshold)
        assert message in capsys.readouterr().out
