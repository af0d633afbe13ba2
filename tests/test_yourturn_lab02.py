"""labkit.yourturn.lab02: the self-checks of Lab 02's "Your turn" tasks say what is wrong and never raise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labkit.formats import measure_scan, synthetic_bookings
from labkit.yourturn.lab02 import check_projection, check_row_group_choice

COLUMNS = ["market_segment", "avg_price_per_room"]
AUGUST = [("arrival_date", ">=", pd.Timestamp("2025-08-01")), ("arrival_date", "<", pd.Timestamp("2025-09-01"))]


@pytest.fixture(scope="module")
def table():
    return synthetic_bookings(np.random.default_rng(5), rows=50_000)


@pytest.fixture
def path(table, tmp_path):
    path = tmp_path / "bookings.parquet"
    table.to_parquet(path, compression="zstd", row_group_size=5_000, index=False)
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda path: None, "still the placeholder"),
        (lambda path: "market_segment", "should be the DataFrame"),
        (lambda path: pd.read_parquet(path), "9 column(s) too many"),
        (lambda path: pd.read_parquet(path, columns=["market_segment"]), "missing ['avg_price_per_room']"),
        (lambda path: pd.read_parquet(path, columns=COLUMNS, filters=AUGUST), "no filter"),
        (lambda path: pd.read_parquet(path, columns=COLUMNS).assign(avg_price_per_room=0.0), "not the values"),
    ],
)
def test_check_projection_says_what_is_wrong(path, make, message, capsys):
    assert check_projection(make(path), path, COLUMNS, name="segment_prices") is False
    printed = capsys.readouterr().out
    assert printed.startswith("Not yet") and message in printed


def test_check_projection_accepts_the_call_in_either_column_order(path, capsys):
    answer = pd.read_parquet(path, columns=COLUMNS[::-1])
    assert check_projection(answer, path, COLUMNS, name="segment_prices") is True
    assert capsys.readouterr().out.startswith("Correct: 2 columns x 50,000 rows")


@pytest.fixture
def baseline(table, path):
    scan = measure_scan(lambda fs: pd.read_parquet(path, columns=COLUMNS, filters=AUGUST, filesystem=fs))
    return {"table": table, "columns": COLUMNS, "filters": AUGUST, "baseline_rows": 5_000,
            "baseline_bytes": scan.bytes_scanned}


@pytest.mark.parametrize(
    "answer, rows, message",
    [
        (None, 50_000, "still the placeholder"),
        ("less", 50_000, "not one of the options"),
        ("more", 5_000, "still 5,000"),
        ("more", 0, "positive whole number"),
        ("more", 2.5, "positive whole number"),
    ],
)
def test_check_row_group_choice_asks_for_a_choice_and_a_change(baseline, answer, rows, message, capsys):
    assert check_row_group_choice(answer, rows, **baseline) is False
    assert message in capsys.readouterr().out


def test_check_row_group_choice_judges_against_the_measurement(baseline, capsys):
    assert check_row_group_choice("more", 50_000, **baseline) is True
    assert "Correct: With 50,000 rows per group (1 row group)" in capsys.readouterr().out
    assert check_row_group_choice("fewer", 50_000, **baseline) is False
    assert capsys.readouterr().out.startswith("Not quite")
