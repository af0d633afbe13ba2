"""The data of the site's exam page (`book/practice/exam.md`), generated from the question bank.

`write_exam_data(root, folder)` loads the bank with `labkit.questions` (the same loader and
validation as the command line), and writes `exam-data.js`, which sets `window.MLA_EXAM_DATA`: both
pools (Exam mode draws from the exam pool, Practice mode shows the practice pool) and the four fixed
mock exams, A to D, as Python draws them. It
is a script, not a JSON file fetched at run time, so that the page works from `file://` too. The
page's engine, `tools/exam/exam.js`, draws exam `seed` with the same mulberry32 generator and the
same steps as `labkit.exam.draw_exam`, so a seed is the same exam on the site and in Python.

Question text goes into the page as text (`textContent`), never as HTML; the only markup the
engine honours is a pair of backticks for code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from labkit import exam, service_status, syllabus
from labkit import questions as bank

DATA_FILE = "exam-data.js"
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$")


def section_titles(root: Path, questions: list[bank.Question]) -> dict[str, str]:
    """`teaches` link -> the heading under its label, for the links that say what to revisit."""
    titles: dict[str, str] = {}
    pages: dict[str, list[str]] = {}
    for q in questions:
        if q.teaches in titles:
            continue
        lines = pages.setdefault(q.page, (root / q.page).read_text(encoding="utf-8").splitlines())
        start = lines.index(f"({q.label})=")
        heading = next((HEADING.match(line) for line in lines[start + 1:] if line.strip()), None)
        if heading is None:
            raise bank.QuestionBankError(f"{q.page}: label {q.label!r} is not followed by a heading")
        titles[q.teaches] = heading.group(1).replace("`", "")
    return titles


def _question(q: bank.Question, titles: dict[str, str]) -> dict:
    item = {
        "id": q.id,
        "pool": q.pool,
        "domain": q.domain,
        "task": q.task,
        "type": q.type,
        "stem": q.stem,
        "options": [[k, v] for k, v in q.options.items()],  # a list keeps the bank's order of keys
        "answer": q.answer,
        "explanations": q.explanations,
        "teaches": {
            "href": f"{q.page.removesuffix('.md')}.html#{q.label}",
            "title": titles[q.teaches],
        },
        "docs": list(q.docs),
    }
    if q.type == "multiple_response":
        item["choose"] = q.choose
    if q.type == "matching":
        item["prompts"] = [[k, v] for k, v in q.prompts.items()]
    statuses = service_status.mentions(bank.full_text(q))
    if statuses:  # shown with the answer (practice feedback and review), from service-status.yml
        item["notices"] = [
            {
                "name": s.name,
                "status": s.status_label,
                "notice": " ".join(s.notice.split()),
                "href": f"book/reference/service-status.html#service-status-{s.id}",
            }
            for s in statuses
        ]
    if q.case_id:
        item["caseId"] = q.case_id
        item["scenario"] = q.scenario
    return item


def exam_data(root: Path) -> dict:
    """Everything the exam page needs, in bank order (the order `labkit.exam` samples from)."""
    questions = bank.load_bank(root / "book" / "practice" / "questions")
    bank.check_teaching_links(questions, root)
    titles = section_titles(root, questions)
    facts = syllabus.load_syllabus(root / "book" / "reference" / "mla-c01.yml")["exam"]
    return {
        "version": 1,
        "examSize": exam.EXAM_SIZE,
        "quotas": {str(d): n for d, n in exam.domain_quotas(exam.EXAM_SIZE).items()},
        "minutes": facts["duration_minutes"]["value"],
        "passMark": exam.PASS_MARK,
        "scale": [exam.SCALE_MIN, exam.SCALE_MAX],
        "domains": {str(d.id): d.name for d in syllabus.domains(root / "book" / "reference" / "mla-c01.yml")},
        "tasks": {
            t.id: t.name for d in syllabus.domains(root / "book" / "reference" / "mla-c01.yml") for t in d.tasks
        },
        "questions": [_question(q, titles) for q in questions],
        # The four fixed mock exams, as drawn by labkit.exam.fixed_exams: item ids and option orders.
        "fixed": {
            name: [{"id": eq.question.id, "order": list(eq.order)} for eq in paper.questions]
            for name, paper in exam.fixed_exams(questions).items()
        },
    }


def write_exam_data(root: Path, folder: Path) -> Path:
    """Write `exam-data.js` into `folder` (rewritten only when its text changes); return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    text = "window.MLA_EXAM_DATA = " + json.dumps(exam_data(root), ensure_ascii=False, separators=(",", ":")) + ";\n"
    path = folder / DATA_FILE
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
