"""The study plans and the exam-technique page (tools/sphinx/study_plan.py, book/start/study-plan.yml)."""

from __future__ import annotations

import re
import shutil

import pytest
import study_plan
import yaml

from course_generators import toc_files
from labkit import questions as bank
from labkit import syllabus
from tests.conftest import REPO_ROOT

PLANS = ("four-weeks", "six-weeks")
WEIGHTS = {d.id: d.weight_percent for d in syllabus.domains(REPO_ROOT / "book/reference/mla-c01.yml")}
TECHNIQUE_PAGE = REPO_ROOT / "book/start/exam-technique.md"


def _task_pages_in_toc() -> set[str]:
    return {doc for doc in toc_files(REPO_ROOT) if re.fullmatch(r"book/domain[1-4]/task-[1-4]-[1-3]", doc)}


def _labs_in_toc() -> set[str]:
    return {doc for doc in toc_files(REPO_ROOT) if doc.startswith("labs/")}


@pytest.mark.parametrize("plan_id", PLANS)
def test_every_task_page_and_lab_is_linked_from_the_plan(plan_id):
    text = study_plan.plan_markdown(REPO_ROOT, plan_id)
    linked = set(re.findall(r"\{doc\}`[^`<]*</([^>]+)>`", text))
    assert _task_pages_in_toc() - linked == set(), "task pages missing from the plan"
    assert _labs_in_toc() - linked == set(), "labs missing from the plan"
    assert len(_task_pages_in_toc()) == 12


@pytest.mark.parametrize("plan_id", PLANS)
def test_every_practice_set_and_the_four_mock_exams_are_placed(plan_id):
    plan = study_plan.compute_plan(REPO_ROOT, plan_id)
    practice = sorted(int(i.target) for w in plan.weeks for i in w.items if i.kind == "practice")
    assert practice == [1, 2, 3, 4]
    mocks = {i.target: w.number for w in plan.weeks for i in w.items if i.kind == "mock"}
    last, half = len(plan.weeks), len(plan.weeks) / 2
    assert mocks["A"] == 1, "mock exam A is the diagnostic of the first week"
    assert abs(mocks["B"] - half) <= 0.5, "mock exam B is taken half-way"
    assert mocks["C"] == mocks["D"] == last, "mock exams C and D are in the last week"
    assert "{ref}`Domain 1 practice <practice-domain1>`" in study_plan.plan_markdown(REPO_ROOT, plan_id)


@pytest.mark.parametrize("plan_id", PLANS)
def test_each_domain_share_of_the_hours_is_within_3_points_of_its_weight(plan_id):
    minutes = study_plan.compute_plan(REPO_ROOT, plan_id).domain_minutes()
    total = sum(minutes.values())
    shares = {d: 100 * m / total for d, m in minutes.items()}
    gaps = {d: round(shares[d] - WEIGHTS[d], 1) for d in shares}
    assert all(abs(gap) <= 3 for gap in gaps.values()), f"share minus weight, by domain: {gaps}"


def _independent_minutes(item: study_plan.Item, rates: dict, bench: dict[str, float]) -> float:
    """An item's minutes recomputed here from the raw material, without the module's helpers."""
    if item.kind == "read":
        return study_plan.count_words((REPO_ROOT / f"{item.target}.md").read_text()) / rates["words_per_minute"]
    if item.kind == "lab":
        import lab_pacing  # the one rule for a lab's time, also behind the labs' stated minutes

        pace = lab_pacing.lab_pace(REPO_ROOT / "labs" / f"{item.target}.ipynb", bench.get(item.target, 60))
        return pace.core_minutes + pace.optional_minutes
    if item.kind == "practice":
        count = sum(1 for q in bank.load_bank() if q.pool == "practice" and q.domain == int(item.target))
        return count * rates["minutes_per_question"]
    if item.kind == "mock":
        exam = syllabus.load_syllabus(REPO_ROOT / "book/reference/mla-c01.yml")["exam"]
        return exam["duration_minutes"]["value"] + exam["questions"]["total"] * rates["review_minutes_per_question"]
    return item.minutes  # a second pass over a traps section: counted by the same word counter


@pytest.mark.parametrize("plan_id", PLANS)
def test_the_hours_a_plan_states_equal_the_computed_sum(plan_id):
    plan = study_plan.compute_plan(REPO_ROOT, plan_id)
    rates = yaml.safe_load((REPO_ROOT / "book/start/study-plan.yml").read_text())["rates"]
    bench = study_plan.benchmark_seconds(REPO_ROOT)
    text = study_plan.plan_markdown(REPO_ROOT, plan_id)
    rows = re.findall(r"^\| (\d+) \|.*\| ([0-9.]+) \|$", text, flags=re.M)
    assert [int(n) for n, _ in rows] == list(range(1, len(plan.weeks) + 1))
    for (number, stated), week in zip(rows, plan.weeks, strict=True):
        expected = sum(_independent_minutes(item, rates, bench) for item in week.items)
        assert float(stated) == round(expected / 60, 1), f"week {number}"
    total = float(re.search(r"\| \*\*Total\*\* \|.*\*\*([0-9.]+)\*\* \|", text).group(1))
    assert total == round(plan.minutes / 60, 1)
    assert abs(total - sum(float(h) for _, h in rows)) <= 0.05 * len(rows)  # the weeks' rounding only
    assert f"of the plan's {total} hours" in text


def test_the_domain_split_sentence_is_computed_from_the_table():
    plan = study_plan.compute_plan(REPO_ROOT, "four-weeks")
    text = study_plan.plan_markdown(REPO_ROOT, "four-weeks")
    for domain, minutes in plan.domain_minutes().items():
        assert f"Domain {domain} {round(minutes / 60, 1)} h" in text
    assert "14/13/11/12" not in (REPO_ROOT / "book/start/study-plan.md").read_text()


def test_the_plan_pages_hold_no_typed_hours():
    page = (REPO_ROOT / "book/start/study-plan.md").read_text()
    for plan_id in PLANS:
        assert f":::{{study-plan}} {plan_id}" in page
    assert not re.search(r"\|\s*\d+\s*\|\s*$", page, flags=re.M), "a table row ends in a typed number"


def test_the_technique_page_shows_three_practice_items_of_three_domains_and_types():
    ids = re.findall(r"^:::\{bank-question\} (\S+)$", TECHNIQUE_PAGE.read_text(), flags=re.M)
    assert len(ids) == 3
    by_id = {q.id: q for q in bank.load_bank()}
    items = [by_id[i] for i in ids]
    assert all(q.pool == "practice" and not q.self_check for q in items)
    assert len({q.domain for q in items}) == 3
    assert {q.type for q in items} >= {"multiple_choice", "multiple_response"}
    assert {q.type for q in items} & {"ordering", "matching"}
    for q in items:  # the page never retypes the question
        assert q.stem.strip()[:60] not in TECHNIQUE_PAGE.read_text()


def test_the_technique_page_refuses_an_exam_item():
    exam_item = next(q for q in bank.load_bank() if q.pool == "exam")
    with pytest.raises(study_plan.StudyPlanError, match="exam pool"):
        study_plan.find_question(REPO_ROOT, exam_item.id)


def test_exam_facts_come_from_the_syllabus_with_their_confidence():
    table = study_plan.exam_facts_markdown(REPO_ROOT)
    assert "| Duration | 130 minutes | *Unverified*" in table
    assert "130 ÷ 65 = 2.0 minutes" in table
    assert "| Questions | 65: 50 scored, 15 unscored" in table


def test_a_plan_naming_a_missing_lab_fails_clearly(tmp_path):
    root = tmp_path / "course"
    for part in ("book", "labs"):
        shutil.copytree(REPO_ROOT / part, root / part)
    data = yaml.safe_load((root / study_plan.PLAN_FILE).read_text())
    data["plans"]["four-weeks"]["weeks"][0]["labs"].append("99-no-such-lab")
    (root / study_plan.PLAN_FILE).write_text(yaml.safe_dump(data))
    with pytest.raises(study_plan.StudyPlanError, match="lab '99-no-such-lab' does not exist"):
        study_plan.compute_plan(root, "four-weeks")


def test_word_count_skips_front_matter_comments_and_labels():
    text = "---\ntask: '1.1'\n---\n<!-- a note -->\n(some-label)=\n# Two words\n"
    assert study_plan.count_words(text) == 3  # "#", "Two", "words"
