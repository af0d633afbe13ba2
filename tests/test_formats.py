"""labkit.formats: writing one table in several formats, and measuring reads and scans."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from labkit.formats import (
    FORMATS,
    CountingReader,
    EmptyFrameError,
    FormatError,
    MissingColumnError,
    UnknownFormatError,
    avro_schema,
    bytes_scanned,
    median_read_seconds,
    path_for,
    read_format,
    read_parquet_exactly,
    scan_partitions,
    write_format,
    write_formats,
    write_partitioned,
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
    with pytest.raises(EmptyFrameError):
        write_partitioned(empty, tmp_path / "lake", "a")
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
    with pytest.raises(FileNotFoundError, match="write_partitioned"):
        scan_partitions(tmp_path / "no-lake")


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


def test_median_read_seconds_calls_once_more_for_warm_up():
    calls = []
    seconds = median_read_seconds(lambda: calls.append(1), repeats=3)
    assert len(calls) == 4 and seconds >= 0


@pytest.mark.parametrize("repeats", [0, -2, 2.5, True])
def test_median_read_seconds_rejects_bad_repeats(repeats):
    with pytest.raises(ValueError, match="repeats"):
        median_read_seconds(lambda: None, repeats=repeats)


def test_median_read_seconds_needs_a_function():
    with pytest.raises(TypeError, match="function"):
        median_read_seconds("pd.read_csv", repeats=3)


def test_write_partitioned_makes_hive_folders(frame, tmp_path):
    files = write_partitioned(frame, tmp_path / "lake", "month")
    assert files[0] == "month=2017-01/part-0.parquet"
    assert len(files) == frame["month"].nunique()


def test_a_missing_partition_column_is_named(frame, tmp_path):
    with pytest.raises(MissingColumnError, match="'arrival_month'") as error:
        write_partitioned(frame, tmp_path / "lake", "arrival_month")
    assert isinstance(error.value, KeyError)
    assert "frame.assign" in str(error.value)


def test_a_filter_on_the_partition_key_reads_one_partition(frame, tmp_path):
    lake = tmp_path / "lake"
    write_partitioned(frame, lake, "month")
    pruned = scan_partitions(lake, ["month", "price"], {"month": "2017-03"})
    everything = scan_partitions(lake, ["month", "price"])
    assert pruned.files == ["month=2017-03/part-0.parquet"]
    assert len(everything.files) == frame["month"].nunique()
    assert pruned.bytes_scanned < everything.bytes_scanned
    assert len(pruned.frame) == (frame["month"] == "2017-03").sum()
    assert set(pruned.frame["month"]) == {"2017-03"}
    assert scan_partitions(lake, ["price"]).bytes_scanned < scan_partitions(lake).bytes_scanned


def test_a_filter_on_an_ordinary_column_cannot_prune(frame, tmp_path):
    lake = tmp_path / "lake"
    write_partitioned(frame, lake, "month")
    with pytest.raises(MissingColumnError, match="not a partition key"):
        scan_partitions(lake, ["price"], {"segment": "direct"})
    with pytest.raises(MissingColumnError, match="'room'"):
        scan_partitions(lake, ["room"])
