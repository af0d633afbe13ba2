"""Write one table in several file formats and measure what reading it costs.

Lab 02 compares CSV, JSON Lines, Parquet (Snappy and Zstandard), Avro and ORC on the same table:
the bytes each file takes, the bytes a reader must pull from it for a full read and for a read of
two columns, and the time those reads take. It then partitions a Parquet copy Hive-style
(`key=value` folders) and counts the bytes a query scans with and without a filter on the
partition key, which is what Amazon Athena bills.

Every writer uses fixed settings, so the same table gives files of the same size on any machine
with the pinned package versions. Avro is written without a block codec on purpose: its codecs
(deflate) go through the system's zlib, whose builds differ between machines, while Parquet's
and ORC's codecs ship inside pyarrow.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import fastavro
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
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


class CountingReader(io.RawIOBase):
    """A read-only binary file that records which of its bytes a reader actually pulls from disk.

    `bytes_read` counts each byte once, however often it is read: a Parquet reader reads the
    footer first and may read it again with the data, but a byte scanned twice costs one byte.
    """

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self._handle = Path(path).open("rb")
        self._ranges: list[tuple[int, int]] = []

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

    @property
    def bytes_read(self) -> int:
        """Distinct bytes read so far (the union of the byte ranges read)."""
        total, covered_to = 0, 0
        for start, end in sorted(self._ranges):
            start = max(start, covered_to)
            if end > start:
                total += end - start
                covered_to = end
        return total


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


def median_read_seconds(read: Callable[[], object], repeats: int = 5) -> float:
    """Median wall-clock seconds of `repeats` calls of `read` (after one untimed warm-up call).

    The median ignores the odd slow call caused by other work on the machine; the warm-up call
    keeps one-off costs (imports, the first disk read) out of the measurement.
    """
    if not callable(read):
        raise TypeError(f"read must be a function that takes no arguments, got {type(read).__name__}.")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}.")
    read()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        read()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def write_partitioned(
    frame: pd.DataFrame, folder: Path | str, partition_column: str, compression: str = "zstd"
) -> list[str]:
    """Write `frame` as Parquet files under Hive-style `partition_column=value/` folders.

    Returns the files written, relative to `folder`, sorted. The partition column is stored in the
    folder names, not inside the files (as Athena and AWS Glue expect).
    """
    _check_frame(frame)
    if partition_column not in frame.columns:
        raise MissingColumnError(
            f"Partition column {partition_column!r} is not in the frame. "
            f"Add it first (e.g. frame.assign({partition_column}=...)) or choose one of: {', '.join(frame.columns)}."
        )
    folder = Path(folder)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    ds.write_dataset(
        table,
        folder,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([table.schema.field(partition_column)]), flavor="hive"),
        basename_template="part-{i}.parquet",
        file_options=ds.ParquetFileFormat().make_write_options(compression=compression),
        existing_data_behavior="delete_matching",
        use_threads=False,  # one thread keeps the row order, and so the file sizes, fixed
    )
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet"))


@dataclass(frozen=True)
class PartitionScan:
    """What a query over a partitioned folder read: its rows, its files and its bytes."""

    frame: pd.DataFrame
    files: list[str]
    bytes_scanned: int


def scan_partitions(
    folder: Path | str,
    columns: Sequence[str] | None = None,
    partition_filter: dict[str, object] | None = None,
) -> PartitionScan:
    """Read `columns` from a Hive-partitioned Parquet folder, pruning partitions by `partition_filter`.

    `partition_filter` maps partition keys to the value to keep ({"arrival_month": "2017-08"}).
    Partition pruning happens on folder names alone: files of other partitions are never opened.
    Bytes are counted with CountingReader, file by file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"No folder at {folder}; write it first with write_partitioned.")
    dataset = ds.dataset(folder, format="parquet", partitioning="hive")
    partition_keys = list(dataset.partitioning.schema.names) if dataset.partitioning is not None else []
    expression = None
    for key, value in (partition_filter or {}).items():
        if key not in partition_keys:
            raise MissingColumnError(
                f"{key!r} is not a partition key of {folder.name}; "
                f"partition keys: {', '.join(partition_keys) or 'none'}. "
                "A filter on an ordinary column cannot prune partitions: apply it to the rows you read instead."
            )
        condition = ds.field(key) == value
        expression = condition if expression is None else expression & condition
    _check_columns(dataset.schema.names, columns, folder.name)
    fragments = sorted(dataset.get_fragments(filter=expression), key=lambda f: f.path)
    pieces, total_bytes = [], 0
    for fragment in fragments:
        keys = ds.get_partition_keys(fragment.partition_expression)
        file_columns = None if columns is None else [c for c in columns if c not in keys]
        with CountingReader(fragment.path) as counter:
            piece = read_parquet_exactly(counter, file_columns).to_pandas()
            total_bytes += counter.bytes_read
        for key, value in keys.items():
            if columns is None or key in columns:
                piece[key] = value
        pieces.append(piece if columns is None else piece[list(columns)])
    frame = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=list(columns or []))
    files = [Path(f.path).relative_to(folder).as_posix() for f in fragments]
    return PartitionScan(frame=frame, files=files, bytes_scanned=total_bytes)
