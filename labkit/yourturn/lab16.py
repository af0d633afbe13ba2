"""Self-checks of Lab 16's "Your turn" tasks whose expected value would give the answer away.

Each check prints one line that starts with ``Correct`` or ``Not yet`` and returns True or False;
it never raises on the learner's value (see ``labkit.yourturn``).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from labkit.drift import categorical_distance
from labkit.poisoning import detection_rates, flip_labels
from labkit.yourturn import check_true, not_written

__all__ = ["check_amount_change", "check_tighter_drift", "label_drift_rates"]

DEFAULT_THRESHOLD = 0.1
MOVES = ("up", "down", "same")


def label_drift_rates(threshold: float, baseline: pd.DataFrame, pool: pd.DataFrame, *, seed: int,
                      repeats: int = 10, batch_size: int = 1000) -> pd.Series:
    """Share of batches on which the label-drift check with `threshold` fires: clean, and with 5 % and
    10 % of the labels flipped from bad to good (the lab's defence and harness, one threshold)."""
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie between 0 and 1, got {threshold!r}.")

    def label_drift(batch: pd.DataFrame) -> bool:
        return bool(categorical_distance(baseline["Status"], batch["Status"], "linf") > threshold)

    rates = detection_rates(pool, {"bad-to-good flips": partial(flip_labels, only="bad")}, {"label drift": label_drift},
                            shares=[0.05, 0.1], repeats=repeats, batch_size=batch_size,
                            rng=np.random.default_rng(seed))
    return rates["label drift"]


def check_tighter_drift(threshold: object, moves: object, baseline: pd.DataFrame, pool: pd.DataFrame, *,
                        seed: int) -> bool:
    """Check the task: a label-drift threshold below the default 0.1, and which way the catch rate at 5 % moves."""
    if not_written(threshold) or not_written(moves):
        name = "tighter_threshold" if not_written(threshold) else "catch_moves"
        print(f"Not yet: `{name}` is still the placeholder. Set a threshold below 0.1 (for example 0.05) "
              "and say whether the share of batches caught goes 'up', 'down' or stays the 'same'.")
        return False
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 < threshold < DEFAULT_THRESHOLD:
        print(f"Not yet: `tighter_threshold` should be a number between 0 and the default {DEFAULT_THRESHOLD}, "
              f"got {threshold!r}.")
        return False
    if moves not in MOVES:
        print(f"Not yet: `catch_moves` should be one of {list(MOVES)}, got {moves!r}.")
        return False
    default = label_drift_rates(DEFAULT_THRESHOLD, baseline, pool, seed=seed)
    tighter = label_drift_rates(float(threshold), baseline, pool, seed=seed)
    share = ("bad-to-good flips", 0.05)
    before, after = default[share], tighter[share]
    measured = "up" if after > before else "down" if after < before else "same"
    shown = (f"Batches with 5 % bad-to-good flips caught: {before:.0%} at 0.1, {after:.0%} at {threshold:g}; "
             f"clean batches flagged: {default[('none', 0.0)]:.0%} at 0.1, "
             f"{tighter[('none', 0.0)]:.0%} at {threshold:g}.")
    return check_true(
        [(moves == measured, f"you said {moves!r}, but the catch rate went {measured!r}. {shown}")],
        name="tighter label-drift threshold",
        success=f"the catch rate went {measured}. {shown}",
    )


def check_amount_change(value: object, model, applicant: pd.DataFrame, *, threshold: float) -> bool:
    """Check `amount_change`: the smallest change of Amount (a cut, so negative) that turns the decision to approve."""
    if not isinstance(applicant, pd.DataFrame) or len(applicant) != 1 or "Amount" not in applicant:
        raise TypeError("applicant must be the lab's one-row DataFrame with an Amount column.")
    if isinstance(value, pd.Series) and len(value) == 1:
        value = value.iloc[0]

    def p_bad(change: float) -> float:
        moved = applicant.copy()
        moved["Amount"] = (moved["Amount"] + change).clip(lower=0)
        return float(model.predict_proba(moved)[0, 1])

    if not_written(value):
        print("Not yet: `amount_change` is still the placeholder. Call smallest_change for the applicant's "
              "Amount and keep what it returns.")
        return False
    is_number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if not is_number or not np.isfinite(value):
        print(f"Not yet: `amount_change` should be one number (a change of Amount), got {value!r}.")
        return False
    return check_true(
        [
            (value < 0, "a smaller loan lowers the risk here, so the change should be negative (a cut)."),
            (lambda: p_bad(value) < threshold, "with this change the model still declines: the cut is too small."),
            (lambda: p_bad(0.98 * value) >= threshold, "a cut 2 % smaller than yours already flips the decision: "
                                                      "yours is not the smallest. Use smallest_change."),
        ],
        name="amount_change",
        success=f"cutting the amount by {-float(value):.0f} (thousand pesetas) flips the decision; "
                "a 2 % smaller cut does not.",
    )
