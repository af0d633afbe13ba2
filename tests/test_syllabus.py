"""The syllabus file, and the coverage declared by chapter pages and labs."""

from __future__ import annotations

import re

import pytest

from labkit import syllabus
from labkit.syllabus import read_front_matter
from tests.conftest import REPO_ROOT

TASKS = syllabus.tasks()
LABEL_LINE = re.compile(r"^\(([A-Za-z0-9_-]+)\)=\s*$", re.MULTILINE)


def test_the_course_copy_matches_the_shared_syllabus():
    shared = REPO_ROOT.parent / "shared" / "syllabus" / "mla-c01.yml"
    if not shared.exists():
        pytest.skip("no shared/ folder beside this clone (only the developers have it)")
    ours = REPO_ROOT / "book" / "reference" / "mla-c01.yml"
    assert ours.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8"), (
        "book/reference/mla-c01.yml differs from ../shared/syllabus/mla-c01.yml: copy it again"
    )


def test_four_domains_twelve_tasks_weights_sum_to_100():
    domains = syllabus.domains()
    assert [d.id for d in domains] == [1, 2, 3, 4]
    assert sum(d.weight_percent for d in domains) == 100
    assert sorted(TASKS) == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3"]


def _existing_pages():
    """Task pages listed in the table of contents (pages still being drafted are not checked)."""
    from course_generators import toc_files

    in_toc = toc_files(REPO_ROOT)
    return [task for task in TASKS.values() if task.page.with_suffix("").as_posix() in in_toc]


@pytest.mark.parametrize("task", _existing_pages(), ids=lambda t: t.id)
def test_chapter_page_maps_every_bullet_to_a_section_on_the_page(task):
    page = REPO_ROOT / task.page
    front = read_front_matter(page)
    assert str(front.get("task")) == task.id, f"{page}: front matter 'task' should be {task.id!r}"
    coverage = front.get("coverage") or {}
    labels_on_page = set(LABEL_LINE.findall(page.read_text(encoding="utf-8")))
    for kind, bullets in (("knowledge", task.knowledge), ("skills", task.skills)):
        mapped = coverage.get(kind) or []
        assert len(mapped) == len(bullets), (
            f"{page}: coverage.{kind} has {len(mapped)} labels for the {len(bullets)} {kind} bullets"
        )
        missing = [label for label in mapped if label not in labels_on_page]
        assert not missing, f"{page}: coverage.{kind} names labels absent from the page: {missing}"


@pytest.mark.parametrize("task", _existing_pages(), ids=lambda t: t.id)
def test_chapter_page_has_the_conventional_sections(task):
    text = (REPO_ROOT / task.page).read_text(encoding="utf-8")
    prefix = "t" + task.id.replace(".", "-")
    for label in ("expects", "traps"):
        assert f"({prefix}-{label})=" in text, f"{task.page} lacks the '{prefix}-{label}' section"
    assert "https://docs.aws.amazon.com/" in text, f"{task.page} cites no AWS documentation page"


def test_every_lab_names_real_task_statements():
    for notebook in sorted((REPO_ROOT / "labs").glob("[0-9][0-9]-*.ipynb")):
        tasks = syllabus.lab_metadata(notebook).get("tasks", [])
        assert tasks, f"{notebook.name}: metadata course.tasks is empty"
        unknown = [t for t in tasks if str(t) not in TASKS]
        assert not unknown, f"{notebook.name}: unknown task statements {unknown}"
