"""Self-checks of Lab 11's "Your turn" tasks whose expected value would give the answer away.

Each check prints one line that starts with ``Correct`` or ``Not yet`` and returns True or False;
it never raises on the learner's value (see ``labkit.yourturn``).
"""

from __future__ import annotations

import pandas as pd

from labkit.drift import ks_statistic
from labkit.yourturn import check_value

__all__ = ["alarm_week", "check_ks_line", "check_stricter_alarm"]


def check_ks_line(value: object, baseline: pd.DataFrame, window: pd.DataFrame) -> bool:
    """Check `ks_nights`: the KS statistic of `stays_in_week_nights` in the window against the baseline."""
    for name, frame in (("baseline", baseline), ("window", window)):
        if not isinstance(frame, pd.DataFrame) or "stays_in_week_nights" not in frame:
            raise TypeError(f"{name} must be the lab's DataFrame with a stays_in_week_nights column.")
    expected = ks_statistic(baseline["stays_in_week_nights"], window["stays_in_week_nights"])
    return check_value(
        value,
        expected,
        name="ks_nights",
        hint="call ks_statistic with the baseline's column and W1's column of stays_in_week_nights.",
        rel=1e-9,
    )


def alarm_week(quality: pd.DataFrame, threshold: float, m: int, n: int) -> int | None:
    """The week in which an "m out of n" alarm on the injected MAE fires (None if it never does)."""
    if not 1 <= m <= n:
        raise ValueError(f"an alarm needs 1 <= m <= n, got m={m}, n={n}.")
    missing = {"injected MAE", "labels arrive"} - set(quality.columns)
    if missing:
        raise KeyError(f"quality needs the columns {sorted(missing)} of the lab's quality table.")
    breaches = (quality["injected MAE"] > threshold).astype(int)
    firing = breaches.rolling(n).sum()
    firing = firing[firing >= m]
    return None if firing.empty else int(quality.loc[firing.index[0], "labels arrive"])


def check_stricter_alarm(value: object, quality: pd.DataFrame, threshold: float) -> bool:
    """Check `stricter_alarm_week`: the week a 3-out-of-3 retraining alarm fires."""
    return check_value(
        value,
        alarm_week(quality, threshold, m=3, n=3),
        name="stricter_alarm_week",
        hint="call retraining_alarm_week(quality, m=3, n=3) and keep what it returns.",
    )
