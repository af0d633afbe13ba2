"""Study plans and the exam-technique page, computed from the course's material at build time.

- ``:::{study-plan} four-weeks`` renders one plan of `book/start/study-plan.yml`: a table with, per
  week, every page to read, every lab, the practice sets and the mock exams, each with its minutes,
  then the week's hours and a sentence on how the domain hours split. Nothing in it is typed:
  reading time is the page's word count at the file's words per minute, a lab takes what the labs'
  pacing rule gives (`lab_pacing`: words, measured run time, "Your turn" tasks and exercises), a
  practice set is its number of practice items at two minutes each, a mock exam its duration (from
  the syllabus file) plus its review.
- ``:::{study-plan-rates}`` states those rates, from the same file.
- ``:::{exam-facts}`` renders the exam's format facts from the syllabus file with how sure the
  course is of each; the role ``{exam-fact}`minutes-per-question` `` prints one computed fact.
- ``:::{bank-question} d1-some-id`` prints the stem and options of a practice-pool item of the
  question bank (never an exam-pool item, which only a mock exam may show).

`compute_plan(root, plan_id)` returns the plan as data, so the tests check the same numbers the page
shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from exam_cues import count_words  # one word counter for reading times and plan hours
from lab_pacing import DEFAULT_RUN_SECONDS, MINUTES_PER_EXERCISE, MINUTES_PER_TURN, lab_pace
from lab_pacing import WORDS_PER_MINUTE as LAB_WORDS_PER_MINUTE
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective, SphinxRole

from labkit import questions as bank
from labkit import syllabus
from labkit.exam import domain_quotas

PLAN_FILE = Path("book") / "start" / "study-plan.yml"
BENCHMARK_FILE = Path("book") / "reference" / "benchmark.md"
QUESTIONS_DIR = Path("book") / "practice" / "questions"
MOCK_EXAMS = ("A", "B", "C", "D")
TASK_PAGE = re.compile(r"^book/domain([1-4])/(?:task-[1-4]-[1-3]|index)$")
BENCH_ROW = re.compile(r"^\|\s*(\d\d-[a-z0-9-]+)\s*\|\s*([0-9.]+)\s*\|")


class StudyPlanError(ValueError):
    """The plan file names something that does not exist, or is malformed."""


# ------------------------------------------------------------------ measuring the material


def benchmark_seconds(root: Path) -> dict[str, float]:
    """Lab stem -> seconds for a top-to-bottom run, from the table `make bench` writes."""
    path = root / BENCHMARK_FILE
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = BENCH_ROW.match(line)
        if match:
            found[match.group(1)] = float(match.group(2))
    return found


def section_text(text: str, label: str) -> str:
    """The text of the section whose label line is ``(label)=``, up to the next heading of its level or above."""
    lines = text.split("\n")
    try:
        start = lines.index(f"({label})=")
    except ValueError as exc:
        raise StudyPlanError(f"label {label!r} not found") from exc
    heading = next(i for i in range(start + 1, len(lines)) if re.match(r"^#{1,6}\s", lines[i]))
    level = len(lines[heading]) - len(lines[heading].lstrip("#"))
    end = len(lines)
    for i in range(heading + 1, len(lines)):
        match = re.match(r"^(#{1,6})\s", lines[i])
        if match and len(match.group(1)) <= level:
            end = i
            break
    return "\n".join(lines[heading:end])


# ------------------------------------------------------------------ the plan as data


@dataclass(frozen=True)
class Item:
    """One thing to do in a week, with its minutes and the domains its time counts toward."""

    kind: str  # read, lab, practice, traps, mock
    target: str  # doc name, lab stem, domain number, task id or mock letter
    title: str
    minutes: float
    detail: str
    domains: dict[int, float] = field(default_factory=dict)  # domain -> share of the minutes


@dataclass(frozen=True)
class Week:
    number: int
    items: tuple[Item, ...]
    note: str = ""

    @property
    def minutes(self) -> float:
        return sum(item.minutes for item in self.items)


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    weeks: tuple[Week, ...]
    rates: dict

    @property
    def minutes(self) -> float:
        return sum(week.minutes for week in self.weeks)

    def domain_minutes(self) -> dict[int, float]:
        """Minutes per domain, over the items that belong to a domain (mock exams and start pages do not)."""
        totals = {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}
        for week in self.weeks:
            for item in week.items:
                for domain, share in item.domains.items():
                    totals[domain] += item.minutes * share
        return totals


def hours(minutes: float) -> float:
    """Minutes as hours with one decimal: the unit every figure of a plan is shown in."""
    return round(minutes / 60, 1)


def load_plan_file(root: Path) -> dict:
    path = root / PLAN_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise StudyPlanError(f"{PLAN_FILE}: cannot read it ({exc})") from exc
    if not isinstance(data, dict) or "rates" not in data or "plans" not in data:
        raise StudyPlanError(f"{PLAN_FILE}: needs 'rates' and 'plans'")
    return data


def exam_facts(root: Path) -> dict:
    return syllabus.load_syllabus(root / "book" / "reference" / "mla-c01.yml")["exam"]


def mock_exam_minutes(root: Path, rates: dict) -> tuple[float, float]:
    """(minutes to sit one mock exam, minutes to review it): the exam's duration from the syllabus
    file, and the review rate per question times the exam's number of questions."""
    exam = exam_facts(root)
    return float(exam["duration_minutes"]["value"]), rates["review_minutes_per_question"] * exam["questions"]["total"]


def mock_exam_quotas(root: Path) -> dict[int, int]:
    """Questions per domain in one mock exam: the exam's size split on the domain weights, as
    `labkit.exam` draws it. A mock exam's minutes count toward each domain in these proportions."""
    weights = {d.id: d.weight_percent for d in syllabus.domains(root / "book" / "reference" / "mla-c01.yml")}
    return domain_quotas(exam_facts(root)["questions"]["total"], weights)


def _title(root: Path, doc: str) -> str:
    text = (root / f"{doc}.md").read_text(encoding="utf-8")
    match = re.search(r"(?m)^#\s+(.+)$", text)
    return match.group(1).strip() if match else doc


def _read_item(root: Path, doc: str, wpm: float) -> Item:
    path = root / f"{doc}.md"
    if not path.exists():
        raise StudyPlanError(f"{PLAN_FILE}: page {doc!r} does not exist")
    words = count_words(path.read_text(encoding="utf-8"))
    match = TASK_PAGE.match(doc)
    domains = {int(match.group(1)): 1.0} if match else {}
    return Item("read", doc, _title(root, doc), words / wpm, f"{words:,} words", domains)


def _lab_item(root: Path, stem: str, rates: dict, bench: dict[str, float]) -> Item:
    """A lab takes the time the labs' pacing rule gives (`lab_pacing`): its core plus its optional exercises."""
    path = root / "labs" / f"{stem}.ipynb"
    if not path.exists():
        raise StudyPlanError(f"{PLAN_FILE}: lab {stem!r} does not exist")
    meta = syllabus.lab_metadata(path)
    pace = lab_pace(path, bench.get(stem, DEFAULT_RUN_SECONDS))
    tasks = [str(t) for t in meta.get("tasks", [])]
    domains: dict[int, float] = {}
    for task in tasks:  # a lab that serves several domains counts toward each, by its task statements
        domains[int(task[0])] = domains.get(int(task[0]), 0.0) + 1 / len(tasks)
    measured = f"run {bench[stem]:.0f} s" if stem in bench else "run ≤ 1 min"
    words = pace.core_words + pace.optional_words
    detail = f"{words:,} words, {measured}, {pace.turns} tasks, {pace.exercises} exercises"
    return Item("lab", stem, meta.get("title", stem), pace.core_minutes + pace.optional_minutes, detail, domains)


def _practice_item(domain: int, questions: list[bank.Question], rates: dict) -> Item:
    count = sum(1 for q in questions if q.domain == domain and q.pool == "practice")
    minutes = count * rates["minutes_per_question"]
    return Item("practice", str(domain), f"Practice: Domain {domain}", minutes, f"{count} questions", {domain: 1.0})


def _traps_item(root: Path, task: str, wpm: float) -> Item:
    doc = f"book/domain{task[0]}/task-{task.replace('.', '-')}"
    label = f"t{task.replace('.', '-')}-traps"
    words = count_words(section_text((root / f"{doc}.md").read_text(encoding="utf-8"), label))
    return Item("traps", label, f"Task {task} traps", words / wpm, f"{words:,} words", {int(task[0]): 1.0})


def compute_plan(root: Path, plan_id: str) -> Plan:
    """One plan of the plan file, with every item's minutes computed from the material."""
    data = load_plan_file(root)
    rates = data["rates"]
    plans = data["plans"]
    if plan_id not in plans:
        raise StudyPlanError(f"{PLAN_FILE}: no plan {plan_id!r}; plans: {', '.join(plans)}")
    raw = plans[plan_id]
    bench = benchmark_seconds(root)
    questions = bank.load_bank(root / QUESTIONS_DIR)
    sit, review = mock_exam_minutes(root, rates)
    quotas = mock_exam_quotas(root)
    mock_domains = {d: n / sum(quotas.values()) for d, n in quotas.items()}
    wpm = rates["words_per_minute"]
    weeks = []
    for number, week in enumerate(raw["weeks"], start=1):
        items = [_read_item(root, doc, wpm) for doc in week.get("read", [])]
        items += [_lab_item(root, stem, rates, bench) for stem in week.get("labs", [])]
        items += [_practice_item(int(d), questions, rates) for d in week.get("practice", [])]
        items += [_traps_item(root, str(task), wpm) for task in week.get("traps", [])]
        for letter in week.get("mock", []):
            if letter not in MOCK_EXAMS:
                raise StudyPlanError(f"{PLAN_FILE}: plan {plan_id}, week {number}: no mock exam {letter!r}")
            detail = f"{sit:.0f} min timed + {review:.0f} min review"
            items.append(Item("mock", letter, f"Mock exam {letter}", sit + review, detail, mock_domains))
        weeks.append(Week(number, tuple(items), " ".join(str(week.get("note", "")).split())))
    return Plan(plan_id, raw["title"], tuple(weeks), rates)


# ------------------------------------------------------------------ rendering


def _link(item: Item) -> str:
    if item.kind == "read":
        return f"{{doc}}`{item.title} </{item.target}>`"
    if item.kind == "lab":
        return f"{{doc}}`{item.title} </labs/{item.target}>`"
    if item.kind == "practice":
        return f"{{ref}}`Domain {item.target} practice <practice-domain{item.target}>`"
    if item.kind == "traps":
        return f"{{ref}}`{item.title} <{item.target}>`"
    return f"{{ref}}`{item.title} <practice-exam>`"


def _cell(items: list[Item]) -> str:
    return "<br>".join(f"{_link(i)} ({i.minutes:.0f} min)" for i in items) or "—"


def split_sentence(plan: Plan, weights: dict[int, int], quotas: dict[int, int]) -> str:
    domain = plan.domain_minutes()
    total = sum(domain.values())
    parts = [
        f"Domain {d} {hours(m)} h ({100 * m / total:.0f}%, exam weight {weights[d]}%)" for d, m in domain.items()
    ]
    rest = plan.minutes - total
    per_exam = ", ".join(str(n) for n in quotas.values())
    return (
        f"How the hours split by domain: of the plan's {hours(plan.minutes)} hours, {hours(total)} belong to "
        f"a domain: {', '.join(parts)}. A lab that serves tasks of several domains counts toward each, by its "
        f"task statements; a mock exam counts by its questions ({per_exam} of {sum(quotas.values())} for "
        f"domains 1 to 4). The other {hours(rest)} hours are the start pages."
    )


def plan_markdown(root: Path, plan_id: str) -> str:
    """The plan as MyST: the week table with every item's minutes, then the domain split."""
    plan = compute_plan(root, plan_id)
    weights = {d.id: d.weight_percent for d in syllabus.domains(root / "book" / "reference" / "mla-c01.yml")}
    lines = ["| Week | Read | Labs | Practice and mock exams | Hours |", "|---|---|---|---|---|"]
    for week in plan.weeks:
        read = [i for i in week.items if i.kind in ("read", "traps")]
        labs = [i for i in week.items if i.kind == "lab"]
        practice = [i for i in week.items if i.kind in ("practice", "mock")]
        note = f"<br>*{week.note}*" if week.note else ""
        lines.append(
            f"| {week.number} | {_cell(read)} | {_cell(labs)} | {_cell(practice)}{note} | {hours(week.minutes)} |"
        )
    lines.append(f"| **Total** | | | | **{hours(plan.minutes)}** |")
    lines += ["", split_sentence(plan, weights, mock_exam_quotas(root)), ""]
    return "\n".join(lines)


def rates_markdown(root: Path) -> str:
    rates = load_plan_file(root)["rates"]
    sit, review = mock_exam_minutes(root, rates)
    return (
        f"Every figure in the plans is computed when the site is built. A page takes its word count "
        f"at {rates['words_per_minute']} words per minute, a pace for study rather than for skimming. A lab "
        f"takes the time its opening states, by one rule for every lab: its words (text and code) at "
        f"{LAB_WORDS_PER_MINUTE} words per minute (much of a lab is code and output you run rather than study), "
        f"plus its run time measured by `make bench` (listed on {{doc}}`the about page </book/reference/about>`), "
        f"plus {MINUTES_PER_TURN} minutes per \"Your turn\" task and {MINUTES_PER_EXERCISE} minutes per optional "
        f"exercise. A practice set takes {rates['minutes_per_question']} minutes per question, "
        f"the exam's own pace. A mock exam takes {sit:.0f} minutes timed plus {review:.0f} minutes of review "
        f"({rates['review_minutes_per_question']} minute per question, explanations of the ones you got right "
        f"included)."
    )


def _parse(directive: SphinxDirective, text: str) -> list[nodes.Node]:
    container = nodes.container(classes=["study-plan"])
    source = directive.get_source_info()[0]
    directive.state.nested_parse(StringList(text.splitlines(), source=source), directive.content_offset, container)
    return container.children


def _note_material(env, root: Path) -> None:
    for path in [root / PLAN_FILE, root / BENCHMARK_FILE, root / "book/reference/mla-c01.yml"]:
        env.note_dependency(str(path))
    for pattern in ("book/domain*/*.md", "labs/*.ipynb", f"{QUESTIONS_DIR.as_posix()}/*.yml"):
        for path in root.glob(pattern):
            env.note_dependency(str(path))


class StudyPlanDirective(SphinxDirective):
    """``:::{study-plan} <plan id>``: the plan's week table and its domain split."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        root = Path(self.env.srcdir)
        try:
            text = plan_markdown(root, self.arguments[0].strip())
        except (StudyPlanError, bank.QuestionBankError) as exc:
            raise self.error(str(exc)) from exc
        _note_material(self.env, root)
        return _parse(self, text)


class StudyPlanRatesDirective(SphinxDirective):
    """``:::{study-plan-rates}``: how the plans' minutes are computed."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        root = Path(self.env.srcdir)
        _note_material(self.env, root)
        return _parse(self, rates_markdown(root))


# ------------------------------------------------------------------ the exam's format, from the syllabus file

UNVERIFIED = "*Unverified*: third-party sites only; confirm it on the exam's registration page"
GUIDE = "Exam guide"


def minutes_per_question(root: Path) -> float:
    exam = exam_facts(root)
    return exam["duration_minutes"]["value"] / exam["questions"]["total"]


def exam_facts_markdown(root: Path) -> str:
    exam = exam_facts(root)
    questions = exam["questions"]
    duration, price = exam["duration_minutes"], exam["price_usd"]
    types = "; ".join(f"{name.replace('_', ' ')}: {text}" for name, text in exam["question_types"].items())
    low, high = exam["score_scale"]
    rows = [
        ("Questions", f"{questions['total']}: {questions['scored']} scored, {questions['unscored']} unscored "
                      "and not marked as such", GUIDE),
        ("Question types", types, GUIDE),
        ("Score", f"scaled from {low:,} to {high:,}; {exam['passing_score']} passes", GUIDE),
        ("Scoring", exam["scoring"], GUIDE),
        ("Duration", f"{duration['value']} minutes", UNVERIFIED if duration.get("unverified") else GUIDE),
        ("Time per question", f"{duration['value']} ÷ {questions['total']} = "
                              f"{minutes_per_question(root):.1f} minutes", "as sure as the duration"),
        ("Price", f"{price['value']} USD", UNVERIFIED if price.get("unverified") else GUIDE),
    ]
    lines = ["| | | Source and how sure |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


class ExamFactsDirective(SphinxDirective):
    """``:::{exam-facts}``: the exam's format facts from the syllabus file, with their confidence."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        root = Path(self.env.srcdir)
        self.env.note_dependency(str(root / "book/reference/mla-c01.yml"))
        return _parse(self, exam_facts_markdown(root))


class ExamFactRole(SphinxRole):
    """``{exam-fact}`key` ``: one exam fact as text (`duration`, `questions`, `scored`, `unscored`,
    `passing-score`, `minutes-per-question`)."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        root = Path(self.env.srcdir)
        exam = exam_facts(root)
        facts = {
            "duration": f"{exam['duration_minutes']['value']} minutes",
            "questions": str(exam["questions"]["total"]),
            "scored": str(exam["questions"]["scored"]),
            "unscored": str(exam["questions"]["unscored"]),
            "passing-score": str(exam["passing_score"]),
            "minutes-per-question": f"{minutes_per_question(root):.0f}",
        }
        key = self.text.strip()
        if key not in facts:
            message = self.inliner.reporter.error(f"unknown exam fact {key!r}; known: {', '.join(facts)}",
                                                  line=self.lineno)
            return [nodes.problematic(self.rawtext, self.rawtext)], [message]
        self.env.note_dependency(str(root / "book/reference/mla-c01.yml"))
        return [nodes.Text(facts[key])], []


# ------------------------------------------------------------------ one practice item, from the bank


def find_question(root: Path, qid: str) -> bank.Question:
    """A practice-pool item by id; an exam-pool item is refused (only a mock exam may show it)."""
    found = [q for q in bank.load_bank(root / QUESTIONS_DIR) if q.id == qid]
    if not found:
        raise StudyPlanError(f"no question {qid!r} in {QUESTIONS_DIR}")
    if found[0].pool != "practice":
        raise StudyPlanError(f"question {qid!r} is in the exam pool; a page may show practice items only")
    return found[0]


def question_markdown(q: bank.Question) -> str:
    kind = {"multiple_choice": "Multiple choice", "multiple_response": f"Multiple response (choose {q.choose})",
            "ordering": "Ordering", "matching": "Matching"}[q.type]
    lines = [f"**{kind}** · Task {q.task}", "", q.stem.strip(), ""]
    if q.type == "matching":
        lines += ["| Prompt | Responses |", "|---|---|"]
        for (pk, prompt), (rk, response) in zip(q.prompts.items(), q.options.items(), strict=True):
            lines.append(f"| {pk}. {prompt} | {rk}. {response} |")
    else:
        lines += [f"- {key}. {text}" for key, text in q.options.items()]
    return "\n".join(lines)


class BankQuestionDirective(SphinxDirective):
    """``:::{bank-question} <id>``: a practice item's stem and options, as the bank holds them."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        root = Path(self.env.srcdir)
        try:
            question = find_question(root, self.arguments[0].strip())
        except (StudyPlanError, bank.QuestionBankError) as exc:
            raise self.error(str(exc)) from exc
        for path in (root / QUESTIONS_DIR).glob("*.yml"):
            self.env.note_dependency(str(path))
        box = nodes.container(classes=["bank-question"])
        box += _parse(self, question_markdown(question))
        return [box]


def setup(app: Sphinx) -> dict:
    app.add_directive("study-plan", StudyPlanDirective)
    app.add_directive("study-plan-rates", StudyPlanRatesDirective)
    app.add_directive("exam-facts", ExamFactsDirective)
    app.add_directive("bank-question", BankQuestionDirective)
    app.add_role("exam-fact", ExamFactRole())
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
