"""Lab 02's conclusions hold under seeds other than the lab's own (0).

The lab's Summary concludes, on a seeded table of a million bookings written with the lab's own
settings: column data dominates a read (the footer is under 1% of a two-column read); a one-month
filter on `arrival_date` skips row groups when the rows are sorted by date and skips nothing when
the same rows are shuffled; a filter on the partition key opens one file of twelve and reads a
small share of the unfiltered bytes, less than the same filter on `arrival_date`; and Athena bills
every such query the 10 MB minimum, so pruning cuts the bill only from a few million rows on.
On `hotel_rates` it concludes that Parquet and ORC are over ten times smaller than CSV, JSON Lines
larger, and that a two-column read takes every byte of a row format but a fraction of a columnar one.

Each seed regenerates the table with `labkit.formats.synthetic_bookings` (the code the lab shows in
its `#@save` cell) and repeats the lab's `to_parquet` writes and `read_parquet` calls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from labkit.datasets import load_dataset
from labkit.formats import (
    ATHENA_MINIMUM_MB,
    athena_query_cost,
    bytes_scanned,
    measure_scan,
    path_for,
    synthetic_bookings,
    write_formats,
)

SEEDS = (1, 2)
TWO_COLUMNS = ["arrival_date", "avg_price_per_room"]
MONTHS = ("2025-02", "2025-08", "2025-12")  # a short, a summer and a last month


def _month_filter(month: str) -> list[tuple[str, str, pd.Timestamp]]:
    start = pd.Timestamp(f"{month}-01")
    return [("arrival_date", ">=", start), ("arrival_date", "<", start + pd.offsets.MonthBegin(1))]


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def measured(request, tmp_path_factory):
    """The lab's writes and reads of the million-row table, under one seed."""
    rng = np.random.default_rng(request.param)
    folder = tmp_path_factory.mktemp(f"lab02-seed{request.param}")
    big = synthetic_bookings(rng, rows=1_000_000)
    sorted_path, shuffled_path, lake = folder / "sorted.parquet", folder / "shuffled.parquet", folder / "lake"
    big.to_parquet(sorted_path, compression="zstd", row_group_size=100_000, index=False)
    big.iloc[rng.permutation(len(big))].to_parquet(
        shuffled_path, compression="zstd", row_group_size=100_000, index=False
    )
    big.to_parquet(lake, partition_cols=["arrival_month"], compression="zstd", index=False,
                   basename_template="part-{i}.parquet", use_threads=False)
    schema = pa.Schema.from_pandas(big, preserve_index=False)

    def scan(path, **options):
        return measure_scan(lambda fs: pd.read_parquet(path, columns=TWO_COLUMNS, filesystem=fs, **options),
                            root=lake if path == lake else None)

    found = {"footer": pq.read_metadata(sorted_path).serialized_size + 8}
    found["full"] = sorted_path.stat().st_size  # a full read pulls the whole file (tests/test_formats.py)
    found["two"] = scan(sorted_path).bytes_scanned
    found["shuffled two"] = scan(shuffled_path).bytes_scanned
    found["sorted month shares"] = [scan(sorted_path, filters=_month_filter(m)).bytes_scanned / found["two"]
                                    for m in MONTHS]
    found["shuffled month shares"] = [
        scan(shuffled_path, filters=_month_filter(m)).bytes_scanned / found["shuffled two"] for m in MONTHS
    ]
    found["lake no filter"] = scan(lake, schema=schema)
    found["lake partition"] = {m: scan(lake, schema=schema, filters=[("arrival_month", "==", m)]) for m in MONTHS}
    found["lake by date"] = scan(lake, schema=schema, filters=_month_filter("2025-08"))
    files = sorted(lake.rglob("*.parquet"))
    found["lake bytes"] = sum(f.stat().st_size for f in files)
    found["lake footers"] = sum(pq.read_metadata(f).serialized_size + 8 for f in files)
    found["lake files"] = len(files)
    return found


def test_column_data_dominates_a_two_column_read(measured):
    assert measured["footer"] < 0.01 * measured["two"]
    assert measured["two"] < 0.5 * measured["full"]
    assert measured["lake footers"] < 0.02 * measured["lake bytes"]


def test_row_group_statistics_skip_only_when_the_rows_are_sorted(measured):
    assert max(measured["sorted month shares"]) < 0.3
    assert min(measured["shuffled month shares"]) > 0.95


def test_a_partition_filter_opens_one_file_and_reads_least(measured):
    unfiltered = measured["lake no filter"].bytes_scanned
    assert measured["lake files"] == len(measured["lake no filter"].files) == 12
    for month, scan in measured["lake partition"].items():
        assert scan.files == [f"arrival_month={month}/part-0.parquet"]
        assert scan.bytes_scanned < 0.15 * unfiltered
    by_date = measured["lake by date"]
    assert len(by_date.files) == 12
    assert measured["lake partition"]["2025-08"].bytes_scanned < by_date.bytes_scanned < unfiltered
    pd.testing.assert_frame_equal(by_date.frame.reset_index(drop=True),
                                  measured["lake partition"]["2025-08"].frame.reset_index(drop=True))


def test_athena_bills_the_minimum_until_a_few_million_rows(measured):
    unfiltered = measured["lake no filter"].bytes_scanned
    pruned = measured["lake partition"]["2025-08"].bytes_scanned
    assert athena_query_cost(unfiltered) == athena_query_cost(pruned) == athena_query_cost(0)
    assert 1 < ATHENA_MINIMUM_MB * 10**6 / unfiltered < 10  # break-even, in millions of rows
    assert athena_query_cost(100 * unfiltered) / athena_query_cost(100 * pruned) > 5


@pytest.mark.parametrize("seed", SEEDS)
def test_the_format_ranking_holds_on_another_sample_of_hotel_rates(seed, tmp_path):
    bookings = load_dataset("hotel_rates")
    keep = np.sort(np.random.default_rng(seed).choice(len(bookings), size=len(bookings) // 2, replace=False))
    sample = bookings.iloc[keep].reset_index(drop=True)
    formats = ["csv", "jsonl", "parquet-zstd", "orc-zstd"]
    sizes = write_formats(sample, tmp_path, formats=formats)
    assert sizes["csv"] > 10 * sizes["parquet-zstd"] and sizes["csv"] > 10 * sizes["orc-zstd"]
    assert sizes["jsonl"] > 4 * sizes["csv"]
    two = ["arrival_date", "avg_price_per_room"]
    csv = path_for(tmp_path, "csv")
    assert bytes_scanned(csv, "csv", two) == bytes_scanned(csv, "csv") == sizes["csv"]
    parquet = path_for(tmp_path, "parquet-zstd")
    assert bytes_scanned(parquet, "parquet-zstd", two) < 0.5 * bytes_scanned(parquet, "parquet-zstd")
