"""A lab in JupyterLab with jupyterlab-myst: exercise boxes rendered, solutions folded until opened.

The learner who opens a lab in JupyterLab (locally with `make lab`, or in Binder) must meet the same
exercise boxes and folded solutions as a reader of the site. The test starts `jupyter lab` on
127.0.0.1 (a free port, a random token, a scratch root folder holding a copy of one lab, scratch
settings, no request leaves the machine), opens the lab in Debian's Chromium (same conventions as
tests/test_site.py: skipped without /usr/bin/chromium unless REQUIRE_BROWSER=1, screenshots in
test-artifacts/), and stops the server at the end.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO_ROOT
from tests.test_site import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, needs_browser

pytestmark = pytest.mark.browser

LAB = REPO_ROOT / "labs" / "04-metrics-tradeoffs.ipynb"
JUPYTER = Path(sys.executable).parent / "jupyter"
# Scratch user settings: render every cell at once (JupyterLab 4 otherwise renders only the cells
# near the viewport) and never offer to fetch the Jupyter news feed (a request to another host).
USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


def _solutions(notebook: Path) -> list[tuple[str, list[str]]]:
    """(label, plain words of the body's first line) of each {solution} in the notebook's markdown, in order."""
    found = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        for match in re.finditer(r"```\{solution\} *(\S+)\n((?::[\w-]+:[^\n]*\n)*)([^\n]+)", source):
            found.append((match.group(1), re.findall(r"\b[A-Za-z]{4,}\b", match.group(3))[:4]))
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory) -> Iterator[tuple[str, str, Path]]:
    """JupyterLab serving a scratch folder with a copy of the lab: (base URL, token, log file)."""
    scratch = tmp_path_factory.mktemp("jupyterlab")
    root = scratch / "root"
    root.mkdir()
    shutil.copy(LAB, root / LAB.name)
    for name, values in USER_SETTINGS.items():
        path = scratch / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(scratch / "config"),
        JUPYTER_DATA_DIR=str(scratch / "data"),
        JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(scratch / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(scratch / "workspaces"),
    )
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        str(JUPYTER), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--allow-root",  # CI runs as root
        "--LabApp.extension_manager=readonly", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log = scratch / "jupyterlab.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("jupyter lab did not start:\n" + log.read_text()[-3000:])
                time.sleep(0.2)
        yield base, token, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_lab_has_solutions_to_look_for():
    solutions = _solutions(LAB)
    assert len(solutions) >= 2 and all(words for _, words in solutions), solutions


@needs_browser
def test_a_lab_in_jupyterlab_shows_exercise_boxes_and_keeps_solutions_folded_until_clicked(jupyterlab):
    if not CHROMIUM.exists():
        pytest.fail(f"REQUIRE_BROWSER is set but {CHROMIUM} does not exist: apt-get install chromium")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    base, token, log = jupyterlab
    solutions = _solutions(LAB)
    label, body_words = solutions[0]
    ARTIFACTS.mkdir(exist_ok=True)
    foreign: list[str] = []

    def stay_local(route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == urlsplit(base).netloc:
            route.continue_()
        else:  # nothing may leave the machine
            foreign.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.route("**/*", stay_local)
            page.goto(f"{base}/lab/tree/{LAB.name}?reset&token={token}")
            notebook = page.locator(".jp-Notebook")
            # jupyterlab-myst renders each {solution} as a <details> box; wait until all are there.
            solution_boxes = notebook.locator("details.myst-exercise")
            try:
                page.wait_for_function(
                    "n => document.querySelectorAll('.jp-Notebook details.myst-exercise').length >= n",
                    arg=len(solutions), timeout=90_000,
                )
            except PlaywrightTimeout:
                page.screenshot(path=str(ARTIFACTS / "jupyterlab-lab04-not-rendered.png"))
                raw = "{solution}" in notebook.inner_text() if notebook.count() else "no notebook"
                pytest.fail(
                    f"{solution_boxes.count()} of {len(solutions)} solutions rendered as folded boxes within 90 s "
                    f"(raw directive text shown: {raw}); is jupyterlab-myst installed and enabled?"
                )

            exercise = notebook.locator(f'aside.myst-exercise[id="{label}"]')
            exercise.scroll_into_view_if_needed()
            assert exercise.is_visible(), f"no rendered exercise box for {label}"
            assert exercise.locator(".myst-exercise-title").inner_text().startswith("Exercise")
            rendered = notebook.locator(".jp-MarkdownCell .myst, .jp-MarkdownCell .jp-RenderedMarkdown")
            text = "\n".join(rendered.all_inner_texts())
            assert "{exercise}" not in text and "{solution}" not in text and ":class:" not in text, (
                "MyST directives shown as raw text: is jupyterlab-myst installed?"
            )

            assert solution_boxes.count() == len(solutions)
            assert notebook.locator("details.myst-exercise[open]").count() == 0, "a solution is open on load"
            solution = solution_boxes.first
            body = solution.locator(".myst-exercise-body")
            shown = " ".join(body.text_content().split())
            assert all(word in shown for word in body_words), f"{body_words} not in the first solution box: {shown}"
            solution.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-lab04-solution-folded.png"))
            assert not body.is_visible(), "the solution can be read before it is opened"

            solution.locator("summary").click()
            body.wait_for(state="visible", timeout=5_000)
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-lab04-solution-open.png"))
            assert solution_boxes.nth(1).locator(".myst-exercise-body").is_hidden(), "opening one opened others"
        finally:
            browser.close()
    assert not foreign, f"JupyterLab requested other hosts: {foreign}"
