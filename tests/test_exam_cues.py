"""The "On the exam" box: its data, its place on every task page, and the "Exam cues" reference page."""

from __future__ import annotations

import re

import pytest
from exam_cues import (
    BOX_TITLE,
    CUES_FILE,
    CuesError,
    box_markdown,
    check_cues,
    count_words,
    exam_cues_page,
    load_cues,
    load_numbers,
    meta_markdown,
    page_labels,
    reading_minutes,
)

from labkit import syllabus
from tests.conftest import REPO_ROOT

TASKS = sorted(syllabus.tasks(REPO_ROOT / "book/reference/mla-c01.yml"))
DIRECTIVE = re.compile(r"^:::\{exam-cues\} (\d\.\d)\s*$")


def _page(task: str) -> str:
    domain, number = task.split(".")
    return (REPO_ROOT / f"book/domain{domain}/task-{domain}-{number}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("task", TASKS)
def test_every_task_page_opens_with_its_box_before_the_first_section(task):
    lines = _page(task).splitlines()
    first_section = next(i for i, line in enumerate(lines) if line.startswith("## "))
    boxes = [(i, m.group(1)) for i, line in enumerate(lines) if (m := DIRECTIVE.match(line))]
    assert len(boxes) == 1, f"task {task}: expected one exam-cues directive, found {len(boxes)}"
    index, named = boxes[0]
    assert named == task
    assert index < first_section, f"task {task}: the box comes after the first section (line {first_section + 1})"
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    assert title < index


def test_every_rule_lookalike_and_trap_links_to_a_label_on_its_own_page():
    assert check_cues(REPO_ROOT) == []


def test_each_task_has_rules_lookalikes_and_traps():
    cues = load_cues(REPO_ROOT / CUES_FILE)
    assert sorted(cues) == TASKS
    for task, block in cues.items():
        assert len(block.rules) >= 5, task
        assert len(block.lookalikes) >= 2, task
        assert len(block.traps) >= 7, task


def test_the_pairs_the_issue_names_are_there():
    pairs = {frozenset((pair.first, pair.second))
             for block in load_cues(REPO_ROOT / CUES_FILE).values() for pair in block.lookalikes}
    assert frozenset({"Kinesis Data Streams", "Amazon Data Firehose"}) in pairs
    assert frozenset({"Glue DataBrew", "SageMaker Data Wrangler"}) in pairs


def test_no_trap_calls_a_closed_service_the_wrong_exam_answer():
    """Issue 22, item 6: where the exam expects Debugger, Clarify or Model Monitor, the trap says so."""
    cues = load_cues(REPO_ROOT / CUES_FILE)
    for task in ("2.3", "4.1"):
        text = " ".join(t.text for t in cues[task].traps)
        assert "the exam expects" in text, task
    for task, number in (("2.3", 8), ("4.1", 8)):
        traps = _page(task).split("-traps)=", 1)[1]
        trap = re.search(rf"^{number}\. (.*?)(?=^\d+\. |\Z)", traps, flags=re.S | re.M).group(1)
        assert "On the" in trap and "exam" in trap and "Apart from the" in trap, trap
        assert "{service-status}" in trap


def test_the_box_draws_its_numbers_from_the_numbers_file():
    cues = load_cues(REPO_ROOT / CUES_FILE)
    numbers = [n for n in load_numbers(REPO_ROOT / "book/reference/numbers.yml") if n.task == "1.1"]
    box = box_markdown(cues["1.1"], numbers)
    assert box.startswith(f"::::{{admonition}} {BOX_TITLE}\n")
    assert BOX_TITLE == "On the exam"
    for number in numbers:
        assert number.shown in box
    assert "**8,760 hours (365 days)**" in box
    for heading in ("**Decision rules**", "**Numbers to know**", "**Look-alikes the exam separates**", "**Traps**"):
        assert heading in box


def test_reading_time_and_labs_are_computed():
    text = meta_markdown(REPO_ROOT, "1.1")
    words = count_words(_page("1.1"))
    assert f"about {reading_minutes(words)} minutes ({words:,} words at 200 words a minute)" in text
    import json

    lab = json.loads((REPO_ROOT / "labs" / "02-formats-and-ingestion.ipynb").read_text(encoding="utf-8"))["metadata"]
    stated = lab["course"]["minutes"]  # held to the pacing rule by tests/test_lab_structure.py
    assert f"{{doc}}`{lab['course']['title']} </labs/02-formats-and-ingestion>` ({stated} minutes)" in text
    assert reading_minutes(200 * 27 + 99) == 27


def test_the_reference_page_lists_all_twelve_tasks_from_the_same_data():
    page = exam_cues_page(REPO_ROOT)
    found = re.findall(r"^:::\{exam-cues\} (\d\.\d)$", page, flags=re.M)
    assert found == TASKS
    assert page.count(":box-only:") == 12
    assert "(exam-cues)=" in page and "# Exam cues" in page


def test_a_rule_with_a_missing_label_is_reported(tmp_path):
    text = (REPO_ROOT / CUES_FILE).read_text(encoding="utf-8")
    text = text.replace("label: t1-1-choose-format}", "label: t1-1-nowhere}", 1)
    copy = tmp_path / "exam-cues.yml"
    copy.write_text(text, encoding="utf-8")
    assert check_cues(REPO_ROOT, copy) == [f"{copy}: task 1.1: label 't1-1-nowhere' is not on book/domain1/task-1-1.md"]


def test_a_task_without_traps_is_refused(tmp_path):
    copy = tmp_path / "exam-cues.yml"
    copy.write_text('tasks:\n  "1.1":\n    rules: [{cue: a, choice: b, label: t1-1-formats}]\n'
                    "    lookalikes: [{pair: [A, B], tell: c, label: t1-1-formats}]\n")
    with pytest.raises(CuesError, match="task 1.1: needs at least one rule"):
        load_cues(copy)


def test_labels_are_read_from_label_lines():
    assert page_labels("(a-b)=\n# T\n(c)=\n## S\n") == ["a-b", "c"]


def test_the_built_site_shows_the_box_first(built_site):
    html = (built_site / "book/domain2/task-2-3.html").read_text(encoding="utf-8")
    box = html.index("On the exam")
    assert box < html.index('id="what-the-exam-expects"')
    assert "Reading time:" in html[:box]
    reference = (built_site / "book/reference/exam-cues.html").read_text(encoding="utf-8")
    assert reference.count("exam-cues admonition") + reference.count("admonition tip exam-cues") >= 12
