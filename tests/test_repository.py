"""Repository hygiene: pinned requirements, lint, workflow, file sizes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

BIN = Path(sys.executable).parent
MAX_FILE_BYTES = 5 * 1024 * 1024


def test_requirements_are_exact_pins():
    lines = [
        line.strip()
        for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    loose = [line for line in lines if line != "-e ." and "==" not in line]
    assert not loose, f"pin these with ==: {loose}"
    assert "-e ." in lines, "requirements.txt must install labkit itself (-e .) for Binder"


def test_binder_reads_python_311():
    assert (REPO_ROOT / "runtime.txt").read_text().strip() == "python-3.11"


def _run(*command):
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=REPO_ROOT)


def test_python_code_passes_ruff():
    result = _run(BIN / "ruff", "check", "labkit", "tests", "tools", "datasets")
    assert result.returncode == 0, result.stdout + result.stderr


def test_notebooks_pass_ruff():
    result = _run(BIN / "nbqa", "ruff", "labs")
    assert result.returncode == 0, result.stdout + result.stderr


def test_github_workflow_passes_actionlint():
    result = _run(BIN / "actionlint", REPO_ROOT / ".github" / "workflows" / "ci.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_tracked_file_is_large():
    tracked = _run("git", "ls-files").stdout.split()
    paths = [REPO_ROOT / name for name in tracked]
    large = [str(p) for p in paths if p.is_file() and p.stat().st_size > MAX_FILE_BYTES]
    assert not large, f"files over 5 MB: {large}"
