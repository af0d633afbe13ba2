"""Shared fixtures of the course's tests."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tools" / "sphinx"))


@pytest.fixture
def scratch_datasets(tmp_path: Path) -> Path:
    """A scratch copy of datasets/ (CSV files and manifest) that a test may damage."""
    for item in (REPO_ROOT / "datasets").iterdir():
        if item.suffix in {".csv", ".yml"}:
            shutil.copy(item, tmp_path / item.name)
    return tmp_path
