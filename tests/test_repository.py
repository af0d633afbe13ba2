"""Repository hygiene: pinned requirements, lint, workflow, file sizes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import binder_requirements  # tools/ is put on sys.path by conftest
from packaging.utils import canonicalize_name

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


def test_binder_reads_python_311_and_installs_labkit():
    assert (REPO_ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    lines = (REPO_ROOT / "binder" / "requirements.txt").read_text().splitlines()
    assert lines[-1] == "-e .", "binder/requirements.txt must end with `-e .` (labkit)"


def test_binder_pins_are_the_root_pins():
    root = binder_requirements.read_pins(REPO_ROOT / "requirements.txt")
    binder = binder_requirements.read_pins(REPO_ROOT / "binder" / "requirements.txt")
    assert binder_requirements.pin_differences(root, binder) == []


def test_binder_pin_check_names_the_package():
    root = {"pandas": ("pandas", "3.1.1"), "numpy": ("numpy", "2.4.6")}
    binder = {"pandas": ("pandas", "3.0.0"), "numpy": ("numpy", "2.4.6"), "extra": ("extra", "1.0")}
    assert binder_requirements.pin_differences(root, binder) == [
        "pandas: binder 3.0.0, requirements.txt 3.1.1",
        "extra: binder 1.0, not in requirements.txt",
    ]


def test_binder_requirements_are_regenerated_from_the_root_pins():
    current = (REPO_ROOT / "binder" / "requirements.txt").read_text()
    expected = binder_requirements.render()
    assert current == expected, "binder/requirements.txt is stale: run `make binder-requirements`:\n" + "\n".join(
        binder_requirements.stale_lines(current, expected)
    )


def test_binder_installs_what_the_labs_import_and_what_that_needs():
    root = binder_requirements.read_pins(REPO_ROOT / "requirements.txt")
    binder = binder_requirements.read_pins(REPO_ROOT / "binder" / "requirements.txt")
    wanted = binder_requirements.lab_distributions()
    assert {"pandas", "scikit-learn", "moto", "jupyterlab-myst"} <= set(wanted), sorted(wanted)
    needed = binder_requirements.closure(wanted, root)
    missing = [
        f"{name} (needed by {wanted[name] if why == '(root)' else why})"
        for name, why in sorted(needed.items())
        if name not in binder
    ]
    assert not missing, f"binder/requirements.txt lacks: {missing}; run `make binder-requirements`"
    tooling = sorted(set(binder) & {canonicalize_name(name) for name in binder_requirements.EXCLUDED})
    assert not tooling, f"binder/requirements.txt installs tooling: {tooling}"


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
