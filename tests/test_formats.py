"""labkit.formats: writing one table in several formats, and measuring reads and scans."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from labkit.formats import (
    ATHENA_MINIMUM_MB,
    FORMATS,
    CountingReader,
    EmptyFrameError,
    FormatError,
    MissingColumnError,
    Timing,
    UnknownFormatError,
    athena_query_cost,
    avro_schema,
    bytes_scanned,
    measure_scan,
    path_for,
    read_format,
    read_parquet_exactly,
    synthetic_bookings,
    time_calls,
    write_format,
    write_formats,
)


@pytest.fixture
def frame() -> pd.DataFrame:
    rows = 400
    rng = np.random.default_rng(0)
    price = rng.gamma(4.0, 25.0, rows).round(2)
    price[3] = np.nan
    return pd.DataFrame(
        {
            "price": price,
            "nights": rng.integers(1, 10, rows),
            "segment": pd.Categorical(rng.choice(["direct", "online", "groups"], rows)),
            "arrival": pd.date_range("2017-01-01", periods=rows, freq="D"),
        }
    ).assign(month=lambda f: f["arrival"].dt.strftime("%Y-%m"))


def test_write_formats_writes_every_format_and_returns_sizes(frame, tmp_path):
    sizes = write_formats(frame, tmp_path)
    assert list(sizes) == list(FORMATS)
    for fmt, size in sizes.items():
        assert path_for(tmp_path, fmt).stat().st_size == size > 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reads_back_the_same_table(frame, tmp_path, fmt):
    path = write_format(frame, tmp_path, fmt)
    back = read_format(path, fmt)
    assert back.shape == frame.shape
    assert list(back.columns) == list(frame.columns)
    np.testing.assert_allclose(back["price"].to_numpy(float), frame["price"].to_numpy(float), equal_nan=True)
    assert back["segment"].astype(str).tolist() == frame["segment"].astype(str).tolist()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_projected_read_returns_only_the_requested_columns(frame, tmp_path, fmt):
    path = write_format(frame, tmp_path, fmt)
    assert list(read_format(path, fmt, ["nights", "price"]).columns) == ["nights", "price"]


def test_sizes_are_the_same_on_every_write(frame, tmp_path):
    first = write_formats(frame, tmp_path / "first")
    second = write_formats(frame, tmp_path / "second")
    assert first == second
    for fmt in ("parquet-zstd", "avro", "orc-zstd"):
        assert path_for(tmp_path / "first", fmt).read_bytes() == path_for(tmp_path / "second", fmt).read_bytes()


def test_avro_schema_embeds_one_nullable_field_per_column(frame):
    schema = avro_schema(frame)
    assert [field["name"] for field in schema["fields"]] == list(frame.columns)
    assert all(field["type"][0] == "null" for field in schema["fields"])
    types = {field["name"]: field["type"][1] for field in schema["fields"]}
    assert types["price"] == "double" and types["nights"] == "long" and types["segment"] == "string"
    assert types["arrival"]["logicalType"] == "timestamp-micros"


@pytest.mark.parametrize(
    "call",
    [
        lambda frame, folder: write_formats(frame, folder, formats=["csv", "xlsx"]),
        lambda frame, folder: write_format(frame, folder, "parquet-lz5"),
        lambda frame, folder: path_for(folder, "feather"),
        lambda frame, folder: read_format(folder / "table.csv", "CSV"),
        lambda frame, folder: bytes_scanned(folder / "table.csv", "json"),
    ],
)
def test_unknown_format_names_fail_and_list_the_known_ones(frame, tmp_path, call):
    with pytest.raises(UnknownFormatError, match="Use one of: csv, jsonl, parquet-snappy"):
        call(frame, tmp_path)
    assert issubclass(UnknownFormatError, ValueError)


@pytest.mark.parametrize("empty", [pd.DataFrame(), pd.DataFrame({"a": []}), pd.DataFrame(index=range(3))])
def test_an_empty_frame_is_refused(tmp_path, empty):
    with pytest.raises(EmptyFrameError, match="empty"):
        write_formats(empty, tmp_path)
    assert issubclass(EmptyFrameError, FormatError)


def test_a_non_frame_is_refused(tmp_path):
    with pytest.raises(TypeError, match="DataFrame"):
        write_formats([[1, 2]], tmp_path)


def test_bytes_scanned_shows_column_projection_only_in_columnar_formats(frame, tmp_path):
    write_formats(frame, tmp_path)
    two = ["price", "nights"]
    for fmt in ("csv", "jsonl", "avro"):
        path = path_for(tmp_path, fmt)
        assert bytes_scanned(path, fmt) == bytes_scanned(path, fmt, two) == path.stat().st_size
    for fmt in ("parquet-snappy", "parquet-zstd"):
        path = path_for(tmp_path, fmt)
        assert bytes_scanned(path, fmt, two) < bytes_scanned(path, fmt) <= path.stat().st_size
    # pyarrow's ORC reader fetches the file's tail in one block, which covers all of a file this small
    path = path_for(tmp_path, "orc-zstd")
    assert bytes_scanned(path, "orc-zstd", two) <= bytes_scanned(path, "orc-zstd") <= path.stat().st_size


def test_reading_an_unknown_column_names_it(frame, tmp_path):
    write_formats(frame, tmp_path)
    for fmt in FORMATS:
        with pytest.raises(MissingColumnError, match="'room'"):
            read_format(path_for(tmp_path, fmt), fmt, ["price", "room"])
    with pytest.raises(KeyError):
        bytes_scanned(path_for(tmp_path, "parquet-zstd"), "parquet-zstd", ["room"])


def test_a_missing_file_says_how_to_create_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="write_format"):
        read_format(tmp_path / "none.csv", "csv")
    with pytest.raises(FileNotFoundError, match="write_format"):
        bytes_scanned(tmp_path / "none.csv", "csv")


def test_counting_reader_counts_each_byte_once(tmp_path):
    path = tmp_path / "bytes.bin"
    path.write_bytes(bytes(range(100)))
    with CountingReader(path) as reader:
        reader.read(10)
        reader.seek(5)
        reader.read(10)  # bytes 5-14: 5 of them are new
        reader.seek(50)
        reader.read(5)
        assert reader.bytes_read == 20


def test_read_parquet_exactly_refuses_other_files(tmp_path):
    with pytest.raises(FormatError, match="PAR1"):
        read_parquet_exactly(io.BytesIO(b"a,b\n1,2\n"))


def test_time_calls_calls_once_more_for_warm_up_and_keeps_every_timing():
    calls = []
    timing = time_calls(lambda: calls.append(1), repeats=3)
    assert len(calls) == 4 and len(timing.seconds) == 3
    assert all(t >= 0 for t in timing.seconds)


def test_timing_reports_the_median_and_the_interquartile_range():
    timing = Timing((0.1, 0.2, 0.3, 0.4, 0.5))
    assert timing.median == pytest.approx(0.3)
    assert timing.quartiles == pytest.approx((0.2, 0.4))


@pytest.mark.parametrize("repeats", [0, 1, -2, 2.5, True])
def test_time_calls_rejects_bad_repeats(repeats):
    with pytest.raises(ValueError, match="repeats"):
        time_calls(lambda: None, repeats=repeats)


def test_time_calls_needs_a_function():
    with pytest.raises(TypeError, match="function"):
        time_calls("pd.read_csv", repeats=3)


# ---------------------------------------------------------------- the synthetic table


def test_synthetic_bookings_is_seeded_sorted_and_shaped_like_hotel_rates():
    first = synthetic_bookings(np.random.default_rng(3), rows=5_000)
    again = synthetic_bookings(np.random.default_rng(3), rows=5_000)
    other = synthetic_bookings(np.random.default_rng(4), rows=5_000)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert len(first) == 5_000 and first["booking_id"].is_unique
    assert first["arrival_date"].is_monotonic_increasing
    assert (first["arrival_date"].dt.strftime("%Y-%m") == first["arrival_month"]).all()
    assert first["arrival_month"].nunique() == 12
    assert {"avg_price_per_room", "lead_time", "market_segment"} <= set(first.columns)
    summer = first.loc[first["arrival_month"].isin(["2025-07", "2025-08"]), "avg_price_per_room"].mean()
    winter = first.loc[first["arrival_month"].isin(["2025-01", "2025-12"]), "avg_price_per_room"].mean()
    assert summer > winter


@pytest.mark.parametrize("rows", [0, -5, 2.5, True])
def test_synthetic_bookings_rejects_bad_rows(rows):
    with pytest.raises(ValueError, match="rows"):
        synthetic_bookings(np.random.default_rng(0), rows=rows)


def test_synthetic_bookings_needs_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        synthetic_bookings(0, rows=10)


# ---------------------------------------------------------------- measure_scan


@pytest.fixture
def bookings_file(tmp_path):
    table = synthetic_bookings(np.random.default_rng(0), rows=60_000)
    path = tmp_path / "bookings.parquet"
    table.to_parquet(path, compression="zstd", row_group_size=5_000, index=False)
    return table, path


def test_measure_scan_counts_a_full_read_as_the_whole_file(bookings_file):
    table, path = bookings_file
    scan = measure_scan(lambda fs: pd.read_parquet(path, filesystem=fs), root=path.parent)
    assert scan.files == ["bookings.parquet"]
    assert len(scan.frame) == len(table)
    assert path.stat().st_size - 8 <= scan.bytes_scanned <= path.stat().st_size


def test_measure_scan_sees_projection_and_row_group_skipping(bookings_file):
    _, path = bookings_file
    columns = ["arrival_date", "avg_price_per_room"]
    full = measure_scan(lambda fs: pd.read_parquet(path, filesystem=fs)).bytes_scanned
    two = measure_scan(lambda fs: pd.read_parquet(path, columns=columns, filesystem=fs)).bytes_scanned
    march = [("arrival_date", ">=", pd.Timestamp("2025-03-01")), ("arrival_date", "<", pd.Timestamp("2025-04-01"))]
    filtered = measure_scan(lambda fs: pd.read_parquet(path, columns=columns, filters=march, filesystem=fs))
    assert filtered.bytes_scanned < two < full
    assert set(filtered.frame["arrival_date"].dt.month) == {3}


def test_measure_scan_lists_only_the_files_a_partition_filter_opens(bookings_file, tmp_path):
    table, _ = bookings_file
    lake = tmp_path / "lake"
    table.to_parquet(lake, partition_cols=["arrival_month"], index=False, basename_template="part-{i}.parquet")
    schema = pa.Schema.from_pandas(table, preserve_index=False)
    scan = measure_scan(
        lambda fs: pd.read_parquet(lake, filters=[("arrival_month", "==", "2025-03")], schema=schema, filesystem=fs),
        root=lake,
    )
    assert scan.files == ["arrival_month=2025-03/part-0.parquet"]
    assert len(scan.frame) == (table["arrival_month"] == "2025-03").sum()


def test_measure_scan_counts_a_byte_read_twice_once(tmp_path):
    path = tmp_path / "bytes.bin"
    path.write_bytes(bytes(range(100)))

    def read_twice(fs):
        for _ in range(2):
            with fs.open_input_file(str(path)) as handle:
                handle.read(60)
        return pd.DataFrame()

    assert measure_scan(read_twice).bytes_scanned == 60


def test_measure_scan_refuses_writes_and_bad_reads(tmp_path):
    with pytest.raises(PermissionError, match="only reads"):
        measure_scan(lambda fs: pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "x.parquet", filesystem=fs))
    with pytest.raises(TypeError, match="function of one argument"):
        measure_scan("pd.read_parquet")
    with pytest.raises(TypeError, match="DataFrame"):
        measure_scan(lambda fs: 42)


# ---------------------------------------------------------------- athena_query_cost


@pytest.mark.parametrize(
    "scanned, billed_mb",
    [(0, 10), (1, 10), (9_999_999, 10), (10_000_000, 10), (10_000_001, 11), (2_500_000_000, 2_500)],
)
def test_athena_bills_whole_megabytes_with_a_minimum(scanned, billed_mb):
    assert athena_query_cost(scanned) == pytest.approx(billed_mb * 1e6 / 1e12 * 5.0)


def test_athena_cost_takes_the_rate_and_the_minimum_as_arguments():
    assert ATHENA_MINIMUM_MB == 10
    assert athena_query_cost(10**12, usd_per_tb=6.25) == pytest.approx(6.25)
    assert athena_query_cost(0, minimum_mb=0) == 0
    assert athena_query_cost(np.int64(3 * 10**12)) == pytest.approx(15.0)


@pytest.mark.parametrize("scanned", [-1, 2.5, "10MB", True, None])
def test_athena_cost_rejects_what_is_not_a_byte_count(scanned):
    with pytest.raises(ValueError, match="bytes_scanned"):
        athena_query_cost(scanned)
