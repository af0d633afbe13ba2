"""The practice question bank: loading and validation.

Questions live in `book/practice/questions/*.yml`, one source of truth for the practice pages and
the mock exam. Each file is a YAML list of questions; see CONTRIBUTING.md for the schema. A
malformed file fails with `QuestionBankError`, whose message names the file, the question id and
the field at fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from labkit.paths import REPO_ROOT

QUESTIONS_DIR = REPO_ROOT / "book" / "practice" / "questions"
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: ten times faster
TYPES = ("multiple_choice", "multiple_response", "ordering", "matching", "case_study")
SUB_TYPES = ("multiple_choice", "multiple_response")
TASK_IDS = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3")
ID_PATTERN = re.compile(r"^d[1-4]-[a-z0-9-]+$")
TEACHES_PATTERN = re.compile(r"^book/domain([1-4])/task-([1-4])-([1-3])\.md#(t[1-4]-[1-3](?:-[a-z0-9-]+)?)$")


class QuestionBankError(ValueError):
    """A question file is malformed; the message names the file, question and field."""


@dataclass(frozen=True)
class Question:
    """One scored question (a case study contributes one Question per sub-question)."""

    id: str
    domain: int
    task: str
    type: str
    stem: str
    source: Path
    options: dict[str, str] = field(default_factory=dict)
    answer: object = None
    explanations: dict[str, str] = field(default_factory=dict)
    teaches: str = ""
    docs: tuple[str, ...] = ()
    choose: int = 1
    prompts: dict[str, str] = field(default_factory=dict)
    case_id: str | None = None
    scenario: str | None = None

    @property
    def page(self) -> str:
        """The chapter page that teaches this question, relative to the repository root."""
        return self.teaches.split("#", 1)[0]

    @property
    def label(self) -> str:
        """The section label on that page."""
        return self.teaches.split("#", 1)[1]


def _fail(source: Path, qid: str, field_name: str, message: str) -> None:
    raise QuestionBankError(f"{source.name}: question {qid!r}, field {field_name!r}: {message}")


def _text(raw: dict, key: str, source: Path, qid: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        _fail(source, qid, key, "is required and must be non-empty text")
    return value.strip()


def _keyed_texts(raw: dict, key: str, source: Path, qid: str, low: int, high: int) -> dict[str, str]:
    value = raw.get(key)
    if not isinstance(value, dict) or not (low <= len(value) <= high):
        _fail(source, qid, key, f"must map between {low} and {high} keys to texts")
    texts = {str(k): v for k, v in value.items()}
    for k, v in texts.items():
        if not isinstance(v, str) or not v.strip():
            _fail(source, qid, key, f"entry {k!r} must be non-empty text")
    return texts


def _explanations(raw: dict, keys: list[str], source: Path, qid: str) -> dict[str, str]:
    explanations = raw.get("explanations")
    if not isinstance(explanations, dict):
        _fail(source, qid, "explanations", "must explain every option (a mapping key -> text)")
    explanations = {str(k): v for k, v in explanations.items()}
    missing = [k for k in keys if not str(explanations.get(k, "")).strip()]
    if missing:
        _fail(source, qid, "explanations", f"no explanation for {missing}")
    extra = [k for k in explanations if k not in keys]
    if extra:
        _fail(source, qid, "explanations", f"explains keys that are not options: {extra}")
    return explanations


def _common(raw: dict, source: Path, qid: str, domain: int) -> dict:
    task = str(raw.get("task", ""))
    if task not in TASK_IDS or int(task[0]) != domain:
        _fail(source, qid, "task", f"must be a task statement of domain {domain}, got {task!r}")
    teaches = raw.get("teaches", "")
    match = TEACHES_PATTERN.match(str(teaches))
    if not match or match.group(1) != match.group(2):
        _fail(source, qid, "teaches", "must look like 'book/domainD/task-D-N.md#tD-N-label'")
    docs = raw.get("docs", [])
    if not isinstance(docs, list) or not all(isinstance(d, str) and d.startswith("https://") for d in docs):
        _fail(source, qid, "docs", "must be a list of https:// links to the AWS pages behind the facts tested")
    if any("aws.amazon.com" not in d and "amazonaws" not in d for d in docs):
        _fail(source, qid, "docs", "must link AWS documentation (docs.aws.amazon.com or aws.amazon.com)")
    return {"task": task, "teaches": str(teaches), "docs": tuple(docs)}


def _choice(raw: dict, source: Path, qid: str, domain: int, qtype: str, case: dict | None) -> Question:
    common = _common(raw, source, qid, domain)
    stem = _text(raw, "stem", source, qid)
    low = 4 if qtype == "multiple_choice" else 5
    options = _keyed_texts(raw, "options", source, qid, low, 8)
    answer = raw.get("answer")
    if not isinstance(answer, list) or not all(str(a) in options for a in answer):
        _fail(source, qid, "answer", "must be a list of option keys")
    answer = [str(a) for a in answer]
    if len(set(answer)) != len(answer):
        _fail(source, qid, "answer", "repeats an option")
    choose = 1
    if qtype == "multiple_choice" and len(answer) != 1:
        _fail(source, qid, "answer", f"a multiple-choice question has exactly one answer, got {len(answer)}")
    if qtype == "multiple_response":
        if len(answer) < 2:
            _fail(source, qid, "answer", "a multiple-response question has two or more answers")
        choose = raw.get("choose")
        if choose != len(answer):
            _fail(source, qid, "choose", f"must equal the number of answers ({len(answer)}), got {choose!r}")
    explanations = _explanations(raw, list(options), source, qid)
    return Question(
        id=qid, domain=domain, type=qtype, stem=stem, source=source, options=options, answer=answer,
        explanations=explanations, choose=choose, case_id=case and case["id"], scenario=case and case["scenario"],
        **common,
    )


def _ordering(raw: dict, source: Path, qid: str, domain: int) -> Question:
    common = _common(raw, source, qid, domain)
    stem = _text(raw, "stem", source, qid)
    items = _keyed_texts(raw, "options", source, qid, 3, 5)
    answer = raw.get("answer")
    if not isinstance(answer, list) or sorted(map(str, answer)) != sorted(items):
        _fail(source, qid, "answer", f"must be a complete ordering of the options {sorted(items)}")
    explanations = _explanations(raw, list(items), source, qid)
    return Question(
        id=qid, domain=domain, type="ordering", stem=stem, source=source, options=items,
        answer=[str(a) for a in answer], explanations=explanations, **common,
    )


def _matching(raw: dict, source: Path, qid: str, domain: int) -> Question:
    common = _common(raw, source, qid, domain)
    stem = _text(raw, "stem", source, qid)
    prompts = _keyed_texts(raw, "prompts", source, qid, 3, 7)
    responses = _keyed_texts(raw, "options", source, qid, 3, 7)
    if len(responses) != len(prompts):
        _fail(source, qid, "options", f"needs one response per prompt ({len(prompts)}), got {len(responses)}")
    answer = raw.get("answer")
    if not isinstance(answer, dict):
        _fail(source, qid, "answer", "must map every prompt to one response")
    answer = {str(k): str(v) for k, v in answer.items()}
    if sorted(answer) != sorted(prompts) or sorted(answer.values()) != sorted(responses):
        _fail(source, qid, "answer", "must match every prompt to a different response (a complete permutation)")
    explanations = _explanations(raw, list(prompts), source, qid)
    return Question(
        id=qid, domain=domain, type="matching", stem=stem, source=source, options=responses, answer=answer,
        explanations=explanations, prompts=prompts, **common,
    )


def _parse(raw: object, source: Path, index: int) -> list[Question]:
    if not isinstance(raw, dict):
        raise QuestionBankError(f"{source.name}: entry {index} is not a mapping")
    qid = raw.get("id")
    if not isinstance(qid, str) or not ID_PATTERN.match(qid):
        raise QuestionBankError(f"{source.name}: entry {index}, field 'id': must look like 'd1-words', got {qid!r}")
    domain = raw.get("domain")
    if domain not in (1, 2, 3, 4) or not qid.startswith(f"d{domain}-"):
        _fail(source, qid, "domain", "must be 1-4 and match the id's prefix")
    qtype = raw.get("type")
    if qtype not in TYPES:
        _fail(source, qid, "type", f"must be one of {', '.join(TYPES)}")
    if qtype in SUB_TYPES:
        return [_choice(raw, source, qid, domain, qtype, None)]
    if qtype == "ordering":
        return [_ordering(raw, source, qid, domain)]
    if qtype == "matching":
        return [_matching(raw, source, qid, domain)]
    scenario = _text(raw, "scenario", source, qid)
    subs = raw.get("questions")
    if not isinstance(subs, list) or len(subs) < 2:
        _fail(source, qid, "questions", "a case study has two or more questions")
    result = []
    for sub in subs:
        if not isinstance(sub, dict) or sub.get("type") not in SUB_TYPES:
            _fail(source, qid, "questions", "each case-study question is multiple_choice or multiple_response")
        sub_id = sub.get("id")
        if not isinstance(sub_id, str) or not ID_PATTERN.match(sub_id) or not sub_id.startswith(f"d{domain}-"):
            _fail(source, qid, "questions", f"sub-question id {sub_id!r} must look like 'd{domain}-some-words'")
        result.append(_choice(sub, source, sub_id, domain, sub["type"], {"id": qid, "scenario": scenario}))
    return result


def load_file(path: Path) -> list[Question]:
    """Every scored question in one YAML file."""
    try:
        entries = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise QuestionBankError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(entries, list):
        raise QuestionBankError(f"{path.name}: expected a list of questions")
    return [q for index, raw in enumerate(entries, start=1) for q in _parse(raw, path, index)]


def load_bank(folder: Path | None = None) -> list[Question]:
    """Every scored question of the bank, checked for unique ids across files."""
    folder = folder or QUESTIONS_DIR
    questions: list[Question] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yml")):
        for question in load_file(path):
            if question.id in seen:
                raise QuestionBankError(
                    f"{path.name}: question {question.id!r}, field 'id': already used in {seen[question.id].name}"
                )
            seen[question.id] = path
            questions.append(question)
    return questions


def check_teaching_links(questions: list[Question], root: Path = REPO_ROOT) -> None:
    """Raise unless every question's `teaches` names an existing page and a label on it."""
    for question in questions:
        page = root / question.page
        if not page.exists():
            _fail(question.source, question.id, "teaches", f"page {question.page} does not exist")
        if f"({question.label})=" not in page.read_text(encoding="utf-8"):
            _fail(question.source, question.id, "teaches", f"label {question.label!r} is not on {question.page}")


def case_studies(questions: list[Question]) -> dict[str, list[Question]]:
    """Case id -> its questions, in bank order."""
    cases: dict[str, list[Question]] = {}
    for question in questions:
        if question.case_id:
            cases.setdefault(question.case_id, []).append(question)
    return cases
