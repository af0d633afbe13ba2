"""Benchmark the course's own workflow: install, builds, labs, tests, site size.

Run with `make bench`. It prints a Markdown table and writes it to `book/reference/benchmark.md`,
which the "About this course" page includes. Benchmarks report numbers; the tests never time
anything. Measured, in this order:

- install: a fresh virtual environment in a temporary folder, from requirements.txt (local use and
  CI) and from binder/requirements.txt (Binder's lighter set), both with `--no-cache-dir` as Binder
  installs, so that neither profits from a warm pip cache;
- clean build and no-change rebuild of the book, and the built site's size;
- each lab executed alone (serially), with its wall time and the peak memory of its kernel;
- nbval on every notebook, serially and with two pytest-xdist workers;
- the exam page: what it transfers beyond a stock page (gzipped), and its time to interactive in
  Debian's Chromium (navigation start to the start button being ready), median of 15 loads;
- the PDF of the whole course (`make pdf`): build time, pages and size, when TeX is installed.

`--reuse-install` keeps the two install rows of the last run (they take minutes and need the
network) and re-measures everything else; the table says which rows were reused.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUTPUT = ROOT / "book" / "reference" / "benchmark.md"
INSTALLS = [  # (requirements file, row label); the labels are the rows of the table in OUTPUT
    ("requirements.txt", "install (fresh venv from requirements.txt, no pip cache)"),
    ("binder/requirements.txt", "install (fresh venv from binder/requirements.txt, Binder's set, no pip cache)"),
]
MEMORY_PROBE = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"  # kB on Linux: the largest descendant
)


def timed(label: str, command: list[str]) -> float:
    print(f"[bench] {label} ...", flush=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    print(f"[bench] {label}: {seconds:.1f} s", flush=True)
    return seconds


def run_lab(notebook: Path) -> tuple[float, float]:
    """Execute a lab into a scratch copy; return (seconds, peak MB of the largest process: the kernel)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", str(notebook),
                   "--output-dir", tmp, "--output", notebook.name]
        start = time.perf_counter()
        probe = subprocess.run([sys.executable, "-c", MEMORY_PROBE, *command], check=True, capture_output=True,
                               text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
    peak_mb = int(probe.stdout.strip()) / 1024
    print(f"[bench] {notebook.name}: {seconds:.1f} s, peak {peak_mb:.0f} MB", flush=True)
    return seconds, peak_mb


def exam_page_interactive_ms(site: Path, loads: int = 15) -> list[float]:
    """Milliseconds from navigation start until the exam page's start button exists, per load."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep the benchmark's output readable
            pass

    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/book/practice/exam.html"
    times = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless=new", "--no-sandbox"]
            )
            for _ in range(loads):
                context = browser.new_context()  # a first visit each time: nothing cached
                page = context.new_page()
                page.goto(url, wait_until="commit")
                page.wait_for_selector("#start-exam", state="visible")
                times.append(page.evaluate("performance.now()"))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return times


def folder_megabytes(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def previous_rows() -> dict[str, str]:
    """The rows of the last run's step table, by label."""
    rows = {}
    if OUTPUT.exists():
        for line in OUTPUT.read_text(encoding="utf-8").splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) == 2 and cells[0] not in {"step", "---"}:
                rows[cells[0]] = cells[1]
    return rows


def pdf_row() -> tuple[str, str] | None:
    """Build the PDF into a scratch folder; (label, result) or None without TeX."""
    sys.path.insert(0, str(ROOT / "tools"))
    import pdf

    if pdf.missing_tex():
        print("[bench] TeX is not installed: the PDF is not measured")
        return None
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        built = pdf.build_pdf(ROOT, Path(tmp))
        seconds = time.perf_counter() - started
        pages, megabytes = len(PdfReader(built).pages), built.stat().st_size / 1e6
        return "PDF of the whole course (make pdf)", f"{seconds:.0f} s, {pages} pages, {megabytes:.1f} MB"


def main() -> int:
    steps: list[tuple[str, str]] = []
    python = shutil.which("python3.11") or sys.executable
    reuse = "--reuse-install" in sys.argv[1:]
    previous = previous_rows() if reuse else {}
    for requirements, label in INSTALLS:
        if reuse and label in previous:
            value = previous[label].removesuffix(" (reused from the previous run)")
            steps.append((label, f"{value} (reused from the previous run)"))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            venv = Path(tmp) / "venv"
            install = f"{python} -m venv {venv} && {venv}/bin/pip install -q --no-cache-dir -r {requirements}"
            seconds = timed(f"install from {requirements}", ["bash", "-c", install])
            steps.append((label, f"{seconds:.0f} s"))
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    book = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"]
    steps.append(("clean book build", f"{timed('clean book build', book):.1f} s"))
    steps.append(("no-change rebuild", f"{timed('no-change rebuild', book):.1f} s"))
    site = ROOT / "_build" / "html"
    steps.append(("built site size", f"{folder_megabytes(site):.1f} MB"))
    sys.path.insert(0, str(ROOT / "tools"))
    import sitecheck

    extra = sitecheck.exam_page_extra(site)
    parts = ", ".join(f"{Path(a).name} {b / 1e3:.0f} kB" for a, b in sorted(extra.items()))
    added = f"{sum(extra.values()) / 1e3:.0f} kB ({parts})"
    steps.append(("exam page: added beyond a stock page (gzipped; budget 400 kB)", added))
    if Path("/usr/bin/chromium").exists():
        ms = exam_page_interactive_ms(site)
        spread = f"{min(ms):.0f}-{max(ms):.0f}"
        interactive = f"{statistics.median(ms):.0f} ms (range {spread} ms)"
        steps.append(("exam page: time to interactive, median of 15 loads (budget 1 s)", interactive))
    else:
        print("[bench] /usr/bin/chromium is missing: the exam page's time to interactive is not measured")
    nbval = [str(BIN / "python"), "-m", "pytest", "-q", "-o", "testpaths=labs book/practice"]
    steps.append(("nbval, every notebook, serial", f"{timed('nbval serial', [*nbval, '-p', 'no:xdist']):.0f} s"))
    parallel = [*nbval, "-n", "2", "--dist", "loadfile"]
    steps.append(("nbval, every notebook, 2 workers", f"{timed('nbval parallel', parallel):.0f} s"))

    measured_pdf = pdf_row()
    if measured_pdf:
        steps.append(measured_pdf)

    labs = sorted((ROOT / "labs").glob("[0-9][0-9]-*.ipynb"))
    lab_rows = [(lab.stem, *run_lab(lab)) for lab in labs]

    lines = [
        f"Measured on {dt.date.today().isoformat()} on a machine with {os.cpu_count()} cores by `make bench`.",
        "",
        "| step | result |",
        "|---|---|",
        *[f"| {label} | {value} |" for label, value in steps],
        "",
        "Each lab executed alone, top to bottom, in a fresh kernel:",
        "",
        "| lab | seconds | peak memory (MB) |",
        "|---|---|---|",
        *[f"| {name} | {seconds:.1f} | {peak:.0f} |" for name, seconds, peak in lab_rows],
        "",
    ]
    text = "\n".join(lines)
    OUTPUT.write_text(text, encoding="utf-8")
    print()
    print(text)
    worst = max(peak for _, _, peak in lab_rows)
    print(f"Largest peak memory of a lab: {worst:.0f} MB (Binder's budget: 2,048 MB)")
    return 0 if worst < 2048 else 1


if __name__ == "__main__":
    sys.exit(main())
