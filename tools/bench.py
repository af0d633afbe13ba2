"""Benchmark the course's own workflow: install, builds, labs, tests.

Run with `make bench`. It prints a Markdown table and writes it to
`book/reference/_benchmark.md`, which the "About this course" page includes. Benchmarks report
numbers; the tests never time anything.

Measured, in this order:
- install: a fresh virtual environment from requirements.txt, in a temporary folder;
- clean build and no-change rebuild of the book;
- nbval on all labs, serially.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUTPUT = ROOT / "book" / "reference" / "_benchmark.md"


def timed(label: str, command: list[str], **kwargs) -> tuple[str, float]:
    print(f"[bench] {label} ...", flush=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, **kwargs)
    seconds = time.perf_counter() - start
    print(f"[bench] {label}: {seconds:.1f} s", flush=True)
    return label, seconds


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        python = shutil.which("python3.11") or sys.executable
        rows.append(
            timed(
                "install (fresh venv, requirements.txt)",
                ["bash", "-c", f"{python} -m venv {venv} && {venv}/bin/pip install -q -r requirements.txt"],
            )
        )
    build = ROOT / "_build"
    shutil.rmtree(build, ignore_errors=True)
    book = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"]
    rows.append(timed("clean book build", book))
    rows.append(timed("no-change rebuild", book))
    rows.append(timed("nbval, all labs, serial", [str(BIN / "python"), "-m", "pytest", "-q", "-p", "no:xdist", "labs"]))

    today = dt.date.today().isoformat()
    table = [
        f"Measured on {today} on a machine with {os.cpu_count()} cores by `make bench`.",
        "",
        "| step | seconds |",
        "|---|---|",
        *[f"| {label} | {seconds:.1f} |" for label, seconds in rows],
    ]
    text = "\n".join(table) + "\n"
    OUTPUT.write_text(text, encoding="utf-8")
    print()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
