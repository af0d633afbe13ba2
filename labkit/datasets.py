"""Load the course datasets by name, verified against their manifest.

Every dataset in `datasets/` has an entry in `datasets/manifest.yml`: its file, SHA-256 checksum,
row count and the type of every column. `load_dataset` refuses a file whose bytes or columns do not
match, with an error that names the file or the column and says how to repair it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from labkit.errors import MessageKeyError
from labkit.paths import datasets_dir

SCHEMA_TYPES = ("int64", "float64", "category", "date")
REPAIR_HINT = (
    "Restore it with `git checkout -- datasets/` or rebuild it with "
    "`.venv/bin/python datasets/build_datasets.py`."
)


class DatasetError(Exception):
    """Base class of the errors `load_dataset` raises."""


class UnknownDatasetError(DatasetError, MessageKeyError):
    """The name is not in the manifest."""


class ChecksumError(DatasetError):
    """The file's bytes differ from the checksum recorded in the manifest."""


class SchemaError(DatasetError):
    """A column is missing, unexpected, or holds values of the wrong type."""


@dataclass(frozen=True)
class DatasetInfo:
    """One dataset's manifest entry."""

    name: str
    path: Path
    sha256: str
    rows: int
    target: str
    columns: dict[str, str]
    source: str
    datasheet: Path


def _read_manifest(data_dir: Path) -> dict:
    manifest_path = data_dir / "manifest.yml"
    if not manifest_path.exists():
        raise DatasetError(f"No manifest at {manifest_path}. {REPAIR_HINT}")
    try:
        return yaml.safe_load(manifest_path.read_text(encoding="utf-8"))["datasets"]
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise DatasetError(f"{manifest_path} is not a valid manifest ({exc}). {REPAIR_HINT}") from exc


def list_datasets(data_dir: Path | None = None) -> list[str]:
    """The names of the datasets the manifest lists, in its order."""
    return list(_read_manifest(data_dir or datasets_dir()))


def dataset_info(name: str, data_dir: Path | None = None) -> DatasetInfo:
    """The manifest entry of dataset `name`."""
    data_dir = data_dir or datasets_dir()
    manifest = _read_manifest(data_dir)
    if name not in manifest:
        known = ", ".join(manifest)
        raise UnknownDatasetError(f"Unknown dataset {name!r}. Known datasets: {known}.")
    entry = manifest[name]
    for column, kind in entry["columns"].items():
        if kind not in SCHEMA_TYPES:
            raise DatasetError(
                f"manifest.yml gives column {column!r} of {name!r} the type {kind!r}; "
                f"use one of {', '.join(SCHEMA_TYPES)}."
            )
    return DatasetInfo(
        name=name,
        path=data_dir / entry["file"],
        sha256=entry["sha256"],
        rows=int(entry["rows"]),
        target=entry["target"],
        columns=dict(entry["columns"]),
        source=entry["source"],
        datasheet=data_dir / entry["datasheet"],
    )


def sha256_of(path: Path) -> str:
    """The SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksum(info: DatasetInfo) -> None:
    """Raise ChecksumError unless the file's bytes match the manifest."""
    if not info.path.exists():
        raise ChecksumError(f"Dataset file {info.path} is missing. {REPAIR_HINT}")
    actual = sha256_of(info.path)
    if actual != info.sha256:
        raise ChecksumError(
            f"Checksum mismatch for {info.path.name}: expected {info.sha256[:12]}..., "
            f"found {actual[:12]}.... The file is corrupted or was edited. {REPAIR_HINT}"
        )


def _convert_column(raw: pd.Series, kind: str, where: str) -> pd.Series:
    """Turn one column of strings into its schema type, or raise SchemaError naming it."""
    present = raw.dropna()
    if kind == "category":
        return raw.astype("category")
    if kind == "date":
        converted = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    else:
        converted = pd.to_numeric(raw, errors="coerce")
    bad = converted[raw.notna() & converted.isna()]
    if len(bad):
        example = raw[bad.index[0]]
        raise SchemaError(
            f"Column {where} should hold {kind} values, but row {bad.index[0]} holds {example!r} "
            f"({len(bad)} such rows). {REPAIR_HINT}"
        )
    if kind == "int64":
        if converted.isna().any():
            raise SchemaError(f"Column {where} should be int64 but has missing values. {REPAIR_HINT}")
        if not (converted[present.index] % 1 == 0).all():
            raise SchemaError(f"Column {where} should be int64 but holds fractions. {REPAIR_HINT}")
        return converted.astype("int64")
    if kind == "float64":
        return converted.astype("float64")
    return converted


def _apply_schema(raw: pd.DataFrame, info: DatasetInfo) -> pd.DataFrame:
    expected = list(info.columns)
    missing = [c for c in expected if c not in raw.columns]
    if missing:
        raise SchemaError(
            f"{info.path.name} lacks column(s) {', '.join(map(repr, missing))} that the manifest "
            f"expects. {REPAIR_HINT}"
        )
    extra = [c for c in raw.columns if c not in info.columns]
    if extra:
        raise SchemaError(
            f"{info.path.name} has unexpected column(s) {', '.join(map(repr, extra))}. {REPAIR_HINT}"
        )
    typed = {
        column: _convert_column(raw[column], kind, f"{column!r} of {info.path.name}")
        for column, kind in info.columns.items()
    }
    frame = pd.DataFrame(typed, columns=expected)
    if len(frame) != info.rows:
        raise SchemaError(
            f"{info.path.name} has {len(frame)} rows; the manifest expects {info.rows}. {REPAIR_HINT}"
        )
    return frame


def load_dataset(name: str, *, verify: bool = True, data_dir: Path | None = None) -> pd.DataFrame:
    """Load a course dataset as a typed DataFrame.

    Parameters
    ----------
    name:
        A name from `datasets/manifest.yml`, e.g. ``"wa_churn"``.
    verify:
        Check the file's SHA-256 against the manifest first (on by default; leave it on).
    data_dir:
        Another datasets folder (tests use a scratch copy); defaults to the repository's.

    Raises
    ------
    UnknownDatasetError, ChecksumError, SchemaError
        With a message naming the dataset, file or column at fault and how to repair it.
    """
    info = dataset_info(name, data_dir)
    if verify:
        verify_checksum(info)
    elif not info.path.exists():
        raise ChecksumError(f"Dataset file {info.path} is missing. {REPAIR_HINT}")
    raw = pd.read_csv(info.path, dtype=str, keep_default_na=False, na_values=[""])
    return _apply_schema(raw, info)
