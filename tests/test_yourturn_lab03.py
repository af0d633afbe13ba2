"""labkit.yourturn.lab03: the self-checks of Lab 03 accept the solutions, name what is wrong, never raise."""

from __future__ import annotations

import pytest
from sklearn.tree import DecisionTreeClassifier

from labkit.datasets import load_dataset
from labkit.quality import AllowedValues, Completeness
from labkit.yourturn import lab03


@pytest.fixture(scope="module")
def clean():
    return load_dataset("credit_data").drop_duplicates(ignore_index=True)


@pytest.mark.parametrize(
    "rule, ok, message",
    [
        (None, False, "still the placeholder"),
        (AllowedValues("Records", ["no", "yes"]), True, 'ColumnValues "Records" in ["no", "yes"]'),
        (AllowedValues("Records", ["no", "yes", "maybe"]), False, "lets the value 'maybe' through"),
        (AllowedValues("Records", ["no"]), False, "violations on the clean table"),
        (AllowedValues("Home", ["no", "yes"]), False, "should check 'Records'"),
        (Completeness("Records", 1.0), False, "Which of the four rule types"),
    ],
)
def test_check_records_rule(clean, capsys, rule, ok, message):
    assert lab03.check_records_rule(rule, clean) is ok
    assert message in capsys.readouterr().out


def test_check_memorising_model_compares_the_gains(capsys):
    tree = DecisionTreeClassifier(max_depth=8)
    assert lab03.check_memorising_model(tree, "larger", lambda model: 0.22, linear_gain=0.016)
    assert "Correct" in capsys.readouterr().out
    assert not lab03.check_memorising_model(tree, "about the same", lambda model: 0.22, linear_gain=0.016)
    assert "Not quite" in capsys.readouterr().out
    assert lab03.check_memorising_model(tree, "about the same", lambda model: 0.03, linear_gain=0.016)
    assert not lab03.check_memorising_model(None, None, lambda model: 0.0, linear_gain=0.016)
    assert "still the placeholder" in capsys.readouterr().out
    assert not lab03.check_memorising_model(tree, "bigger", lambda model: 0.2, linear_gain=0.016)
    assert "is not one of" in capsys.readouterr().out
    assert not lab03.check_memorising_model("a tree", "larger", lambda model: 0.2, linear_gain=0.016)
    assert "scikit-learn classifier" in capsys.readouterr().out


def test_check_memorising_model_reports_a_failing_experiment(capsys):
    def broken(model):
        raise ValueError("no predict_proba on this input")

    assert not lab03.check_memorising_model(DecisionTreeClassifier(), "larger", broken, linear_gain=0.016)
    assert "the experiment failed with your model (ValueError" in capsys.readouterr().out
