"""The generated pages: glossary and syllabus map."""

from __future__ import annotations

import pytest

from course_generators import GlossaryError, glossary_page, load_glossary, syllabus_map_page
from tests.conftest import REPO_ROOT


def test_glossary_merges_and_sorts_terms(tmp_path):
    (tmp_path / "a.yml").write_text("- term: Zeta\n  definition: last.\n- term: alpha\n  definition: first.\n")
    (tmp_path / "b.yml").write_text("- term: Beta\n  definition: >-\n    two\n    lines.\n")
    entries = load_glossary(tmp_path)
    assert [e["term"] for e in entries] == ["alpha", "Beta", "Zeta"]
    assert entries[1]["definition"] == "two lines."
    assert "```{glossary}" in glossary_page(entries)


def test_a_term_defined_twice_names_both_files(tmp_path):
    (tmp_path / "a.yml").write_text("- term: Epoch\n  definition: one pass.\n")
    (tmp_path / "b.yml").write_text("- term: epoch\n  definition: again.\n")
    with pytest.raises(GlossaryError, match=r"b\.yml: term 'epoch' is already defined in .*a\.yml"):
        load_glossary(tmp_path)


@pytest.mark.parametrize(
    "text, message",
    [("- term: Epoch\n", "entry 1 needs both"), ("term: x\n", "expected a list"), ("- [unclosed\n", "not valid YAML")],
)
def test_malformed_glossary_files_are_reported(tmp_path, text, message):
    (tmp_path / "bad.yml").write_text(text)
    with pytest.raises(GlossaryError, match=message):
        load_glossary(tmp_path)


def test_the_course_glossary_loads():
    load_glossary(REPO_ROOT / "book" / "reference" / "glossary")


def test_syllabus_map_lists_all_twelve_tasks_and_the_labs():
    page = syllabus_map_page(REPO_ROOT)
    for task_id in ("1.1", "2.3", "3.2", "4.3"):
        assert f"| {task_id} " in page
    assert "{doc}`Lab 00: Orientation </labs/00-orientation>`" in page
