"""Self-checks for the "Your turn" tasks inside the labs.

A "Your turn" task is three cells (see CONTRIBUTING.md, "Your turn tasks"):

1. an ``{exercise}`` box with ``:class: your-turn`` that says what to predict, change or write;
2. a code cell the learner edits; it starts with a value that runs (often ``None``: "not written
   yet"), so the stored notebook shows the learner's starting point and nbval can run it;
3. a code cell that runs the check, and a folded ``{solution}``.

A check never raises: it prints one line that starts with ``Correct``, ``Not yet`` or ``Your
guess`` and says in words what is wrong, and it returns True or False. Checks that would give
away the answer if their expected value were written in the notebook live in
``labkit.yourturn.labNN``, one module per lab.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["check_choice", "check_guess", "check_true", "check_value", "not_written"]

PLACEHOLDERS = (None, Ellipsis)


def not_written(value: object) -> bool:
    """True when the learner has not replaced the placeholder (``None`` or ``...``) yet."""
    return any(value is placeholder for placeholder in PLACEHOLDERS)


def _say(ok: bool, text: str) -> bool:
    print(text)
    return ok


def _not_yet(name: str, what_to_do: str) -> bool:
    return _say(False, f"Not yet: `{name}` is still the placeholder. {what_to_do}")


def check_guess(
    guess: float | None,
    measured: float,
    *,
    name: str,
    what: str,
    tolerance: float,
    unit: str = "",
    digits: int = 3,
) -> bool:
    """Compare a prediction with the measured value. Any guess is a valid attempt; this says how far off it was.

    `tolerance` is the distance (in the measured value's unit) within which the guess counts as close.
    """
    if tolerance < 0:
        raise ValueError(f"tolerance must be zero or positive, got {tolerance}")
    if not_written(guess):
        return _not_yet(name, f"Write your prediction of {what} in its place, then run the cells again.")
    if isinstance(guess, bool) or not isinstance(guess, (int, float, np.integer, np.floating)):
        kind = type(guess).__name__
        return _say(False, f"Not yet: `{name}` should be a number (your prediction of {what}), got {kind}.")
    gap = float(guess) - float(measured)
    suffix = f" {unit}" if unit else ""
    shown = f"Your guess {float(guess):.{digits}f}{suffix}; measured {float(measured):.{digits}f}{suffix}."
    if abs(gap) <= tolerance:
        return _say(True, f"{shown} Correct: within {tolerance:g}{suffix} of the measurement.")
    direction = "high" if gap > 0 else "low"
    return _say(False, f"{shown} Your guess is {abs(gap):.{digits}f}{suffix} too {direction}: "
                       "read the explanation above the cell again, then the solution.")


def check_choice(answer: str | None, correct: str, *, name: str, options: Mapping[str, str], why: str) -> bool:
    """Check a choice among named options (for example "up", "down", "same")."""
    if correct not in options:
        raise ValueError(f"the correct option {correct!r} is not one of {sorted(options)}")
    if not_written(answer):
        listed = ", ".join(f"{key!r} ({text})" for key, text in options.items())
        return _not_yet(name, f"Set it to one of {listed}.")
    if answer not in options:
        return _say(False, f"Not yet: {answer!r} is not one of the options {sorted(options)}.")
    if answer == correct:
        return _say(True, f"Correct: {options[correct]}. {why}")
    return _say(False, f"Not quite: you chose {options[answer]!r}. Run the cell above with your change and "
                       "compare the numbers, then open the solution.")


def _describe(value: object) -> str:
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame of shape {value.shape}"
    if isinstance(value, pd.Series):
        return f"a Series of length {len(value)}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{type(value).__name__} {value!r}"[:120]


def _numbers_close(value: float, expected: float, rel: float, abs_: float) -> bool:
    return math.isclose(float(value), float(expected), rel_tol=rel, abs_tol=abs_)


def check_value(
    value: object,
    expected: object,
    *,
    name: str,
    hint: str,
    rel: float = 1e-6,
    abs_: float = 1e-9,
) -> bool:
    """Check a value the learner computed (a number, a list, an array, a Series or a DataFrame).

    `hint` says what to look at when the value is wrong, without giving the answer away.
    """
    if not_written(value):
        return _not_yet(name, f"Write the line that computes it. Hint: {hint}")
    if isinstance(expected, (pd.DataFrame, pd.Series)):
        if type(value) is not type(expected):
            return _say(False, f"Not yet: `{name}` should be a {type(expected).__name__}, got {_describe(value)}.")
        if value.shape != expected.shape:
            return _say(False, f"Not yet: `{name}` has shape {value.shape}, expected {expected.shape}. Hint: {hint}")
        if isinstance(expected, pd.DataFrame) and list(value.columns) != list(expected.columns):
            return _say(False, f"Not yet: `{name}` has columns {list(value.columns)}, "
                               f"expected {list(expected.columns)}. Hint: {hint}")
        try:
            pd.testing.assert_frame_equal(value.reset_index(drop=True).to_frame() if isinstance(value, pd.Series)
                                          else value.reset_index(drop=True),
                                          expected.reset_index(drop=True).to_frame() if isinstance(expected, pd.Series)
                                          else expected.reset_index(drop=True),
                                          check_dtype=False, check_names=False, rtol=rel, atol=abs_)
        except AssertionError:
            return _say(False, f"Not yet: `{name}` has the right shape but different values. Hint: {hint}")
        return _say(True, f"Correct: `{name}` matches.")
    if isinstance(expected, (int, float, np.integer, np.floating)) and not isinstance(expected, bool):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            return _say(False, f"Not yet: `{name}` should be a number, got {_describe(value)}.")
        if not _numbers_close(value, expected, rel, abs_):
            shown = f"{float(value):.6g}"
            return _say(False, f"Not yet: `{name}` is {shown}, which is not the expected value. Hint: {hint}")
        return _say(True, f"Correct: `{name}` = {float(value):.6g}.")
    if isinstance(expected, np.ndarray) or (isinstance(expected, (list, tuple)) and not isinstance(value, str)):
        try:
            got, want = np.asarray(value), np.asarray(expected)
        except (TypeError, ValueError):
            return _say(False, f"Not yet: `{name}` should be a sequence, got {_describe(value)}.")
        if got.shape != want.shape:
            return _say(False, f"Not yet: `{name}` has shape {got.shape}, expected {want.shape}. Hint: {hint}")
        same = (np.allclose(got, want, rtol=rel, atol=abs_) if np.issubdtype(want.dtype, np.number)
                and np.issubdtype(got.dtype, np.number) else bool((got == want).all()))
        if not same:
            return _say(False, f"Not yet: `{name}` has the right shape but different values. Hint: {hint}")
        return _say(True, f"Correct: `{name}` matches.")
    if value != expected:
        return _say(False, f"Not yet: `{name}` is {_describe(value)}, which is not the expected value. Hint: {hint}")
    return _say(True, f"Correct: `{name}` matches.")


def check_true(
    conditions: Iterable[tuple[bool | Callable[[], bool], str]], *, name: str, success: str
) -> bool:
    """Check several conditions in order, each with the message to print when it fails; report the first failure.

    A condition is a bool or a function of no arguments, evaluated only when the earlier ones have
    passed, so that ``[(lambda: not not_written(model), "train the model first"),
    (lambda: model.score(X, y) > 0.8, "...")]`` never calls ``score`` on the placeholder. A condition
    that raises counts as failed, with the error named.
    """
    for condition, message in conditions:
        try:
            passed = condition() if callable(condition) else condition
        except Exception as error:  # noqa: BLE001 - the learner's code may fail in any way; say how
            return _say(False, f"Not yet ({name}): {message} ({type(error).__name__}: {error})")
        if not passed:
            return _say(False, f"Not yet ({name}): {message}")
    return _say(True, f"Correct: {success}")
