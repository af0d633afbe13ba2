"""The shipped datasets: checksums, schemas, datasheets, and the loader's errors."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from labkit.datasets import (
    ChecksumError,
    SchemaError,
    UnknownDatasetError,
    dataset_info,
    list_datasets,
    load_dataset,
    sha256_of,
)
from tests.conftest import REPO_ROOT

DATASETS = list_datasets()


def test_the_four_course_datasets_are_listed():
    assert DATASETS == ["wa_churn", "lending_club", "credit_data", "hotel_rates"]


@pytest.mark.parametrize("name", DATASETS)
def test_file_matches_its_manifest_checksum(name):
    info = dataset_info(name)
    assert sha256_of(info.path) == info.sha256


@pytest.mark.parametrize("name", DATASETS)
def test_loads_with_the_manifest_schema(name):
    info = dataset_info(name)
    frame = load_dataset(name)
    assert list(frame.columns) == list(info.columns)
    assert len(frame) == info.rows
    for column, kind in info.columns.items():
        dtype = frame[column].dtype
        if kind == "category":
            assert isinstance(dtype, pd.CategoricalDtype), column
        elif kind == "date":
            assert pd.api.types.is_datetime64_any_dtype(dtype), column
        else:
            assert str(dtype) == kind, column


def test_known_shapes_of_the_data():
    churn = load_dataset("wa_churn")
    assert churn.shape == (7043, 20) and int(churn.isna().sum().sum()) == 11
    credit = load_dataset("credit_data")
    assert credit.shape == (4454, 14) and int(credit.isna().sum().sum()) == 455
    lending = load_dataset("lending_club")
    assert (lending["Class"] == "bad").sum() == 517


def test_one_corrupted_byte_gives_a_checksum_error_naming_the_file(scratch_datasets):
    target = scratch_datasets / "wa_churn.csv"
    data = bytearray(target.read_bytes())
    data[5000] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match=r"wa_churn\.csv"):
        load_dataset("wa_churn", data_dir=scratch_datasets)


def test_a_missing_file_is_reported(scratch_datasets):
    (scratch_datasets / "hotel_rates.csv").unlink()
    with pytest.raises(ChecksumError, match=r"hotel_rates\.csv is missing"):
        load_dataset("hotel_rates", data_dir=scratch_datasets)


def _rewrite_with_manifest(folder, name, frame):
    """Write a changed dataset and record its new checksum, as a deliberate re-extract would."""
    path = folder / f"{name}.csv"
    frame.to_csv(path, index=False)
    manifest_path = folder / "manifest.yml"
    manifest = yaml.safe_load(manifest_path.read_text())
    manifest["datasets"][name]["sha256"] = sha256_of(path)
    manifest_path.write_text(yaml.safe_dump(manifest, sort_keys=False))


def test_a_missing_column_gives_a_schema_error_naming_the_column(scratch_datasets):
    frame = pd.read_csv(scratch_datasets / "credit_data.csv").drop(columns=["Income"])
    _rewrite_with_manifest(scratch_datasets, "credit_data", frame)
    with pytest.raises(SchemaError, match=r"'Income'"):
        load_dataset("credit_data", data_dir=scratch_datasets)


def test_a_retyped_column_gives_a_schema_error_naming_the_column(scratch_datasets):
    frame = pd.read_csv(scratch_datasets / "wa_churn.csv")
    frame["tenure"] = frame["tenure"].astype(str) + " months"
    _rewrite_with_manifest(scratch_datasets, "wa_churn", frame)
    with pytest.raises(SchemaError, match=r"Column 'tenure' of wa_churn\.csv should hold int64"):
        load_dataset("wa_churn", data_dir=scratch_datasets)


def test_fractions_in_an_integer_column_are_refused(scratch_datasets):
    frame = pd.read_csv(scratch_datasets / "lending_club.csv")
    frame["funded_amnt"] = frame["funded_amnt"].astype("float64")
    frame.loc[3, "funded_amnt"] = 1000.5
    _rewrite_with_manifest(scratch_datasets, "lending_club", frame)
    with pytest.raises(SchemaError, match=r"'funded_amnt'.*fractions"):
        load_dataset("lending_club", data_dir=scratch_datasets)


def test_an_unexpected_column_is_refused(scratch_datasets):
    frame = pd.read_csv(scratch_datasets / "credit_data.csv").assign(notes="x")
    _rewrite_with_manifest(scratch_datasets, "credit_data", frame)
    with pytest.raises(SchemaError, match=r"unexpected column\(s\) 'notes'"):
        load_dataset("credit_data", data_dir=scratch_datasets)


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownDatasetError, match=r"Unknown dataset 'churn'.*wa_churn"):
        load_dataset("churn")


def test_build_script_reproduces_every_file_byte_for_byte():
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "datasets" / "build_datasets.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


TABLE_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*([a-z0-9]+)\s*\|")


@pytest.mark.parametrize("name", DATASETS)
def test_datasheet_documents_every_column_with_its_type(name):
    info = dataset_info(name)
    assert info.datasheet.exists(), f"{name} has no datasheet at {info.datasheet}"
    text = info.datasheet.read_text(encoding="utf-8")
    documented = dict(m.groups() for line in text.splitlines() if (m := TABLE_ROW.match(line)))
    assert documented == info.columns
    for section in ("Source", "Licence", "quirks"):
        assert section.lower() in text.lower(), f"{info.datasheet.name} lacks a {section} section"
