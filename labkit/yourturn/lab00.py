"""Self-checks for Lab 00's "Your turn" tasks (orientation).

`check_seed` answers "change the seed and say what happens": the right answer depends on the seed
the learner picks, so it is measured here, by calling `labkit.lab.start` with that seed twice and
with the lab's seed 0. Like every check in `labkit.yourturn`, it prints one line and never raises
on the learner's input.
"""

from __future__ import annotations

import numpy as np

from labkit.lab import DEFAULT_SEED, start
from labkit.yourturn import _not_yet, _say, not_written

__all__ = ["SEED_OUTCOMES", "check_seed", "seed_outcome"]

SEED_OUTCOMES = {
    "same as seed 0": "the same numbers as seed 0",
    "different, repeatable": "other numbers than seed 0, but the same ones every time you run it",
    "different every run": "other numbers on every run",
}
DRAWS = 3


def seed_outcome(seed: int, draws: int = DRAWS) -> tuple[str, np.ndarray]:
    """Which of SEED_OUTCOMES `start(seed)` produces, measured, and the numbers it drew.

    Draws `draws` normal numbers after `start(seed)` twice and after `start(0)`, then restarts
    with seed 0 so that the lab carries on as it began.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    first = start(seed=int(seed)).normal(size=draws)
    again = start(seed=int(seed)).normal(size=draws)
    lab_seed = start(seed=DEFAULT_SEED).normal(size=draws)
    start(seed=DEFAULT_SEED)
    if not np.array_equal(first, again):
        return "different every run", first
    return ("same as seed 0" if np.array_equal(first, lab_seed) else "different, repeatable"), first


def check_seed(seed: object, expected: str | None) -> bool:
    """Check the learner's expectation of what `start(seed)` does with the seed they chose."""
    if not_written(seed):
        return _not_yet("my_seed", "Set it to any whole number, 0 or more, then say what you expect.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        return _say(False, f"Not yet: `my_seed` should be a whole number, 0 or more, got {seed!r}.")
    if not_written(expected):
        listed = ", ".join(f"{key!r} ({text})" for key, text in SEED_OUTCOMES.items())
        return _not_yet("expected", f"Set it to one of {listed}.")
    if expected not in SEED_OUTCOMES:
        return _say(False, f"Not yet: {expected!r} is not one of the options {sorted(SEED_OUTCOMES)}.")
    outcome, numbers = seed_outcome(int(seed))
    shown = ", ".join(f"{value:.4f}" for value in numbers)
    if outcome == expected:
        return _say(True, f"Correct: start(seed={seed}) draws {shown}: {SEED_OUTCOMES[outcome]}.")
    return _say(False, f"Not quite: start(seed={seed}) draws {shown}, which is {SEED_OUTCOMES[outcome]!r}. "
                       "Open the solution for why.")
