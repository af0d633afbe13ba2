"""Every lab follows the lab conventions (DESIGN.md, CONTRIBUTING.md) and is stored executed."""

from __future__ import annotations

import json
import re

import pytest

from labkit.datasets import list_datasets
from tests.conftest import REPO_ROOT

LABS = sorted((REPO_ROOT / "labs").glob("*.ipynb"))
OPENING_PARTS = (
    "**Task statements:**",
    "## What you will learn",
    "## Prerequisites",
    "Time to complete",
    "How this maps to AWS",
)
CLOSING_HEADINGS = ("## Summary", "## Exercises", "## Checks", "## What's next")


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_is_at_least_one_lab():
    assert LABS, "labs/ holds no notebook"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_name_and_metadata(path):
    match = re.fullmatch(r"(\d\d)-[a-z0-9-]+\.ipynb", path.name)
    assert match, f"{path.name}: name labs NN-slug.ipynb (two digits, lowercase words joined by hyphens)"
    course = _load(path)["metadata"].get("course", {})
    assert course.get("title", "").startswith(f"Lab {match.group(1)}: "), f"{path.name}: course.title"
    assert course.get("tasks"), f"{path.name}: course.tasks must list the task statements it serves"
    unknown = set(course.get("datasets", [])) - set(list_datasets())
    assert course.get("datasets") and not unknown, f"{path.name}: course.datasets {course.get('datasets')}"
    assert isinstance(course.get("minutes"), int) and 1 <= course["minutes"] <= 90, f"{path.name}: course.minutes"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_opening_and_closing_sections(path):
    cells = _load(path)["cells"]
    opening = _source(cells[0])
    number = path.name[:2]
    assert cells[0]["cell_type"] == "markdown" and opening.startswith(f"# Lab {number}: "), path.name
    for part in OPENING_PARTS:
        assert part in opening, f"{path.name}: the first cell lacks {part!r}"
    markdown = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    positions = [markdown.find(heading) for heading in CLOSING_HEADINGS]
    assert all(p >= 0 for p in positions), f"{path.name}: needs the sections {CLOSING_HEADINGS}"
    assert positions == sorted(positions), f"{path.name}: closing sections out of order"
    assert "```{exercise}" in markdown and "```{solution}" in markdown, f"{path.name}: needs exercises with solutions"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_ends_with_a_checks_cell(path):
    cells = _load(path)["cells"]
    code_indices = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    last = code_indices[-1]
    assert "assert " in _source(cells[last]), f"{path.name}: the last code cell must assert the key results"
    assert "## Checks" in _source(cells[last - 1]), f"{path.name}: the checks cell follows a '## Checks' heading"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_stored_executed_top_to_bottom_without_errors(path):
    cells = [c for c in _load(path)["cells"] if c["cell_type"] == "code" and _source(c).strip()]
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: re-run it top to bottom in a fresh kernel (make run-lab LAB={path.name}); counts {counts}"
    )
    for index, cell in enumerate(cells, start=1):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"{path.name}: cell {index} stored an error"
            assert output.get("name") != "stderr", f"{path.name}: cell {index} printed to stderr: silence it"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_every_figure_has_alt_text_and_no_output_leaks_a_local_path(path):
    for index, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        outputs = cell.get("outputs", [])
        if any("image/png" in o.get("data", {}) for o in outputs):
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) >= 20, f"{path.name}: cell {index} draws a figure without alt text (mystnb.image.alt)"
        text = json.dumps(outputs)
        assert str(REPO_ROOT) not in text, f"{path.name}: cell {index} prints the local path {REPO_ROOT}"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_nbval_markers_stand_alone_on_the_first_line(path):
    for index, cell in enumerate(_load(path)["cells"]):
        source = _source(cell)
        if cell["cell_type"] == "code" and "NBVAL_" in source:
            first = source.splitlines()[0].strip()
            assert first in {"# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP", "# NBVAL_RAISES_EXCEPTION"}, (
                f"{path.name}: cell {index}: put the nbval marker alone on the first line (nbval ignores it otherwise)"
            )
