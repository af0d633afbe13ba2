"""Self-checks of Lab 14's "Your turn" tasks whose expected values would give the answer away.

Each check prints one line (``Correct``, ``Not yet`` ...) and returns True or False; it never
raises, whatever the learner wrote (see `labkit.yourturn`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from labkit.privacy import generalise_age, pseudonymise
from labkit.yourturn import _not_yet, _say, check_value, not_written

DIRECTIONS = {"up": "more applicants are singled out", "down": "fewer applicants are singled out",
              "same": "as many applicants are singled out"}


def check_phone_tokens(phone_tokens: object, applications: pd.DataFrame, key: bytes | str) -> bool:
    """`phone_tokens` must be `applications` with its `phone` column (only) replaced by keyed pseudonyms."""
    if isinstance(phone_tokens, pd.Series):
        return _say(False, "Not yet: `phone_tokens` is one column; keep the whole table, with only `phone` "
                           "replaced by its tokens.")
    expected = pseudonymise(applications, "phone", key=key)
    return check_value(phone_tokens, expected, name="phone_tokens",
                       hint="pseudonymise the `phone` column of `applications` with PSEUDONYM_KEY, the key used "
                            "for the other identifiers, so that the tokens can be joined with theirs.")


def check_wider_bands(
    wider_edges: object,
    share_moves: object,
    frame: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    share_unique: Callable[[pd.DataFrame, list[str]], float],
) -> bool:
    """The learner picks wider age bands and predicts how the share of unique applicants moves."""
    if not_written(wider_edges):
        return _not_yet("wider_edges", "Write fewer, wider bands, for example (18, 35, 55, 120).")
    try:
        edges = [int(edge) for edge in wider_edges]
    except (TypeError, ValueError):
        return _say(False, f"Not yet: `wider_edges` should be a list of ages, got {wider_edges!r}.")
    default = generalise_age(frame, "Age")
    if len(edges) >= len(default["Age"].cat.categories) + 1:
        return _say(False, f"Not yet: {edges} gives {len(edges) - 1} bands, no fewer than the default "
                           f"{len(default['Age'].cat.categories)}. Use fewer, wider bands.")
    try:
        wider = generalise_age(frame, "Age", edges=edges)
    except Exception as error:  # noqa: BLE001 - the learner's edges may be invalid in any way; say how
        return _say(False, f"Not yet: those edges do not work ({type(error).__name__}: {error})")
    if not_written(share_moves):
        listed = ", ".join(repr(option) for option in DIRECTIONS)
        return _not_yet("share_moves", f"Set it to one of {listed}.")
    if share_moves not in DIRECTIONS:
        return _say(False, f"Not yet: {share_moves!r} is not one of {sorted(DIRECTIONS)}.")
    before = share_unique(default, list(quasi_identifiers))
    after = share_unique(wider, list(quasi_identifiers))
    measured = "up" if after > before else "down" if after < before else "same"
    shown = f"the share of applicants unique on {', '.join(quasi_identifiers)} goes from {before:.4f} to {after:.4f}"
    if share_moves == measured:
        return _say(True, f"Correct: {shown}. Wider bands put more applicants in each combination.")
    return _say(False, f"Not quite: you chose {share_moves!r}, but {shown}. Open the solution for why.")
