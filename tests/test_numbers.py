"""Numbers to know: `book/reference/numbers.yml` agrees with the chapters, and its page is generated from it."""

from __future__ import annotations

import shutil

import pytest
import yaml
from exam_cues import CuesError, check_numbers, load_numbers, numbers_page

from tests.conftest import REPO_ROOT

NUMBERS = REPO_ROOT / "book/reference/numbers.yml"


def test_every_number_is_written_in_the_section_that_teaches_it():
    assert check_numbers(REPO_ROOT) == []


def test_the_file_covers_every_task_and_prices_are_dated():
    numbers = load_numbers(NUMBERS)
    assert len(numbers) >= 60
    assert len({n.task for n in numbers}) == 12, sorted({n.task for n in numbers})
    prices = [n for n in numbers if n.kind == "price"]
    assert prices and all(n.region and n.checked for n in prices)


def _copy(tmp_path, old: str, new: str):
    text = NUMBERS.read_text(encoding="utf-8")
    assert old in text
    copy = tmp_path / "numbers.yml"
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def test_a_changed_value_on_a_copy_fails_naming_the_file_and_the_value(tmp_path):
    copy = _copy(tmp_path, "    value: 8760\n", "    value: 8670\n")
    expected = r"numbers\.yml: entry \d+ \('kds-retention-max'\): value '8,670' does not appear"
    with pytest.raises(CuesError, match=expected):
        check_numbers(REPO_ROOT, copy)


def test_a_number_the_chapter_no_longer_says_fails_naming_the_file_and_the_value(tmp_path):
    copy = _copy(tmp_path, 'as_written: "up to 8,760 h"', 'as_written: "up to 8,670 h"')
    copy.write_text(copy.read_text().replace("    value: 8760\n", "    value: 8670\n", 1))
    problems = check_numbers(REPO_ROOT, copy)
    assert len(problems) == 1
    assert "numbers.yml: kds-retention-max: value 8,670 hours (365 days)" in problems[0]
    assert "t1-1-aws of book/domain1/task-1-1.md" in problems[0]


def test_a_chapter_that_changes_its_number_fails(tmp_path):
    root = tmp_path / "root"
    (root / "book/domain1").mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "book/domain1", root / "book/domain1", dirs_exist_ok=True)
    page = root / "book/domain1/task-1-1.md"
    page.write_text(page.read_text().replace("up to 8,760 h", "up to 8,000 h"))
    one = {"numbers": [e for e in yaml.safe_load(NUMBERS.read_text())["numbers"] if e["id"] == "kds-retention-max"]}
    (root / "numbers.yml").write_text(yaml.safe_dump(one))
    (problem,) = check_numbers(root, root / "numbers.yml")
    assert "kds-retention-max" in problem and "'up to 8,760 h'" in problem


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"id": "x", "service": "S", "what": "w", "value": 1, "teaches": "t1-1-aws", "url": "https://aws.amazon.com/"},
         "lacks as_written"),
        ({"id": "x", "service": "S", "what": "w", "value": "$1", "teaches": "t1-1-aws", "kind": "price",
          "url": "https://aws.amazon.com/", "as_written": "$1"}, "lacks region, checked"),
        ({"id": "x", "service": "S", "what": "w", "value": 1, "teaches": "t1-1-aws", "url": "https://example.com/",
          "as_written": "1"}, "url must be an AWS page"),
        ({"id": "x", "service": "S", "what": "w", "value": 1, "teaches": "intro", "url": "https://aws.amazon.com/",
          "as_written": "1"}, "names no task page"),
    ],
)
def test_malformed_entries_are_refused(tmp_path, entry, message):
    path = tmp_path / "numbers.yml"
    path.write_text(yaml.safe_dump({"numbers": [entry]}))
    with pytest.raises(CuesError, match=message):
        load_numbers(path)


def test_the_page_groups_by_service_and_links_the_teaching_section():
    page = numbers_page(REPO_ROOT)
    assert "(numbers-to-know)=" in page and "## Amazon Kinesis Data Streams" in page
    assert "{ref}`Task 1.1 <t1-1-aws>`" in page
    assert "us-east-1, checked 2026-11-29" in page
