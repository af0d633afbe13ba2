"""Shared fixtures of the course's tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tools" / "sphinx"))
sys.path.insert(0, str(REPO_ROOT / "tools"))


@pytest.fixture
def scratch_datasets(tmp_path: Path) -> Path:
    """A scratch copy of datasets/ (CSV files and manifest) that a test may damage."""
    for item in (REPO_ROOT / "datasets").iterdir():
        if item.suffix in {".csv", ".yml"}:
            shutil.copy(item, tmp_path / item.name)
    return tmp_path


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The book, built once per test session into a scratch folder with -W -n (zero warnings)."""
    output = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book), "build", str(REPO_ROOT), "--path-output", str(output), "-W", "-n", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True)
    log = result.stdout + result.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    report = "\n".join(warnings or [log[-3000:]])
    assert result.returncode == 0 and not warnings, "the book build warned or failed:\n" + report
    return output / "_build" / "html"
