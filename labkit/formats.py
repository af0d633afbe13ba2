"""Write one table in several file formats and measure what reading it costs.

Lab 02 compares CSV, JSON Lines, Parquet (Snappy and Zstandard), Avro and ORC on the same table:
the bytes each file takes, the bytes a reader must pull from it for a full read and for a read of
two columns, and the time those reads take. It then generates a seeded table of a million rows
(`synthetic_bookings`), writes it with `DataFrame.to_parquet`, and counts the bytes that
`pandas.read_parquet` pulls (`measure_scan`) with column projection, row-group statistics and
Hive-style partitions, and what Amazon Athena would bill for them (`athena_query_cost`).

Every writer uses fixed settings, so the same table gives files of the same size on any machine
with the pinned package versions. Avro is written without a block codec on purpose: its codecs
(deflate) go through the system's zlib, whose builds differ between machines, while Parquet's
and ORC's codecs ship inside pyarrow.
"""

from __future__ import annotations

import io
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import fastavro
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.orc as orc
import pyarrow.parquet as pq

from labkit.errors import MessageKeyError

FORMATS = ("csv", "jsonl", "parquet-snappy", "parquet-zstd", "avro", "orc-zstd")
SUFFIXES = {
    "csv": "csv",
    "jsonl": "jsonl",
    "parquet-snappy": "snappy.parquet",
    "parquet-zstd": "zstd.parquet",
    "avro": "avro",
    "orc-zstd": "zstd.orc",
}
COLUMNAR_FORMATS = ("parquet-snappy", "parquet-zstd", "orc-zstd")
DEFAULT_STEM = "table"


class FormatError(ValueError):
    """A format name, a frame or a read request that the helpers cannot handle."""


class UnknownFormatError(FormatError):
    """The format name is not one of FORMATS."""


class EmptyFrameError(FormatError):
    """The frame has no rows or no columns, so there is nothing to compare."""


class MissingColumnError(MessageKeyError):
    """A requested column (or partition column) is not in the data."""


def _check_format(fmt: str) -> str:
    if fmt not in SUFFIXES:
        raise UnknownFormatError(f"Unknown format {fmt!r}. Use one of: {', '.join(FORMATS)}.")
    return fmt


def _check_frame(frame: pd.DataFrame) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}.")
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise EmptyFrameError(
            f"The frame is empty ({frame.shape[0]} rows, {frame.shape[1]} columns); "
            "load or build a table with at least one row and one column before writing it."
        )


def _check_columns(available: Sequence[str], columns: Sequence[str] | None, where: str) -> None:
    if columns is None:
        return
    missing = [c for c in columns if c not in available]
    if missing:
        raise MissingColumnError(
            f"Column(s) {', '.join(map(repr, missing))} not in {where}. Available: {', '.join(available)}."
        )


def path_for(folder: Path | str, fmt: str, stem: str = DEFAULT_STEM) -> Path:
    """The file that `write_formats` writes for format `fmt` in `folder`."""
    return Path(folder) / f"{stem}.{SUFFIXES[_check_format(fmt)]}"


def _plain_arrow_table(frame: pd.DataFrame) -> pa.Table:
    """An Arrow table with categories turned back into plain strings (ORC and Avro have no dictionary type)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = {
        name: column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column
        for name, column in zip(table.column_names, table.columns, strict=True)
    }
    return pa.table(columns)


def _avro_type(arrow_type: pa.DataType) -> object:
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "long"
    if pa.types.is_floating(arrow_type):
        return "double"
    if pa.types.is_timestamp(arrow_type):
        return {"type": "long", "logicalType": "timestamp-micros"}
    return "string"


def avro_schema(frame: pd.DataFrame, name: str = "record") -> dict:
    """The Avro record schema `write_formats` embeds: one nullable field per column."""
    table = _plain_arrow_table(frame)
    fields = [{"name": field.name, "type": ["null", _avro_type(field.type)]} for field in table.schema]
    return {"type": "record", "name": name, "fields": fields}


def _write_avro(frame: pd.DataFrame, path: Path) -> None:
    schema = fastavro.parse_schema(avro_schema(frame))
    records = _plain_arrow_table(frame).to_pylist()
    # A fixed sync marker keeps the bytes identical from run to run (fastavro draws a random one otherwise).
    with path.open("wb") as handle:
        fastavro.writer(handle, schema, records, codec="null", sync_marker=b"mla-course-sync!")


def write_format(frame: pd.DataFrame, folder: Path | str, fmt: str, stem: str = DEFAULT_STEM) -> Path:
    """Write `frame` to `folder` in format `fmt` with fixed settings and return the file's path."""
    _check_format(fmt)
    _check_frame(frame)
    path = path_for(folder, fmt, stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True, date_format="iso")
    elif fmt.startswith("parquet-"):
        codec = fmt.removeprefix("parquet-")
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, compression=codec)
    elif fmt == "avro":
        _write_avro(frame, path)
    else:  # orc-zstd
        orc.write_table(_plain_arrow_table(frame), path, compression="zstd")
    return path


def write_formats(
    frame: pd.DataFrame, folder: Path | str, formats: Sequence[str] = FORMATS, stem: str = DEFAULT_STEM
) -> dict[str, int]:
    """Write `frame` once per format into `folder`; return each file's size in bytes, by format."""
    for fmt in formats:
        _check_format(fmt)
    _check_frame(frame)
    return {fmt: write_format(frame, folder, fmt, stem).stat().st_size for fmt in formats}


def _read(source: Path | io.RawIOBase, fmt: str, columns: Sequence[str] | None) -> pd.DataFrame:
    """Read one file, projecting `columns` as early as the format allows."""
    wanted = list(columns) if columns is not None else None
    if fmt == "csv":
        frame = pd.read_csv(source, usecols=wanted)  # parses only those columns, but scans every byte
    elif fmt == "jsonl":
        frame = pd.read_json(source, lines=True)  # every line must be parsed to find the keys
    elif fmt.startswith("parquet-"):
        if isinstance(source, Path):
            with source.open("rb") as handle:
                frame = read_parquet_exactly(handle, wanted).to_pandas()
        else:
            frame = read_parquet_exactly(source, wanted).to_pandas()
    elif fmt == "orc-zstd":
        frame = orc.ORCFile(source).read(columns=wanted).to_pandas()
    else:  # avro: a row format, every record is decoded in full
        frame = _read_avro(source)
    if wanted is not None:
        _check_columns(list(frame.columns), wanted, "the file")
        frame = frame[wanted]  # in the order asked for (CSV and ORC keep the file's order)
    return frame


def read_parquet_exactly(handle: io.RawIOBase | io.BufferedIOBase, columns: Sequence[str] | None = None) -> pa.Table:
    """Read a Parquet file the way a query engine does: the footer, then only the needed column chunks.

    The last 8 bytes give the footer's length; the footer (the file's metadata) gives each column
    chunk's offset and size. Reading the footer by its exact length, instead of pyarrow's default
    64 KiB guess, keeps the byte count to what the query needs.
    """
    handle.seek(-8, io.SEEK_END)
    tail = handle.read(8)
    if tail[4:] != b"PAR1":
        raise FormatError("Not a Parquet file: it does not end with the magic bytes PAR1.")
    footer_length = int.from_bytes(tail[:4], "little")
    handle.seek(-(8 + footer_length), io.SEEK_END)
    metadata = pq.read_metadata(pa.BufferReader(handle.read(footer_length + 8)))
    return pq.ParquetFile(handle, metadata=metadata).read(columns=None if columns is None else list(columns))


def _read_avro(source: Path | io.RawIOBase) -> pd.DataFrame:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return pd.DataFrame.from_records(list(fastavro.reader(handle)))
    return pd.DataFrame.from_records(list(fastavro.reader(source)))


def _file_columns(path: Path, fmt: str) -> list[str]:
    if fmt.startswith("parquet-"):
        return list(pq.read_schema(path).names)
    if fmt == "orc-zstd":
        return list(orc.ORCFile(path).schema.names)
    if fmt == "csv":
        return list(pd.read_csv(path, nrows=0).columns)
    return []  # JSON Lines and Avro: checked after the read


def _existing_file(path: Path | str, fmt: str, columns: Sequence[str] | None) -> Path:
    """Check the format name, that the file exists and that it has `columns`; return its Path."""
    _check_format(fmt)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No file at {path}; write it first with write_format or write_formats.")
    available = _file_columns(path, fmt)
    if available:
        _check_columns(available, columns, path.name)
    return path


def read_format(path: Path | str, fmt: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a file written by `write_format`, all columns or only `columns`."""
    path = _existing_file(path, fmt, columns)
    return _read(path, fmt, columns)


class _RangeRecorder(io.RawIOBase):
    """A binary file that appends every (start, end) range it reads to a shared list."""

    def __init__(self, path: str, ranges: list[tuple[int, int]]) -> None:
        super().__init__()
        self._handle = Path(path).open("rb")
        self._ranges = ranges

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - any writable buffer
        start = self._handle.tell()
        count = self._handle.readinto(buffer) or 0
        if count:
            self._ranges.append((start, start + count))
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def close(self) -> None:
        self._handle.close()
        super().close()


def _distinct_bytes(ranges: list[tuple[int, int]]) -> int:
    total, covered_to = 0, 0
    for start, end in sorted(ranges):
        start = max(start, covered_to)
        if end > start:
            total += end - start
            covered_to = end
    return total


class CountingReader(_RangeRecorder):
    """A read-only binary file that records which of its bytes a reader actually pulls from disk.

    `bytes_read` counts each byte once, however often it is read: a Parquet reader reads the
    footer first and may read it again with the data, but a byte scanned twice costs one byte.
    """

    def __init__(self, path: Path | str) -> None:
        super().__init__(str(path), [])

    @property
    def bytes_read(self) -> int:
        """Distinct bytes read so far (the union of the byte ranges read)."""
        return _distinct_bytes(self._ranges)


def bytes_scanned(path: Path | str, fmt: str, columns: Sequence[str] | None = None) -> int:
    """Bytes a reader pulls from the file to read all columns, or only `columns`.

    Measured, not estimated: the file is read through CountingReader. A row format (CSV, JSON
    Lines, Avro) must be read in full whatever the columns; a columnar one reads its footer and
    the chunks of the requested columns.
    """
    path = _existing_file(path, fmt, columns)
    with CountingReader(path) as counter:
        _read(counter, fmt, columns)
        return counter.bytes_read


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of repeated calls: their median and interquartile range."""

    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def quartiles(self) -> tuple[float, float]:
        """The first and third quartiles (the interquartile range's ends)."""
        q1, _, q3 = statistics.quantiles(self.seconds, n=4, method="inclusive")
        return q1, q3


def time_calls(call: Callable[[], object], repeats: int = 7) -> Timing:
    """Time `repeats` calls of `call` (after one untimed warm-up call) and return every timing.

    Report the median with the interquartile range: the spread says how far one run can be
    trusted on a machine that is doing other work. The warm-up call keeps one-off costs
    (imports, the first disk read) out of the measurement.
    """
    if not callable(call):
        raise TypeError(f"call must be a function that takes no arguments, got {type(call).__name__}.")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 2:
        raise ValueError(f"repeats must be an integer of at least 2 (a spread needs two timings), got {repeats!r}.")
    call()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return Timing(tuple(timings))


# ---------------------------------------------------------------- a table big enough for the data to dominate

SEGMENTS = ["online_travel_agent", "offline_travel_agent", "direct", "corporate", "groups"]


def synthetic_bookings(rng: np.random.Generator, rows: int = 1_000_000, year: int = 2025) -> pd.DataFrame:
    """A seeded booking table shaped like hotel_rates, `rows` long and sorted by arrival date.

    Arrival days are uniform over `year`, room prices follow a seasonal curve that peaks in
    summer, and `arrival_month` ("2025-08") is there to partition on. Rows come sorted by arrival
    date, as in a table that grows day by day.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (rng = start(seed=0)), got {type(rng).__name__}.")
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise ValueError(f"rows must be a positive integer, got {rows!r}.")
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    day = np.sort(rng.integers(0, len(days), rows))
    season = 1 + 0.35 * np.sin(2 * np.pi * (np.arange(len(days)) - 100) / len(days))
    segment = rng.choice(len(SEGMENTS), rows, p=[0.5, 0.2, 0.15, 0.1, 0.05])
    return pd.DataFrame(
        {
            "booking_id": np.arange(1, rows + 1),
            "arrival_date": days[day],
            "arrival_month": days.strftime("%Y-%m")[day],
            "lead_time": rng.poisson(80, rows),
            "stays_in_weekend_nights": rng.integers(0, 3, rows),
            "stays_in_week_nights": rng.integers(0, 6, rows),
            "adults": rng.choice([1, 2, 3], rows, p=[0.2, 0.7, 0.1]),
            "children": rng.choice([0, 1, 2], rows, p=[0.85, 0.1, 0.05]),
            "market_segment": pd.Categorical.from_codes(segment, SEGMENTS),
            "total_of_special_requests": rng.poisson(0.6, rows),
            "avg_price_per_room": (rng.gamma(4.0, 26.0, rows) * season[day]).round(2),
        }
    )


# ---------------------------------------------------------------- counting the bytes pandas.read_parquet pulls


class _CountingHandler(pafs.FileSystemHandler):
    """A read-only local filesystem for pyarrow that records the byte ranges read from each file."""

    def __init__(self) -> None:
        self._local = pafs.LocalFileSystem()
        self.ranges: dict[str, list[tuple[int, int]]] = {}

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return id(self)

    def get_type_name(self) -> str:
        return "counting-local"

    def normalize_path(self, path: str) -> str:
        return self._local.normalize_path(path)

    def get_file_info(self, paths):  # noqa: ANN001, ANN201 - pyarrow's handler interface
        return self._local.get_file_info(paths)

    def get_file_info_selector(self, selector):  # noqa: ANN001, ANN201
        return self._local.get_file_info(selector)

    def open_input_file(self, path: str) -> pa.PythonFile:
        return pa.PythonFile(_RangeRecorder(path, self.ranges.setdefault(path, [])), mode="r")

    def open_input_stream(self, path: str) -> pa.PythonFile:
        return self.open_input_file(path)

    def _read_only(self, *args: object, **kwargs: object) -> None:
        raise PermissionError("measure_scan's filesystem only reads; write the files before measuring.")

    create_dir = delete_dir = delete_dir_contents = delete_root_dir_contents = _read_only
    delete_file = move = copy_file = open_output_stream = open_append_stream = _read_only


@dataclass(frozen=True)
class Scan:
    """What one read pulled from disk: the rows it returned, the files it read from and the bytes."""

    frame: pd.DataFrame
    files: list[str]
    bytes_scanned: int


def measure_scan(read: Callable[[pafs.FileSystem], pd.DataFrame], root: Path | str | None = None) -> Scan:
    """Run `read(filesystem)` on a filesystem that counts the bytes the reader pulls from each file.

    `read` receives a pyarrow filesystem to pass on, for example
    ``measure_scan(lambda fs: pd.read_parquet(path, columns=["price"], filesystem=fs))``.
    A byte counts once per file however often it is read; `files` lists the files that had any
    byte read (relative to `root` when given), so a file that was never opened is not in it.
    """
    if not callable(read):
        raise TypeError(
            "read must be a function of one argument, the filesystem, e.g. "
            f"lambda fs: pd.read_parquet(path, filesystem=fs); got {type(read).__name__}."
        )
    handler = _CountingHandler()
    frame = read(pafs.PyFileSystem(handler))
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"read must return the DataFrame it read, got {type(frame).__name__}.")
    opened = sorted(path for path, ranges in handler.ranges.items() if ranges)
    names = [Path(p).relative_to(root).as_posix() if root is not None else p for p in opened]
    total = sum(_distinct_bytes(handler.ranges[p]) for p in opened)
    return Scan(frame=frame, files=names, bytes_scanned=total)


# ---------------------------------------------------------------- what Athena bills

ATHENA_USD_PER_TB = 5.0  # SQL queries, us-east-1, checked 2026-12-04 (sources in Lab 02)
ATHENA_MINIMUM_MB = 10


def athena_query_cost(
    bytes_scanned: int, usd_per_tb: float = ATHENA_USD_PER_TB, minimum_mb: int = ATHENA_MINIMUM_MB
) -> float:
    """Dollars Athena bills for one SQL query that scans `bytes_scanned` bytes.

    The bytes are rounded up to the next megabyte, and a query is billed at least `minimum_mb`
    megabytes. A megabyte is taken as 10**6 bytes and a terabyte as 10**12.
    """
    if isinstance(bytes_scanned, bool) or not isinstance(bytes_scanned, (int, np.integer)) or bytes_scanned < 0:
        raise ValueError(f"bytes_scanned must be a whole number of bytes, zero or more; got {bytes_scanned!r}.")
    billed_mb = max(math.ceil(bytes_scanned / 10**6), minimum_mb)
    return billed_mb * 10**6 / 10**12 * usd_per_tb
