"""A mock MLA-C01 exam from the course's question bank: sample it, take it, grade it.

From the command line::

    python -m labkit.exam print --seed 7                 # print a 65-question exam
    python -m labkit.exam template --seed 7 > answers.yml  # an answers file to fill in
    python -m labkit.exam grade --seed 7 answers.yml     # score it

The same seed always gives the same exam, so an exam can be retaken or graded later.

Scoring. The real exam reports a scaled score from 100 to 1,000 and passes at 720. AWS does not
publish how raw answers map to that scale (and 15 of its 65 questions are unscored). This mock
exam scores all its questions and maps the share of correct answers linearly onto the scale:
``scaled = 100 + 900 × correct / total``, so an empty sheet gives 100, a perfect one 1,000, and 720
needs about 69% right. Treat it as an estimate, not a prediction. As on the exam, a
multiple-response, ordering or matching question counts only when the whole answer is right, and
each case-study question is scored on its own.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from labkit.questions import Question, load_bank

EXAM_SIZE = 65
DOMAIN_WEIGHTS = {1: 28, 2: 26, 3: 22, 4: 24}
PASS_MARK = 720
SCALE_MIN, SCALE_MAX = 100, 1000


class AnswersError(ValueError):
    """An answers file or mapping is malformed or names unknown questions."""


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
    """Standalone questions, and case studies kept whole."""
    units: dict[str, list[Question]] = {}
    for q in questions:
        units.setdefault(q.case_id or q.id, []).append(q)
    return list(units.values())


def sample_exam(questions: list[Question], seed: int, size: int = EXAM_SIZE) -> list[Question]:
    """A seeded exam of `size` questions with the exam's domain weights."""
    rng = random.Random(seed)
    exam: list[Question] = []
    for domain, quota in domain_quotas(size).items():
        units = _units([q for q in questions if q.domain == domain])
        available = sum(len(u) for u in units)
        if available < quota:
            raise ValueError(f"domain {domain} has {available} questions; an exam of {size} needs {quota}")
        rng.shuffle(units)
        chosen: list[Question] = []
        for unit in units:
            if len(chosen) + len(unit) <= quota:
                chosen.extend(unit)
            if len(chosen) == quota:
                break
        if len(chosen) < quota:  # only case studies were left and none fitted: top up with single questions
            singles = [u[0] for u in units if len(u) == 1 and u[0] not in chosen]
            chosen.extend(singles[: quota - len(chosen)])
        exam.extend(chosen)
    return exam


def _normalise(question: Question, given: object) -> object:
    """The learner's answer in the bank's answer format, or raise AnswersError."""
    if given is None:
        return None
    if question.type == "matching":
        if not isinstance(given, dict):
            raise AnswersError(f"question {question.id!r} is a matching question: answer with prompt -> letter")
        return {str(k): str(v).strip().upper() for k, v in given.items()}
    if isinstance(given, str):
        given = [part for part in given.replace(",", " ").split() if part]
    if not isinstance(given, list):
        raise AnswersError(f"question {question.id!r}: answer with a list of letters, e.g. [B] or [A, D]")
    return [str(letter).strip().upper() for letter in given]


def is_correct(question: Question, given: object) -> bool:
    """Whole-answer scoring: every choice right, nothing extra; order matters only for ordering."""
    answer = _normalise(question, given)
    if answer is None:
        return False
    if question.type in ("multiple_choice", "multiple_response"):
        return sorted(answer) == sorted(question.answer)
    return answer == question.answer


@dataclass(frozen=True)
class Result:
    """A graded exam."""

    correct: int
    total: int
    scaled: int
    passed: bool
    by_domain: dict[int, tuple[int, int]]
    revisit: list[str]

    def report(self) -> str:
        lines = [
            f"Score: {self.scaled} on the 100-1,000 scale ({self.correct}/{self.total} correct); "
            f"{'PASS' if self.passed else 'FAIL'} at {PASS_MARK}.",
            "(AWS does not publish its scaling; this mock maps the share correct linearly onto 100-1,000.)",
            "",
            "By domain:",
        ]
        for domain, (right, asked) in sorted(self.by_domain.items()):
            share = right / asked if asked else 0.0
            lines.append(f"  Domain {domain}: {right}/{asked} ({share:.0%})")
        if self.revisit:
            lines += ["", "Revisit:"] + [f"  {page}" for page in self.revisit]
        return "\n".join(lines)


def scaled_score(correct: int, total: int) -> int:
    """Map the share of correct answers linearly onto 100-1,000 (rounded)."""
    if total <= 0 or not 0 <= correct <= total:
        raise ValueError(f"need 0 <= correct <= total and total > 0, got {correct}/{total}")
    return round(SCALE_MIN + (SCALE_MAX - SCALE_MIN) * correct / total)


def grade(exam: list[Question], answers: dict[str, object]) -> Result:
    """Grade `answers` (question id -> answer) against `exam`."""
    if not isinstance(answers, dict):
        raise AnswersError("answers must be a mapping from question id to answer")
    known = {q.id for q in exam}
    unknown = sorted(set(map(str, answers)) - known)
    if unknown:
        raise AnswersError(f"answers name questions that are not in this exam: {', '.join(unknown)} (check the seed)")
    answers = {str(k): v for k, v in answers.items()}
    per_domain: dict[int, list[int]] = {}
    missed: Counter[str] = Counter()
    correct = 0
    for q in exam:
        ok = is_correct(q, answers.get(q.id))
        correct += ok
        tally = per_domain.setdefault(q.domain, [0, 0])
        tally[0] += ok
        tally[1] += 1
        if not ok:
            missed[q.teaches] += 1
    scaled = scaled_score(correct, len(exam))
    revisit = [f"{teaches} ({count} missed)" for teaches, count in missed.most_common()]
    return Result(
        correct=correct,
        total=len(exam),
        scaled=scaled,
        passed=scaled >= PASS_MARK,
        by_domain={d: (t[0], t[1]) for d, t in per_domain.items()},
        revisit=revisit,
    )


def read_answers(path: Path) -> dict[str, object]:
    """Read an answers file (YAML, or JSON, which YAML parses too: question id -> answer)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AnswersError(f"cannot read answers file {path}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AnswersError(f"{path}: expected a mapping 'question-id: answer', e.g. 'd1-parquet-scan: [B]'")
    return data


def render(exam: list[Question]) -> str:
    """The exam as plain text, in order, without answers."""
    lines = []
    shown_cases = set()
    for number, q in enumerate(exam, start=1):
        if q.case_id and q.case_id not in shown_cases:
            shown_cases.add(q.case_id)
            lines += ["", f"Case study: {q.scenario.strip()}"]
        kind = q.type.replace("_", " ") + (f", choose {q.choose}" if q.type == "multiple_response" else "")
        lines += ["", f"{number}. [{q.id}] ({kind})", q.stem.strip()]
        if q.type == "matching":
            lines += [f"   {k}. {v}" for k, v in q.prompts.items()] + ["   Responses:"]
        lines += [f"   {k}. {v}" for k, v in q.options.items()]
    return "\n".join(lines).lstrip() + "\n"


def template(exam: list[Question]) -> str:
    """An answers file with every question id and an empty answer."""
    return "".join(f"{q.id}: {'{}' if q.type == 'matching' else '[]'}\n" for q in exam)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit.exam", description="A seeded MLA-C01 mock exam.")
    parser.add_argument("command", choices=["print", "template", "grade"])
    parser.add_argument("answers", nargs="?", type=Path, help="answers file (YAML or JSON) for 'grade'")
    parser.add_argument("--seed", type=int, default=1, help="which exam (the same seed gives the same exam)")
    parser.add_argument("--size", type=int, default=EXAM_SIZE, help="number of questions (default 65)")
    args = parser.parse_intermixed_args(argv)  # allows `grade --seed 7 answers.yml`
    try:
        exam = sample_exam(load_bank(), seed=args.seed, size=args.size)
        if args.command == "print":
            print(render(exam), end="")
        elif args.command == "template":
            print(template(exam), end="")
        else:
            if args.answers is None:
                parser.error("grade needs an answers file")
            print(grade(exam, read_answers(args.answers)).report())
    except (AnswersError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

