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


# ---------------------------------------------------------------- "Your turn" tasks (CONTRIBUTING.md)

TURN_OPENING = re.compile(r"```\{exercise\}[^\n]*\n((?::[a-z-]+:[^\n]*\n)*)")
LABEL = re.compile(r":label:\s*(\S+)")
SELF_CHECK_CALL = re.compile(r"\bcheck_[a-z_]+\(")
MIN_TURNS = 3


def _your_turns(cells):
    """(cell index, label) of every exercise box with the class your-turn."""
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        for match in TURN_OPENING.finditer(_source(cell)):
            options = match.group(1)
            if re.search(r":class:[^\n]*\byour-turn\b", options):
                label = LABEL.search(options)
                found.append((index, label.group(1) if label else None))
    return found


def _summary_index(cells):
    return next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "## Summary" in _source(c))


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_your_turn_tasks_inside_the_lab_each_with_a_self_check_and_a_folded_solution(path):
    cells = _load(path)["cells"]
    summary = _summary_index(cells)
    turns = [(i, label) for i, label in _your_turns(cells) if i < summary]
    assert len(turns) >= MIN_TURNS, (
        f"{path.name}: {len(turns)} 'Your turn' tasks before the Summary; at least {MIN_TURNS} are needed, "
        "each an {exercise} box with ':class: your-turn' (see CONTRIBUTING.md, 'Your turn tasks')"
    )
    bounds = [i for i, _ in turns] + [summary]
    for (start, label), end in zip(turns, bounds[1:], strict=True):
        assert label, f"{path.name}: the 'Your turn' box in cell {start} needs a :label:"
        between = cells[start + 1:end] if end > start else []
        checks = [c for c in between if c["cell_type"] == "code" and SELF_CHECK_CALL.search(_source(c))]
        assert checks, f"{path.name}: '{label}' has no self-check cell (a labkit.yourturn check_... call) after it"
        checked = [c for c in checks if any("Not yet" in json.dumps(o) or "Correct" in json.dumps(o)
                                            or "Your guess" in json.dumps(o) for o in c.get("outputs", []))]
        assert checked, f"{path.name}: the self-check of '{label}' stores no check message: re-run the lab"
        solutions = [c for c in between + [cells[start]] if c["cell_type"] == "markdown"
                     and re.search(r"```\{solution\}\s+" + re.escape(label) + r"\b", _source(c))]
        assert solutions, f"{path.name}: '{label}' has no {{solution}} {label} before the next task"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_every_solution_is_folded(path):
    for index, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for match in re.finditer(r"```\{solution\}[^\n]*\n((?::[a-z-]+:[^\n]*\n)*)", _source(cell)):
            assert re.search(r":class:[^\n]*\bdropdown\b", match.group(1)), (
                f"{path.name}: cell {index}: a solution must be folded (':class: dropdown' under the directive)"
            )


# ---------------------------------------------------------------- honest pacing (tools/sphinx/lab_pacing.py)


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_stated_minutes_follow_the_pacing_rule(path):
    import lab_pacing
    import study_plan

    pace = lab_pacing.lab_pace(path, study_plan.benchmark_seconds(REPO_ROOT).get(path.stem, 60.0))
    course = _load(path)["metadata"]["course"]
    assert round(pace.core_minutes) <= lab_pacing.MAX_CORE_MINUTES, (
        f"{path.name}: the core takes about {pace.core_minutes:.0f} minutes by the pacing rule; "
        "split the lab or mark sections '(optional)'"
    )
    for key, estimate in (("minutes", pace.core_minutes), ("optional_minutes", pace.optional_minutes)):
        stated = course.get(key)
        assert isinstance(stated, int), f"{path.name}: metadata course.{key} must be an integer (minutes)"
        assert abs(stated - estimate) <= lab_pacing.TOLERANCE * estimate, (
            f"{path.name}: course.{key} is {stated}, the pacing rule estimates {estimate:.0f} "
            "(python tools/sphinx/lab_pacing.py prints the table)"
        )
    opening = _source(_load(path)["cells"][0])
    assert f"**Time to complete:** {course['minutes']} minutes" in opening, (
        f"{path.name}: the opening must say '**Time to complete:** {course['minutes']} minutes' as its metadata does"
    )


# ---------------------------------------------------------------- code shown in the lab and saved in labkit

SAVE_MARK = re.compile(r"^#@save\s+(labkit(?:\.[a-z_]+)+)\s*$")


def _saved_cells():
    for path in LABS:
        for index, cell in enumerate(_load(path)["cells"]):
            first = _source(cell).splitlines()[:1]
            if cell["cell_type"] == "code" and first and SAVE_MARK.match(first[0].strip()):
                yield pytest.param(path, index, SAVE_MARK.match(first[0].strip()).group(1),
                                   id=f"{path.stem}-cell{index}")


@pytest.mark.parametrize("path, index, module_name", list(_saved_cells()) or [pytest.param(None, 0, "", id="none")])
def test_code_a_lab_saves_is_the_code_in_labkit(path, index, module_name):
    """A cell marked `#@save labkit.module` shows the lesson's code; the module holds the same definitions."""
    import ast
    import importlib
    import inspect

    if path is None:
        pytest.skip("no lab marks a cell #@save")
    cell_tree = ast.parse(_source(_load(path)["cells"][index]))
    module = importlib.import_module(module_name)
    module_tree = ast.parse(inspect.getsource(module))
    in_module = {node.name: ast.unparse(node) for node in module_tree.body
                 if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    defined = [node for node in cell_tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    assert defined, f"{path.name}: cell {index} is marked #@save but defines no function or class"
    for node in defined:
        assert node.name in in_module, f"{path.name}: cell {index} saves {node.name}, which {module_name} lacks"
        assert ast.unparse(node) == in_module[node.name], (
            f"{path.name}: cell {index}: {node.name} differs from {module_name}.{node.name}; copy one onto the other"
        )


# ---------------------------------------------------------------- the lesson's code is in the lab, not only in labkit

TAUGHT_IN_THE_NOTEBOOK = {
    "02-formats-and-ingestion": ("to_parquet(", "compression=", "read_parquet(", "columns=", "filters="),
    "04-metrics-tradeoffs": ("def expected_cost(",),
    "05-training-and-tuning": ("optuna.create_study(", "sampler=", "HyperbandPruner("),
    "07-cost-arithmetic": ("def realtime_cost(", "def serverless_cost(", "def batch_transform_cost("),
    "08-inference-server": ("def ping(", "def invocations("),
    "09-deployment-guardrails": ("def m_of_n_alarm(",),
}


@pytest.mark.parametrize("stem, calls", sorted(TAUGHT_IN_THE_NOTEBOOK.items()))
def test_the_calls_a_lab_teaches_are_in_its_own_code_cells(stem, calls):
    cells = _load(REPO_ROOT / "labs" / f"{stem}.ipynb")["cells"]
    code = "\n".join(_source(c) for c in cells if c["cell_type"] == "code")
    missing = [call for call in calls if call not in code]
    assert not missing, f"{stem}: the lab teaches {missing} but its code cells do not show them (they hide in labkit?)"
