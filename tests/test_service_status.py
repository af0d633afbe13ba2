"""Service status in one place: the data file, its loader, the notices in chapters and labs, the page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from service_status import service_status_page

from labkit.service_status import (
    ServiceStatusError,
    lint_markdown,
    lint_notebook,
    lint_paths,
    load_status,
    mentions,
)
from tests.conftest import REPO_ROOT

CHAPTERS = [REPO_ROOT / "book" / "intro.md", *sorted((REPO_ROOT / "book").glob("domain*/*.md"))]
LABS = sorted((REPO_ROOT / "labs").glob("*.ipynb"))

VALID = """\
- id: model-monitor
  name: Amazon SageMaker Model Monitor
  aliases: [Model Monitor]
  status: closed-to-new-customers
  effective: null
  effective_note: no date on the pages
  replacement: data capture and Processing jobs
  sources:
    - url: https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture.html
      says: no longer open to new customers
  notice: Model Monitor is closed to new customers.
- id: elastic-inference
  name: Amazon Elastic Inference
  aliases: [Elastic Inference]
  status: retired
  effective: 2023-04-15
  replacement: Inferentia
  sources:
    - url: https://docs.aws.amazon.com/cli/latest/reference/elastic-inference/index.html
      says: no longer available
  notice: Elastic Inference is no longer available.
  contradictions: [30 days]
- id: data-firehose
  name: Amazon Data Firehose
  aliases: [Kinesis Data Firehose]
  status: renamed
  effective: null
  effective_note: undated
  replacement: Amazon Data Firehose
  sources:
    - url: https://docs.aws.amazon.com/cli/latest/reference/firehose/index.html
      says: previously known as Amazon Kinesis Data Firehose
  notice: Kinesis Data Firehose is now Amazon Data Firehose.
"""


@pytest.fixture
def entries(tmp_path):
    path = tmp_path / "status.yml"
    path.write_text(VALID)
    return load_status(path)


# --- the course's file -------------------------------------------------------------------------


def test_the_course_file_loads_and_covers_the_required_services():
    ids = {entry.id for entry in load_status()}
    required = {"elastic-inference", "edge-manager", "debugger", "model-monitor", "clarify",
                "comprehend-features", "data-firehose", "managed-flink", "sagemaker-ai"}
    assert required <= ids


def test_every_entry_cites_an_aws_page():
    for entry in load_status():
        assert all(".amazon.com/" in s.url or "amazonaws.cn/" in s.url for s in entry.sources), entry.id


def test_every_chapter_section_and_lab_has_its_notice():
    problems = lint_paths([*CHAPTERS, *LABS])
    assert not problems, "\n".join(str(p) for p in problems)


def test_the_reference_page_lists_every_entry():
    entries = load_status()
    page = service_status_page(entries)
    assert page.startswith("<!--") and "(service-status)=" in page
    for entry in entries:
        assert f"(service-status-{entry.id})=" in page
        assert all(source.url in page for source in entry.sources)


# --- mentions ----------------------------------------------------------------------------------


def test_mentions_match_whole_words_case_sensitively(entries):
    assert [e.id for e in mentions("Set up Model Monitor and Elastic Inference.", entries)] == [
        "model-monitor", "elastic-inference"]
    assert mentions("a model monitor of our own", entries) == []
    assert mentions("ModelMonitorConfig, Model Monitors", entries) == []


def test_exclude_keeps_the_new_name_from_counting_as_the_old_one():
    by_id = {e.id: e for e in load_status()}
    renamed = by_id["sagemaker-ai"]
    assert mentions("Amazon SageMaker AI trains models.", [renamed]) == []
    assert mentions("Amazon SageMaker trains models.", [renamed]) == [renamed]


def test_mentions_uses_the_course_file_by_default():
    assert [e.id for e in mentions("Kinesis Data Analytics apps")] == ["managed-flink"]


# --- the lint ----------------------------------------------------------------------------------


def test_breaking_one_notice_on_a_copy_fails_with_file_line_and_service(tmp_path):
    source = REPO_ROOT / "book" / "domain4" / "task-4-1.md"
    text = source.read_text(encoding="utf-8")
    assert not lint_markdown(source, text)
    copy = tmp_path / "task-4-1.md"
    # Break the notice in the section that teaches Model Monitor end to end.
    marker = "## SageMaker Model Monitor, end to end\n\n:::{service-status} model-monitor\n:::\n"
    assert marker in text
    start = text.index(marker)
    end = text.index("\n## ", start + len(marker))
    section = text[start:end].replace(marker, "## SageMaker Model Monitor, end to end\n\n")
    section = section.replace(" {service-status}`model-monitor`", "")  # a figure caption may carry the role too
    copy.write_text(text[:start] + section + text[end:], encoding="utf-8")
    problems = lint_markdown(copy)
    assert len(problems) == 1
    message = str(problems[0])
    line = text[: text.index(marker)].count("\n") + 1
    lines = copy.read_text().splitlines()
    mention = next(i for i, text_line in enumerate(lines, 1) if i >= line and "Model Monitor" in text_line)
    assert message.startswith(f"{copy}:{mention}: Amazon SageMaker Model Monitor [model-monitor]")
    assert "no service-status notice" in message


def test_a_contradicting_phrase_near_a_mention_fails(tmp_path, entries):
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n## Accelerators\n\n:::{service-status} elastic-inference\n:::\n\n"
        "Elastic Inference still works for accounts that used it in the previous\n30 days.\n"
    )
    problems = lint_markdown(page, entries=entries)
    assert [(p.line, p.entry.id) for p in problems] == [(8, "elastic-inference")]
    assert "'30 days'" in str(problems[0])


def test_a_notice_counts_only_in_its_own_section(tmp_path, entries):
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n## One\n\n{service-status}`model-monitor` Model Monitor here.\n\n"
        "## Two\n\nModel Monitor again.\n"
    )
    problems = lint_markdown(page, entries=entries)
    assert [(p.line, p.entry.id) for p in problems] == [(9, "model-monitor")]


def test_a_renamed_service_needs_one_notice_per_page(tmp_path, entries):
    page = tmp_path / "page.md"
    body = "# Page\n\n## One\n\nKinesis Data Firehose.\n\n## Two\n\nKinesis Data Firehose.\n"
    page.write_text(body)
    assert [(p.line, p.entry.id) for p in lint_markdown(page, entries=entries)] == [(5, "data-firehose")]
    page.write_text(body + "\n:::{service-status} data-firehose\n:::\n")
    assert lint_markdown(page, entries=entries) == []


def test_code_blocks_and_front_matter_are_not_prose(tmp_path, entries):
    page = tmp_path / "page.md"
    page.write_text(
        "---\ntitle: Model Monitor\n---\n# Page\n\n```python\n# Model Monitor\n```\n\n"
        "```{note}\nModel Monitor in a directive is prose.\n```\n"
    )
    assert [(p.line, p.entry.id) for p in lint_markdown(page, entries=entries)] == [(11, "model-monitor")]


def test_a_lab_without_its_notice_fails_naming_the_cell(tmp_path, entries):
    lab = REPO_ROOT / "labs" / "11-drift-monitoring.ipynb"
    copy = tmp_path / lab.name
    shutil.copy(lab, copy)
    assert lint_notebook(copy) == []
    notebook = json.loads(copy.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = [line.replace(" {service-status}`model-monitor`", "") for line in cell["source"]]
    copy.write_text(json.dumps(notebook), encoding="utf-8")
    problems = lint_notebook(copy)
    assert problems and all(p.entry.id == "model-monitor" for p in problems)
    assert str(problems[0]).startswith(f"{copy} (cell 1):")


# --- the loader's errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, message",
    [
        (("  status: retired\n", "  status: gone\n"),
         r"entry 2 \('elastic-inference'\): field 'status' is 'gone'"),
        (("  notice: Elastic Inference is no longer available.\n", ""), r"entry 2 .*missing field\(s\) 'notice'"),
        (("  effective_note: no date on the pages\n", ""), r"entry 1 \('model-monitor'\): field 'effective' is null"),
        (("  effective: 2023-04-15\n", "  effective: April 2023\n"),
         r"entry 2 .*field 'effective' is not a YYYY-MM-DD"),
        (("  aliases: [Model Monitor]\n", "  aliases: []\n"), r"entry 1 .*field 'aliases' must be a non-empty list"),
        (("      says: no longer available\n", ""), r"entry 2 .*sources item 1: field 'says'"),
        (("    - url: https://docs.aws.amazon.com/cli/latest/reference/firehose/index.html\n",
          "    - url: http://example.com\n"), r"entry 3 .*'sources' item 1 url must start with https://"),
        (("- id: data-firehose\n", "- id: model-monitor\n"), r"entry 'model-monitor': field 'id' is used twice"),
        (("  aliases: [Kinesis Data Firehose]\n", "  aliases: [Model Monitor]\n"),
         r"'aliases': 'Model Monitor' already belongs to 'model-monitor'"),
        (("  replacement: Inferentia\n", "  replacement: Inferentia\n  colour: red\n"),
         r"entry 2 .*unknown field\(s\) 'colour'"),
    ],
)
def test_malformed_files_name_the_entry_and_the_field(tmp_path, change, message):
    path = tmp_path / "status.yml"
    old, new = change
    assert old in VALID
    path.write_text(VALID.replace(old, new, 1))
    with pytest.raises(ServiceStatusError, match=message):
        load_status(path)


@pytest.mark.parametrize("text, message", [("- [unclosed\n", "not valid YAML"), ("id: x\n", "non-empty list")])
def test_a_file_that_is_not_a_list_is_refused(tmp_path, text, message):
    path = tmp_path / "status.yml"
    path.write_text(text)
    with pytest.raises(ServiceStatusError, match=message):
        load_status(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ServiceStatusError, match="file not found"):
        load_status(Path(tmp_path / "absent.yml"))


def test_every_practice_question_naming_a_closed_or_renamed_service_carries_its_notice():
    """Practice pages and the exam page draw each question's status notices from the status file."""
    from exam_site import exam_data

    from course_generators import practice_page
    from labkit import questions as bank
    from labkit.service_status import mentions

    questions = bank.load_bank()
    named = {q.id: mentions(bank.full_text(q)) for q in questions}
    assert any(named.values()), "the bank names no service of the status file: the test would check nothing"
    data = {item["id"]: item for item in exam_data(REPO_ROOT)["questions"]}
    for domain in (1, 2, 3, 4):
        in_domain = [q for q in questions if q.domain == domain]
        blocks = practice_page(domain, in_domain).split("**Question ")[1:]
        in_page_order = sorted(in_domain, key=lambda q: q.task)  # the page groups by task, bank order inside
        for q, block in zip(in_page_order, blocks, strict=True):
            for entry in named[q.id]:
                badge = f"{{service-status}}`{entry.id}`"
                assert badge in block, f"{q.id}: no {entry.name} notice on its practice page"
                shown = [n["name"] for n in data[q.id].get("notices", [])]
                assert entry.name in shown, f"{q.id}: no {entry.name} notice in the exam page's data"
