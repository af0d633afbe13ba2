"""Self-checks of Lab 07's "Your turn" tasks whose expected value, written in the notebook, would give
the answer away. Each check prints one line (``Correct``, ``Not yet`` or ``Your guess``) and never raises.
"""

from __future__ import annotations

import math

from labkit import costs
from labkit.yourturn import _say, not_written

__all__ = ["check_break_even_guess", "check_serverless_month", "lab_serverless_month"]

# The lab's workload (Lab 07, "The workload's constants").
DAYS = 30
DURATION_MS, MEMORY_MB, PAYLOAD_KB = 100, 2048, 5
GUESS_FACTOR = 2.0  # a break-even guess within a factor of 2 counts as close


def lab_serverless_month(requests_per_day: float) -> float:
    """The lab's serverless bill for a 30-day month at `requests_per_day`, at the price table's us-east-1 rates."""
    rates = costs.load_prices().serverless_rates("us-east-1")
    return costs.serverless_cost(requests_per_day * DAYS, DURATION_MS, MEMORY_MB, rates, PAYLOAD_KB)


def check_serverless_month(bill: float | None, requests_per_day: float = 100_000) -> bool:
    """Check the learner's line that prices one month of the serverless endpoint at `requests_per_day`."""
    name = "serverless_bill"
    if not_written(bill):
        return _say(False, f"Not yet: `{name}` is still the placeholder. Call serverless_cost with the month's "
                           "requests, DURATION_MS, MEMORY_MB, RATES and PAYLOAD_KB.")
    if isinstance(bill, bool) or not isinstance(bill, int | float):
        return _say(False, f"Not yet: `{name}` should be a number of dollars, got {type(bill).__name__}.")
    expected = lab_serverless_month(requests_per_day)
    if math.isclose(bill, expected, rel_tol=1e-9):
        return _say(True, f"Correct: ${bill:,.2f} a month for {requests_per_day:,.0f} requests a day.")
    ratio = bill / expected if expected else math.inf
    if math.isclose(ratio, DAYS, rel_tol=1e-6) or math.isclose(ratio, 1 / DAYS, rel_tol=1e-6):
        hint = "the first argument is the month's requests: requests a day times DAYS"
    elif ratio > 1:
        hint = "the bill is too high: check the duration (milliseconds) and the memory (MB)"
    else:
        hint = "the bill is too low: pass every argument, including PAYLOAD_KB"
    return _say(False, f"Not yet: `{name}` is ${bill:,.2f}; {hint}.")


def check_break_even_guess(guess: float | None, measured: float) -> bool:
    """Compare a guess of the break-even (requests a day) with the measured one; within a factor of 2 is close."""
    name = "break_even_guess"
    if not_written(guess):
        return _say(False, f"Not yet: `{name}` is still the placeholder. Write your guess in requests a day, "
                           "then run the cells again.")
    if isinstance(guess, bool) or not isinstance(guess, int | float) or not guess > 0:
        return _say(False, f"Not yet: `{name}` should be a positive number of requests a day, got {guess!r}.")
    if not measured > 0:
        raise ValueError(f"measured must be positive, got {measured}")
    factor = guess / measured
    shown = f"Your guess {guess:,.0f} requests a day; measured {measured:,.0f}."
    if 1 / GUESS_FACTOR <= factor <= GUESS_FACTOR:
        return _say(True, f"{shown} Correct: within a factor of {GUESS_FACTOR:g} of the measurement.")
    direction = "high" if factor > 1 else "low"
    times = factor if factor > 1 else 1 / factor
    return _say(False, f"{shown} Your guess is {times:.1f} times too {direction}: compare what one instance "
                       "costs a month with what serverless costs per request, then read the solution.")
