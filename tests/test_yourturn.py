"""labkit.yourturn: the self-checks of the labs' "Your turn" tasks say what is wrong and never raise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labkit.yourturn import check_choice, check_guess, check_true, check_value, not_written


def test_placeholders_are_not_written():
    assert not_written(None) and not_written(...)
    assert not not_written(0) and not not_written("")


def test_check_guess_reports_the_placeholder_then_the_gap(capsys):
    assert check_guess(None, 0.3, name="guess", what="the threshold", tolerance=0.05) is False
    assert "Not yet: `guess` is still the placeholder" in capsys.readouterr().out
    assert check_guess(0.32, 0.3, name="guess", what="the threshold", tolerance=0.05) is True
    assert "Correct" in capsys.readouterr().out
    assert check_guess(0.5, 0.3, name="guess", what="the threshold", tolerance=0.05) is False
    assert "0.200 too high" in capsys.readouterr().out
    assert check_guess("0.3", 0.3, name="guess", what="the threshold", tolerance=0.05) is False
    assert "should be a number" in capsys.readouterr().out
    with pytest.raises(ValueError, match="tolerance"):
        check_guess(0.3, 0.3, name="guess", what="x", tolerance=-1)


def test_check_choice(capsys):
    options = {"up": "the threshold rises", "down": "the threshold falls"}
    assert check_choice(None, "down", name="answer", options=options, why="w") is False
    assert "'up' (the threshold rises)" in capsys.readouterr().out
    assert check_choice("sideways", "down", name="answer", options=options, why="w") is False
    assert "is not one of the options" in capsys.readouterr().out
    assert check_choice("up", "down", name="answer", options=options, why="w") is False
    assert check_choice("down", "down", name="answer", options=options, why="Because.") is True
    assert "Correct: the threshold falls. Because." in capsys.readouterr().out.splitlines()[-1]
    with pytest.raises(ValueError, match="correct option"):
        check_choice("up", "left", name="answer", options=options, why="w")


@pytest.mark.parametrize(
    "value, expected, ok, message",
    [
        (None, 3.0, False, "still the placeholder"),
        (3.0000001, 3.0, True, "Correct"),
        (2.5, 3.0, False, "not the expected value"),
        ("3", 3.0, False, "should be a number"),
        ([1, 2, 3], [1, 2, 3], True, "Correct"),
        ([1, 2], [1, 2, 3], False, "has shape (2,)"),
        (np.array([1.0, 2.0]), np.array([1.0, 2.5]), False, "different values"),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), True, "Correct"),
        (pd.DataFrame({"b": [1]}), pd.DataFrame({"a": [1]}), False, "has columns ['b']"),
        (pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1]}), False, "has shape (2, 1)"),
        ([1], pd.DataFrame({"a": [1]}), False, "should be a DataFrame"),
        (pd.Series([1.0, 2.0]), pd.Series([1.0, 2.0]), True, "Correct"),
        ("snappy", "zstd", False, "not the expected value"),
    ],
)
def test_check_value(capsys, value, expected, ok, message):
    assert check_value(value, expected, name="x", hint="look again") is ok
    assert message in capsys.readouterr().out


def test_check_true_is_lazy_and_names_errors(capsys):
    model = None
    assert check_true([(lambda: not not_written(model), "train the model first"),
                       (lambda: model.score() > 1, "never evaluated")], name="model", success="ok") is False
    assert "train the model first" in capsys.readouterr().out
    assert check_true([(lambda: 1 / 0 > 0, "divides")], name="x", success="ok") is False
    assert "ZeroDivisionError" in capsys.readouterr().out
    assert check_true([(True, "m")], name="x", success="all good") is True
    assert "Correct: all good" in capsys.readouterr().out
