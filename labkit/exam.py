"""A mock MLA-C01 exam from the course's question bank: draw it, take it, grade it.

From the command line (``python -m labkit.exam COMMAND --help`` for each command)::

    python -m labkit.exam print --exam A                   # fixed mock exam A (of A-D, which share no item)
    python -m labkit.exam print --seed 7                   # random exam 7: 65 numbered questions
    python -m labkit.exam template --seed 7 > answers.yml  # an answers file to fill in
    python -m labkit.exam grade --seed 7 answers.yml       # score it

Exams draw from the bank's exam pool only (practice-pool items are on the practice pages). The four
fixed mock exams A to D share no item; a random exam is drawn from a seed. The same seed always
gives the same exam, here, in the notebook and on the site's exam page: the questions, their order,
and the order of every question's options. Options are shuffled per exam,
so a question's right letter differs from one exam to the next, and no id is shown.

The random generator is mulberry32, a small 32-bit generator that the site's exam page implements
in JavaScript with the same arithmetic, so that a seed draws the same exam in both.

Scoring. The real exam reports a scaled score from 100 to 1,000 and passes at 720. AWS does not
publish how raw answers map to that scale (and 15 of its 65 questions are unscored). This mock
exam scores all its questions and maps the share of correct answers linearly onto the scale:
``scaled = 100 + 900 × correct / total``, so an empty sheet gives 100, a perfect one 1,000, and 720
needs about 69% right. That mapping is this course's, not AWS's: treat the score as an estimate.
As on the exam, a multiple-response, ordering or matching question counts only when the whole
answer is right, and each case-study question is scored on its own.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from labkit.questions import DOMAIN_WEIGHTS, Question, load_bank

EXAM_SIZE = 65
PASS_MARK = 720
SCALE_MIN, SCALE_MAX = 100, 1000
LETTERS = "ABCDEFGH"
_MASK = 0xFFFFFFFF


class AnswersError(ValueError):
    """An answers file or mapping is malformed or names unknown questions."""


class Mulberry32:
    """mulberry32: a 32-bit generator whose every step the browser reproduces exactly.

    `random()` returns a float in [0, 1) with 32 random bits, like JavaScript's version
    ``((t ^ t >>> 14) >>> 0) / 4294967296``.
    """

    def __init__(self, seed: int) -> None:
        self.state = seed & _MASK

    def random(self) -> float:
        self.state = (self.state + 0x6D2B79F5) & _MASK
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & _MASK
        t = ((t + (((t ^ (t >> 7)) * (t | 61)) & _MASK)) & _MASK) ^ t
        return (t ^ (t >> 14)) / 4294967296


def shuffle(items: list, rng: Mulberry32) -> list:
    """Fisher-Yates in place (from the last position down), as the browser does it; returns `items`."""
    for i in range(len(items) - 1, 0, -1):
        j = math.floor(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items


def domain_quotas(size: int = EXAM_SIZE, weights: dict[int, int] = DOMAIN_WEIGHTS) -> dict[int, int]:
    """How many questions each domain gets, by largest remainder on the exam's weights."""
    if size < len(weights):
        raise ValueError(f"an exam needs at least {len(weights)} questions, got {size}")
    total = sum(weights.values())
    exact = {d: size * w / total for d, w in weights.items()}
    quotas = {d: int(v) for d, v in exact.items()}
    for d in sorted(exact, key=lambda d: exact[d] - quotas[d], reverse=True)[: size - sum(quotas.values())]:
        quotas[d] += 1
    return quotas


def _units(questions: list[Question]) -> list[list[Question]]:
    """Standalone questions, and case studies kept whole, in bank order."""
    units: dict[str, list[Question]] = {}
    for q in questions:
        units.setdefault(q.case_id or q.id, []).append(q)
    return list(units.values())


def _sample_units(questions: list[Question], rng: Mulberry32, size: int) -> list[list[Question]]:
    """Per domain (1 to 4): shuffle its units and take them greedily while they fit the quota;
    then shuffle the chosen units together so that domains mix and case studies stay whole."""
    chosen: list[list[Question]] = []
    for domain, quota in domain_quotas(size).items():
        units = shuffle(_units([q for q in questions if q.domain == domain]), rng)
        taken, count = [], 0
        for unit in units:
            if count + len(unit) <= quota:
                taken.append(unit)
                count += len(unit)
            if count == quota:
                break
        if count < quota:
            raise ValueError(
                f"domain {domain} cannot fill {quota} questions for an exam of {size} "
                f"(it has {sum(len(u) for u in units)} questions, case studies kept whole)"
            )
        chosen.extend(taken)
    return shuffle(chosen, rng)


@dataclass(frozen=True)
class ExamQuestion:
    """A question as one exam shows it: numbered, its options in this exam's order.

    `order` lists the bank's option keys in the order shown; the shown letters are A, B, C, ...
    (for a matching question the responses are shuffled and the prompts keep their numbers).
    """

    number: int
    question: Question
    order: tuple[str, ...]

    @property
    def to_bank(self) -> dict[str, str]:
        """Shown letter -> the bank's option key."""
        return {LETTERS[i]: key for i, key in enumerate(self.order)}

    @property
    def to_shown(self) -> dict[str, str]:
        """The bank's option key -> shown letter."""
        return {key: LETTERS[i] for i, key in enumerate(self.order)}

    @property
    def options(self) -> dict[str, str]:
        """Shown letter -> option text."""
        return {letter: self.question.options[key] for letter, key in self.to_bank.items()}

    @property
    def key(self) -> object:
        """The right answer in shown letters."""
        shown = self.to_shown
        if self.question.type == "matching":
            return {prompt: shown[letter] for prompt, letter in self.question.answer.items()}
        return [shown[k] for k in self.question.answer]

    @property
    def explanations(self) -> dict[str, str]:
        """Why each option is right or wrong, keyed by shown letter (by prompt for matching)."""
        if self.question.type == "matching":
            return dict(self.question.explanations)
        return {letter: self.question.explanations[key] for letter, key in self.to_bank.items()}


@dataclass(frozen=True)
class Paper:
    """One drawn exam: a random exam `seed`, or fixed mock exam `name` (A to D)."""

    seed: int
    questions: tuple[ExamQuestion, ...]
    name: str = ""

    @property
    def title(self) -> str:
        return f"Mock exam {self.name}" if self.name else f"Exam {self.seed}"

    def __len__(self) -> int:
        return len(self.questions)


def exam_pool(questions: list[Question]) -> list[Question]:
    """The items that only mock exams show (practice items appear on pages, so they are left out)."""
    return [q for q in questions if q.pool == "exam"]


def _numbered(chosen: list[Question], rng: Mulberry32) -> tuple[ExamQuestion, ...]:
    """Number the questions and shuffle each one's options, in exam order."""
    return tuple(
        ExamQuestion(number=number, question=q, order=tuple(shuffle(list(q.options), rng)))
        for number, q in enumerate(chosen, start=1)
    )


def draw_exam(questions: list[Question], seed: int, size: int = EXAM_SIZE) -> Paper:
    """Random exam `seed` from the exam pool: domain weights kept, case studies whole, options shuffled."""
    rng = Mulberry32(seed)
    chosen = [q for unit in _sample_units(exam_pool(questions), rng, size) for q in unit]
    return Paper(seed=seed, questions=_numbered(chosen, rng))


FIXED_EXAMS = ("A", "B", "C", "D")
FIXED_SEED = 2026  # changing it reshuffles which items each fixed exam holds


def fixed_exams(questions: list[Question]) -> dict[str, Paper]:
    """Four full mock exams, A to D, that share no item: 65 questions each, with the domain quotas.

    Per domain, the exam pool's units (case studies whole) are shuffled once; case studies go to the
    exams in turn while they fit, then single items fill exam A's quota, then B's, C's and D's.
    """
    rng = Mulberry32(FIXED_SEED)
    per_exam: dict[str, list[list[Question]]] = {name: [] for name in FIXED_EXAMS}
    for domain, quota in domain_quotas(EXAM_SIZE).items():
        units = shuffle(_units([q for q in exam_pool(questions) if q.domain == domain]), rng)
        filled = {name: 0 for name in FIXED_EXAMS}
        cases = [u for u in units if len(u) > 1]
        for i, case in enumerate(cases):
            for name in FIXED_EXAMS[i % 4:] + FIXED_EXAMS[: i % 4]:
                if filled[name] + len(case) <= quota:
                    per_exam[name].append(case)
                    filled[name] += len(case)
                    break
        singles = iter(u for u in units if len(u) == 1)
        for name in FIXED_EXAMS:
            while filled[name] < quota:
                unit = next(singles, None)
                if unit is None:
                    raise ValueError(
                        f"domain {domain} has too few exam-pool items for four disjoint exams "
                        f"({4 * quota} needed, case studies kept whole)"
                    )
                per_exam[name].append(unit)
                filled[name] += 1
    papers = {}
    for name, units in per_exam.items():
        chosen = [q for unit in shuffle(units, rng) for q in unit]
        papers[name] = Paper(seed=0, questions=_numbered(chosen, rng), name=name)
    return papers


def _normalise(eq: ExamQuestion, given: object) -> object:
    """The learner's answer as shown letters, or raise AnswersError."""
    if given is None:
        return None
    if eq.question.type == "matching":
        if not isinstance(given, dict):
            raise AnswersError(
                f"question {eq.number} is a matching question: answer with prompt -> letter, e.g. {{1: B}}"
            )
        return {str(k): str(v).strip().upper() for k, v in given.items()}
    if isinstance(given, str):
        given = [part for part in given.replace(",", " ").split() if part]
    if not isinstance(given, list):
        raise AnswersError(f"question {eq.number}: answer with a list of letters, e.g. [B] or [A, D]")
    return [str(letter).strip().upper() for letter in given]


def is_correct(eq: ExamQuestion, given: object) -> bool:
    """Whole-answer scoring in shown letters: every choice right, nothing extra; order matters only for ordering."""
    answer = _normalise(eq, given)
    if not answer:
        return False
    if eq.question.type in ("multiple_choice", "multiple_response"):
        return sorted(answer) == sorted(eq.key)
    return answer == eq.key


def scaled_score(correct: int, total: int) -> int:
    """Map the share of correct answers linearly onto 100-1,000, rounded half up (as the site does)."""
    if total <= 0 or not 0 <= correct <= total:
        raise ValueError(f"need 0 <= correct <= total and total > 0, got {correct}/{total}")
    return math.floor(SCALE_MIN + (SCALE_MAX - SCALE_MIN) * correct / total + 0.5)


@dataclass(frozen=True)
class Result:
    """A graded exam. `revisit` lists (section, questions missed), most-missed first."""

    correct: int
    total: int
    scaled: int
    passed: bool
    by_domain: dict[int, tuple[int, int]]
    by_task: dict[str, tuple[int, int]]
    revisit: list[tuple[str, int]]

    def report(self) -> str:
        lines = [
            f"Score: {self.scaled} on the 100-1,000 scale ({self.correct}/{self.total} correct); "
            f"{'PASS' if self.passed else 'FAIL'} at {PASS_MARK}.",
            "(This course maps the share correct linearly onto 100-1,000; AWS does not publish its scaling.)",
            "",
            "By domain:",
        ]
        for domain, (right, asked) in sorted(self.by_domain.items()):
            lines.append(f"  Domain {domain}: {right}/{asked} ({right / asked:.0%})")
        lines += ["", "By task statement:"]
        for task, (right, asked) in sorted(self.by_task.items()):
            lines.append(f"  Task {task}: {right}/{asked}")
        if self.revisit:
            lines += ["", "Revisit (most missed first):"]
            lines += [f"  {section} ({count} missed)" for section, count in self.revisit]
        return "\n".join(lines)


def _answers_by_number(paper: Paper, answers: dict) -> dict[int, object]:
    if not isinstance(answers, dict):
        raise AnswersError("answers must be a mapping from question number to answer, e.g. {1: [B], 2: [A, D]}")
    by_number: dict[int, object] = {}
    for raw_key, value in answers.items():
        try:
            by_number[int(str(raw_key).strip())] = value
        except ValueError:
            raise AnswersError(
                f"answers are keyed by question number (1 to {len(paper)}), got {raw_key!r}"
            ) from None
    unknown = sorted(n for n in by_number if not 1 <= n <= len(paper))
    if unknown:
        raise AnswersError(
            f"answers name question numbers that are not in this exam: {', '.join(map(str, unknown))} "
            f"(it has {len(paper)} questions; check the seed and --size)"
        )
    return by_number


def grade(paper: Paper, answers: dict) -> Result:
    """Grade `answers` (question number -> answer in shown letters) against `paper`."""
    by_number = _answers_by_number(paper, answers)
    per_domain: dict[int, list[int]] = {}
    per_task: dict[str, list[int]] = {}
    missed: Counter[str] = Counter()
    correct = 0
    for eq in paper.questions:
        q = eq.question
        ok = is_correct(eq, by_number.get(eq.number))
        correct += ok
        for tally in (per_domain.setdefault(q.domain, [0, 0]), per_task.setdefault(q.task, [0, 0])):
            tally[0] += ok
            tally[1] += 1
        if not ok:
            missed[q.teaches] += 1
    scaled = scaled_score(correct, len(paper))
    return Result(
        correct=correct,
        total=len(paper),
        scaled=scaled,
        passed=scaled >= PASS_MARK,
        by_domain={d: (t[0], t[1]) for d, t in sorted(per_domain.items())},
        by_task={k: (t[0], t[1]) for k, t in sorted(per_task.items())},
        revisit=missed.most_common(),  # ties keep the order of the first miss, as on the site
    )


def key_sheet(paper: Paper) -> dict[int, object]:
    """The right answers of `paper`, by question number, in shown letters."""
    return {eq.number: eq.key for eq in paper.questions}


def read_answers(path: Path) -> dict:
    """Read an answers file (YAML, or JSON, which YAML parses too: question number -> answer)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AnswersError(f"cannot read answers file {path}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AnswersError(f"{path}: expected a mapping 'question number: answer', e.g. '1: [B]'")
    return data


def _kind(q: Question) -> str:
    return {
        "multiple_choice": "choose one",
        "multiple_response": f"choose {q.choose}",
        "ordering": "put the steps in order",
        "matching": "match each prompt with one response",
    }[q.type]


def render(paper: Paper) -> str:
    """The exam as plain text: numbered questions, shuffled options, no ids and no answers."""
    lines = [f"{paper.title}: {len(paper)} questions."]
    shown_cases = set()
    for eq in paper.questions:
        q = eq.question
        if q.case_id and q.case_id not in shown_cases:
            shown_cases.add(q.case_id)
            lines += ["", f"Case study: {q.scenario.strip()}"]
        lines += ["", f"{eq.number}. ({_kind(q)}) {q.stem.strip()}"]
        if q.type == "matching":
            lines += [f"   {k}. {v}" for k, v in q.prompts.items()] + ["   Responses:"]
        lines += [f"   {letter}. {text}" for letter, text in eq.options.items()]
    return "\n".join(lines) + "\n"


def template(paper: Paper) -> str:
    """An answers file with every question number and an empty answer."""
    head = (
        f"# Answers to {paper.title}: a list of letters per question ([B], [A, D]; in order for\n"
        "# ordering questions), and prompt -> letter for matching questions ({1: C, 2: A, 3: B}).\n"
    )
    empty = {eq.number: "{}" if eq.question.type == "matching" else "[]" for eq in paper.questions}
    return head + "".join(f"{number}: {answer}\n" for number, answer in empty.items())


GUESSER_RANKS = {"longest": 0, "second longest": 1, "second shortest": -2, "shortest": -1}


def guesser_answers(paper: Paper, bank: list[Question], rank: str = "longest") -> dict[int, object]:
    """What a test-wise guesser who knows nothing answers.

    For choice items, the option at one length rank (`rank`, a key of GUESSER_RANKS: by default the
    longest; for choose-N, the N options from that rank on); for ordering and matching items, the
    bank's most common key of that length.
    """
    start = GUESSER_RANKS[rank]
    ordering_keys = Counter(tuple(q.answer) for q in bank if q.type == "ordering")
    matching_keys = Counter(tuple(sorted(q.answer.items())) for q in bank if q.type == "matching")
    answers: dict[int, object] = {}
    for eq in paper.questions:
        q = eq.question
        options = eq.options
        if q.type in ("multiple_choice", "multiple_response"):
            by_length = sorted(options, key=lambda letter: -len(options[letter]))  # stable: ties keep A-first
            first = start % len(by_length)
            answers[eq.number] = (by_length + by_length)[first : first + q.choose]
        elif q.type == "ordering":
            fits = [k for k, _ in ordering_keys.most_common() if len(k) == len(options)]
            answers[eq.number] = list(fits[0]) if fits else list(options)
        else:
            fits = [k for k, _ in matching_keys.most_common() if len(k) == len(options)]
            answers[eq.number] = dict(fits[0]) if fits else dict(zip(q.prompts, options, strict=True))
    return answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m labkit.exam",
        description="A seeded MLA-C01 mock exam from the course's question bank. The same seed gives the "
        "same exam here, in book/practice/mock-exam.ipynb and on the site's exam page.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        which = sub.add_mutually_exclusive_group()
        fixed_help = "one of the four fixed mock exams, which share no question"
        which.add_argument("--exam", choices=FIXED_EXAMS, help=fixed_help)
        which.add_argument("--seed", type=int, default=1, help="a random exam (default 1); a seed is always one exam")
        sub.add_argument("--size", type=int, default=EXAM_SIZE, help=f"questions in a random exam ({EXAM_SIZE})")
        return sub

    add("print", "print the exam: numbered questions with their options, without answers")
    add("template", "print an empty answers file (YAML: question number -> answer) to fill in")
    grade_parser = add("grade", "grade a filled-in answers file and print the score report")
    grade_parser.add_argument("answers", type=Path, help="the answers file (YAML or JSON) made from 'template'")
    args = parser.parse_args(argv)
    try:
        bank = load_bank()
        paper = fixed_exams(bank)[args.exam] if args.exam else draw_exam(bank, seed=args.seed, size=args.size)
        if args.command == "print":
            print(render(paper), end="")
        elif args.command == "template":
            print(template(paper), end="")
        else:
            print(grade(paper, read_answers(args.answers)).report())
    except (AnswersError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
