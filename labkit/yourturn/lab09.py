"""Self-checks of Lab 09's "Your turn" tasks whose expected value would give the answer away.

Each check prints one line that starts with ``Correct`` or ``Not yet`` and returns True or False;
it never raises on the learner's value (see ``labkit.yourturn``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from labkit.rollout import false_rollback_chance, m_of_n_alarm
from labkit.yourturn import check_value, not_written

__all__ = ["DIRECTIONS", "check_threshold_direction", "check_two_of_three", "lowest_threshold"]

DIRECTIONS = {"up": "the threshold rises", "down": "the threshold falls", "same": "the threshold stays"}
CANDIDATE_THRESHOLDS = np.round(np.arange(0.10, 0.61, 0.01), 2)


def check_two_of_three(value: object, breaching: ArrayLike) -> bool:
    """Check `two_of_three`: the state of a 2-out-of-3 alarm after each of the example minutes."""
    expected = m_of_n_alarm(np.asarray(breaching, dtype=bool), 2, 3)
    return check_value(
        value,
        expected,
        name="two_of_three",
        hint="call m_of_n_alarm with `breaching`, datapoints_to_alarm=2 and evaluation_periods=3.",
    )


def lowest_threshold(
    healthy_rates: ArrayLike, datapoints_to_alarm: int, evaluation_periods: int, minutes: int, budget: float
) -> float | None:
    """The lowest threshold (0.10 to 0.60, in steps of 0.01) whose false-rollback chance is within `budget`.

    Every candidate is simulated with the same seeded draws, so two calls compare like for like.
    Returns None when no candidate is within the budget.
    """
    if not 0 < budget < 1:
        raise ValueError(f"budget must be a probability between 0 and 1, got {budget!r}")
    for threshold in CANDIDATE_THRESHOLDS:
        chance = false_rollback_chance(healthy_rates, float(threshold), datapoints_to_alarm, evaluation_periods,
                                       minutes, np.random.default_rng(0))
        if chance <= budget:
            return float(threshold)
    return None


def check_threshold_direction(
    m_to_try: object,
    direction: object,
    healthy_rates: ArrayLike,
    *,
    lab_m: int,
    n: int,
    minutes: int,
    budget: float,
) -> bool:
    """Check the prediction of how the lowest safe threshold moves when DatapointsToAlarm becomes `m_to_try`."""
    if not_written(m_to_try):
        print(f"Not yet: `m_to_try` is still the placeholder. Set it to a DatapointsToAlarm from 1 to {n}, "
              "for example 1.")
        return False
    if isinstance(m_to_try, bool) or not isinstance(m_to_try, int | np.integer) or not 1 <= m_to_try <= n:
        print(f"Not yet: `m_to_try` must be a whole number from 1 to {n} (EvaluationPeriods), got {m_to_try!r}.")
        return False
    if not_written(direction):
        print("Not yet: `direction` is still the placeholder. Set it to 'up', 'down' or 'same'.")
        return False
    if direction not in DIRECTIONS:
        print(f"Not yet: {direction!r} is not one of {sorted(DIRECTIONS)}.")
        return False
    before = lowest_threshold(healthy_rates, lab_m, n, minutes, budget)
    after = lowest_threshold(healthy_rates, int(m_to_try), n, minutes, budget)
    if before is None or after is None:
        print("Not yet: no threshold up to 0.60 keeps the false rollbacks within the budget; check the inputs.")
        return False
    correct = "up" if after > before else "down" if after < before else "same"
    measured = (f"with {m_to_try} of {n} the lowest threshold within the budget is {after:.2f}, "
                f"against {before:.2f} with {lab_m} of {n}")
    if direction == correct:
        print(f"Correct: {measured}. Now explain why in one sentence, then compare with the solution.")
        return True
    print(f"Not yet: {measured}, so {DIRECTIONS[correct]}. Read the solution to see why.")
    return False
