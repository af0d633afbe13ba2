"""labkit.yourturn.lab15: the self-checks of Lab 15's "Your turn" tasks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from labkit.yourturn.lab15 import check_seed_layout, check_unscaled, layout_outcome, share_move


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"dollars": rng.normal(20_000, 8_000, 200), "rate": rng.normal(12, 4, 200),
                         "count": rng.poisson(3, 200).astype(float)})


def _scaled_share(table: pd.DataFrame) -> float:
    return float(PCA().fit(StandardScaler().fit_transform(table)).explained_variance_ratio_[0])


def test_share_move_reads_the_direction():
    assert share_move(0.9, 0.3) == "up" and share_move(0.1, 0.3) == "down" and share_move(0.31, 0.3) == "same"
    with pytest.raises(ValueError, match="between 0 and 1"):
        share_move(1.5, 0.3)


def test_check_unscaled_accepts_the_right_fit_and_move(capsys, table):
    assert check_unscaled(PCA().fit(table), "up", table, scaled_share=_scaled_share(table))
    out = capsys.readouterr().out
    assert out.startswith("Correct") and "dollars" in out


@pytest.mark.parametrize(("build", "moves", "message"), [
    (lambda t: None, "up", "still the placeholder"),
    (lambda t: PCA(), "up", "fitted PCA"),
    (lambda t: PCA().fit(t.iloc[:, :2]), "up", "all 3 columns"),
    (lambda t: PCA().fit(StandardScaler().fit_transform(t)), "up", "without the scaler"),
    (lambda t: PCA().fit(t), None, "`first_share_moves` is still the placeholder"),
    (lambda t: PCA().fit(t), "higher", "not one of the options"),
])
def test_check_unscaled_says_what_is_wrong(capsys, table, build, moves, message):
    assert not check_unscaled(build(table), moves, table, scaled_share=_scaled_share(table))
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and message in out


def test_check_unscaled_says_not_quite_for_the_wrong_direction(capsys, table):
    assert not check_unscaled(PCA().fit(table), "down", table, scaled_share=_scaled_share(table))
    assert capsys.readouterr().out.startswith("Not quite")


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return np.random.default_rng(1).normal(size=(80, 2))


def test_layout_outcome_tells_identical_turned_and_different(reference):
    assert layout_outcome(reference.copy(), reference) == ("identical", 1.0)
    turned = reference @ np.array([[0.0, 1.0], [-1.0, 0.0]])
    assert layout_outcome(turned, reference) == ("same neighbours", 1.0)
    outcome, overlap = layout_outcome(np.random.default_rng(2).normal(size=(80, 2)), reference)
    assert outcome == "different" and overlap < 0.5


def test_check_seed_layout_accepts_a_correct_expectation(capsys, reference):
    assert check_seed_layout(reference.copy(), "identical", reference)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(("layout", "expected", "start", "message"), [
    (None, "identical", "Not yet", "still the placeholder"),
    ("a map", "identical", "Not yet", "should be the array"),
    (np.zeros((10, 2)), "identical", "Not yet", "has shape (10, 2)"),
    ("same", None, "Not yet", "`seed_changes` is still the placeholder"),
    ("same", "moved", "Not yet", "not one of the options"),
    ("same", "different", "Not quite", "the same map, point for point"),
])
def test_check_seed_layout_says_what_is_wrong(capsys, reference, layout, expected, start, message):
    given = reference.copy() if isinstance(layout, str) and layout == "same" else layout
    assert not check_seed_layout(given, expected, reference)
    out = capsys.readouterr().out
    assert out.startswith(start) and message in out
