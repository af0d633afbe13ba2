"""labkit.yourturn.lab01: Lab 01's self-checks measure the learner's change and never raise on their input."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from labkit.features import Difference
from labkit.yourturn.lab01 import check_effect, check_onehot


def fake_measure(k: int) -> Difference:
    """Pretend few neighbours are worse, 40 to 60 the same, more neighbours better."""
    if k < 40:
        return Difference(-0.03, -0.05, -0.01, 0.95, "test")
    if k <= 60:
        return Difference(0.001, -0.002, 0.004, 0.95, "test")
    return Difference(0.01, 0.002, 0.018, 0.95, "test")


@pytest.mark.parametrize(
    "value, expected, ok, message",
    [
        (None, None, False, "Not yet: `n_neighbors` is still the placeholder"),
        (5, None, False, "Not yet: `expected_effect` is still the placeholder"),
        (5, "worse", True, "Correct: with n_neighbors=5, ROC-AUC minus k = 50: -0.0300, interval [-0.0500, -0.0100]"),
        (50, "within noise", True, "so within noise"),
        (100, "better", True, "so better"),
        (5, "within noise", False, "Not quite: you expected 'within noise'"),
        (5, "down", False, "use one of ['better', 'within noise', 'worse']"),
        (5.5, "worse", False, "should be a whole number from 1 to 1000"),
        (True, "worse", False, "should be a whole number"),
        (0, "worse", False, "should be a whole number"),
        ("5", "worse", False, "should be a whole number"),
    ],
)
def test_check_effect_compares_the_expected_verdict_with_the_measured_one(capsys, value, expected, ok, message):
    assert check_effect(value, expected, fake_measure, name="n_neighbors", reference="k = 50", high=1000) is ok
    assert message in capsys.readouterr().out


def test_check_effect_reports_a_failing_measurement_instead_of_raising(capsys):
    def broken(k: int) -> Difference:
        raise ValueError("Expected n_neighbors <= n_samples_fit")

    assert check_effect(999, "worse", broken, name="n_neighbors", reference="k = 50", high=1000) is False
    assert "measuring n_neighbors=999 failed (ValueError" in capsys.readouterr().out


@pytest.fixture
def categories() -> pd.DataFrame:
    return pd.DataFrame({
        "contract": pd.Categorical(["Month-to-month", "One year", "Two year", "One year"]),
        "payment_method": pd.Categorical(["Electronic check", "Mailed check", "Mailed check", "Electronic check"]),
    })


@pytest.mark.parametrize(
    "encoder, ok, message",
    [
        (None, False, "Not yet: `onehot` is still the placeholder"),
        (OneHotEncoder(handle_unknown="ignore"), True, "Correct: 5 columns, one per category"),
        (OneHotEncoder(handle_unknown="infrequent_if_exist"), True, "Correct"),
        (OneHotEncoder(), False, "fails on a category it did not see in training"),
        (OneHotEncoder(drop="first", handle_unknown="ignore"), False, "makes 3 columns from 2"),
        (OrdinalEncoder(), False, "makes 2 columns from 2"),
        (StandardScaler(), False, "fitting or applying the encoder failed"),
        ("OneHotEncoder", False, "should be a scikit-learn encoder"),
    ],
)
def test_check_onehot_fits_the_encoder_and_feeds_it_an_unseen_category(capsys, categories, encoder, ok, message):
    assert check_onehot(encoder, categories, unseen_column="payment_method") is ok
    assert message in capsys.readouterr().out


def test_check_onehot_refuses_a_wrong_setup_by_the_lab(categories):
    with pytest.raises(ValueError, match="unseen_column 'plan'"):
        check_onehot(None, categories, unseen_column="plan")
    with pytest.raises(TypeError, match="non-empty DataFrame"):
        check_onehot(None, pd.DataFrame())
