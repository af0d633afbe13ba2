"""labkit.yourturn.lab09: the self-checks of Lab 09's "Your turn" tasks."""

from __future__ import annotations

import numpy as np
import pytest

from labkit.rollout import m_of_n_alarm
from labkit.yourturn.lab09 import check_threshold_direction, check_two_of_three, lowest_threshold

BREACHING = np.array([True, False, True, False, True, False, False])
HEALTHY = np.random.default_rng(0).binomial(60, 0.13, size=2000) / 60
SETTINGS = {"lab_m": 3, "n": 5, "minutes": 25, "budget": 0.01}


def test_two_of_three_accepts_the_right_call_and_explains_a_wrong_one(capsys):
    assert check_two_of_three(m_of_n_alarm(BREACHING, 2, 3), BREACHING)
    assert capsys.readouterr().out.startswith("Correct")
    assert not check_two_of_three(m_of_n_alarm(BREACHING, 3, 5), BREACHING)
    assert "different values" in capsys.readouterr().out
    assert not check_two_of_three(None, BREACHING)
    assert capsys.readouterr().out.startswith("Not yet")


def test_lowest_threshold_rises_when_fewer_breaching_minutes_are_needed():
    thresholds = [lowest_threshold(HEALTHY, m, 5, 25, 0.01) for m in (1, 3, 5)]
    assert thresholds[0] > thresholds[1] > thresholds[2]
    with pytest.raises(ValueError, match="budget"):
        lowest_threshold(HEALTHY, 3, 5, 25, 1.5)


def test_threshold_direction_is_judged_from_the_measurement(capsys):
    assert check_threshold_direction(1, "up", HEALTHY, **SETTINGS)
    assert capsys.readouterr().out.startswith("Correct")
    assert not check_threshold_direction(1, "down", HEALTHY, **SETTINGS)
    assert "threshold rises" in capsys.readouterr().out
    assert check_threshold_direction(5, "down", HEALTHY, **SETTINGS)
    assert check_threshold_direction(3, "same", HEALTHY, **SETTINGS)
    capsys.readouterr()


@pytest.mark.parametrize(("m_to_try", "direction", "message"), [
    (None, None, "`m_to_try` is still the placeholder"),
    (1, None, "`direction` is still the placeholder"),
    (7, "up", "whole number from 1 to 5"),
    (1.5, "up", "whole number from 1 to 5"),
    (1, "higher", "is not one of"),
])
def test_threshold_direction_never_raises_on_the_learners_values(capsys, m_to_try, direction, message):
    assert not check_threshold_direction(m_to_try, direction, HEALTHY, **SETTINGS)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and message in out
