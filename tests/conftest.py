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


def pytest_terminal_summary(terminalreporter):
    """Counts of the AWS examples run offline by tests/test_aws_examples.py (also under xdist)."""
    examples, calls, json_requests = {"book": 0, "lab": 0}, {"moto": 0, "stub": 0}, 0
    for report in terminalreporter.stats.get("passed", []):
        for name, value in getattr(report, "user_properties", []):
            if name == "aws_example":
                examples[value] += 1
            elif name.startswith("aws_calls_"):
                calls[name.removeprefix("aws_calls_")] += value
            elif name == "aws_json_request":
                json_requests += value
    if sum(examples.values()) or json_requests:
        terminalreporter.write_sep("-", "AWS examples run offline (labkit.awsoffline)")
        terminalreporter.write_line(
            f"{sum(examples.values())} examples executed ({examples['book']} in the book, {examples['lab']} in labs): "
            f"{sum(calls.values())} AWS calls, {calls['moto']} answered by moto, {calls['stub']} by the stub; "
            f"{json_requests} JSON request bodies validated"
        )
