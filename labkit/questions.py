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
POOLS = ("exam", "practice")
BULLET_PATTERN = re.compile(r"^[ks][1-9][0-9]?$")
# A task page (book/domainD/task-D-N.md#tD-N-...) or its domain's "beyond the exam guide" page
# (book/domainD/beyond.md#bD-...), which teaches topics the task pages do not.
TEACHES_PATTERN = re.compile(
    r"^book/domain([1-4])/(?:task-([1-4])-([1-3])\.md#(t[1-4]-[1-3](?:-[a-z0-9-]+)?)"
    r"|beyond\.md#b([1-4])-[a-z0-9-]+)$"
)


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
    pool: str = "exam"
    bullets: tuple[str, ...] = ()
    self_check: bool = False

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


def _common(raw: dict, source: Path, qid: str, domain: int, pool: str) -> dict:
    task = str(raw.get("task", ""))
    if task not in TASK_IDS or int(task[0]) != domain:
        _fail(source, qid, "task", f"must be a task statement of domain {domain}, got {task!r}")
    teaches = raw.get("teaches", "")
    match = TEACHES_PATTERN.match(str(teaches))
    if match and match.group(5):  # a beyond page: its folder, its label and the question share a domain
        valid = match.group(1) == match.group(5) == str(domain)
    else:
        valid = bool(match) and match.group(1) == match.group(2)
    if not valid:
        _fail(source, qid, "teaches",
              "must look like 'book/domainD/task-D-N.md#tD-N-label' or, for the question's own domain D, "
              "'book/domainD/beyond.md#bD-label'")
    docs = raw.get("docs", [])  # an empty list loads; the lint (`stats`) requires at least one link
    if not isinstance(docs, list) or not all(isinstance(d, str) and d.startswith("https://") for d in docs):
        _fail(source, qid, "docs", "must be a list of https:// links to the AWS pages behind the facts tested")
    if any("aws.amazon.com" not in d and "amazonaws" not in d for d in docs):
        _fail(source, qid, "docs", "must link AWS documentation (docs.aws.amazon.com or aws.amazon.com)")
    bullets = raw.get("bullets", [])  # an empty list loads; the lint requires the bullets an item tests
    if not isinstance(bullets, list) or not all(isinstance(b, str) and BULLET_PATTERN.match(b) for b in bullets):
        _fail(source, qid, "bullets", "must list the syllabus bullets tested, as k1, k2 (knowledge) or s1 (skills)")
    self_check = raw.get("self_check", False)
    if not isinstance(self_check, bool):
        _fail(source, qid, "self_check", "must be true or false")
    if self_check and pool != "practice":
        _fail(source, qid, "self_check", "only a practice-pool item can be a chapter self-check")
    return {
        "task": task, "teaches": str(teaches), "docs": tuple(docs), "pool": pool,
        "bullets": tuple(bullets), "self_check": self_check,
    }


def _choice(
    raw: dict, source: Path, qid: str, domain: int, qtype: str, case: dict | None, pool: str
) -> Question:
    common = _common(raw, source, qid, domain, pool)
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


def _ordering(raw: dict, source: Path, qid: str, domain: int, pool: str) -> Question:
    common = _common(raw, source, qid, domain, pool)
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


def _matching(raw: dict, source: Path, qid: str, domain: int, pool: str) -> Question:
    common = _common(raw, source, qid, domain, pool)
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
    pool = raw.get("pool")
    if pool not in POOLS:
        _fail(source, qid, "pool", "must be 'exam' (mock exams only) or 'practice' (pages, self-checks, Practice mode)")
    if qtype in SUB_TYPES:
        return [_choice(raw, source, qid, domain, qtype, None, pool)]
    if qtype == "ordering":
        return [_ordering(raw, source, qid, domain, pool)]
    if qtype == "matching":
        return [_matching(raw, source, qid, domain, pool)]
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
        if "pool" in sub:
            _fail(source, sub_id, "pool", "is set on the case study, not on its questions")
        result.append(_choice(sub, source, sub_id, domain, sub["type"], {"id": qid, "scenario": scenario}, pool))
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


def check_bullets(questions: list[Question], syllabus_path: Path | None = None) -> None:
    """Raise unless every bullet an item names exists in its task statement's knowledge or skills."""
    from labkit import syllabus

    sizes = {t.id: (len(t.knowledge), len(t.skills)) for d in syllabus.domains(syllabus_path) for t in d.tasks}
    for question in questions:
        knowledge, skills = sizes[question.task]
        for bullet in question.bullets:
            count = knowledge if bullet[0] == "k" else skills
            if int(bullet[1:]) > count:
                kind = "knowledge" if bullet[0] == "k" else "skill"
                _fail(question.source, question.id, "bullets",
                      f"task {question.task} has {count} {kind} bullets; {bullet!r} does not exist")


def bullet_coverage(questions: list[Question], syllabus_path: Path | None = None) -> dict[str, list[str]]:
    """Task id -> the bullets (k1, s3, ...) that no exam-pool item tests."""
    from labkit import syllabus

    missing: dict[str, list[str]] = {}
    for domain in syllabus.domains(syllabus_path):
        for task in domain.tasks:
            tested = {b for q in questions if q.task == task.id and q.pool == "exam" for b in q.bullets}
            wanted = [f"k{i}" for i in range(1, len(task.knowledge) + 1)]
            wanted += [f"s{i}" for i in range(1, len(task.skills) + 1)]
            gaps = [b for b in wanted if b not in tested]
            if gaps:
                missing[task.id] = gaps
    return missing


def case_studies(questions: list[Question]) -> dict[str, list[Question]]:
    """Case id -> its questions, in bank order."""
    cases: dict[str, list[Question]] = {}
    for question in questions:
        if question.case_id:
            cases.setdefault(question.case_id, []).append(question)
    return cases


# ---------------------------------------------------------------- the quality lint

# Thresholds of the lint (tests/test_questions.py enforces them; `python -m labkit.questions stats`
# prints the table). Chance for "the key is the longest option" is 1/4 with four options, so 30%
# leaves room for honest items whose right answer simply needs more words.
MAX_LONGEST_SHARE = 0.30
MAX_RANK_SHARE = 0.30  # share of multiple-choice keys at one length rank (shortest, 2nd, ..., longest)
MAX_LETTER_SHARE_MR = 0.40  # share of multiple-response keys that contain a given letter
MAX_LETTER_SHARE_MC = 0.35  # share of multiple-choice keys on a given letter (chance 25%)
MAX_SAME_SEQUENCE_KEY = 2  # ordering or matching items that share one key
NEAR_DUPLICATE_SIMILARITY = 0.30  # see `similar_pairs`
MAX_LENGTH_RATIO = 1.15  # mean over items of (key length / mean distractor length)

def tested_text(question: Question) -> str:
    """What an item tests: its scenario, stem, keyed option(s) and their explanations.

    Distractors are left out on purpose: two items that share distractors but key different facts
    test different things.
    """
    if question.type in SUB_TYPES:
        keyed = [question.options[k] for k in question.answer] + [question.explanations[k] for k in question.answer]
    else:
        keyed = [*question.options.values(), *question.prompts.values()]
    return " ".join([question.scenario or "", question.stem, *keyed])


def similar_pairs(
    questions: list[Question], top: int | None = None, threshold: float = 0.0
) -> list[tuple[float, str, str]]:
    """Pairs of items by the cosine similarity of TF-IDF vectors (words and word pairs) of `tested_text`.

    Measured on the 131-item bank of 2026-11: the median pair scores 0.01 and no pair of items
    that test different facts scores above 0.26, while the two Firehose items that both keyed
    "Firehose record format conversion to Parquet" scored 0.32. `NEAR_DUPLICATE_SIMILARITY` (0.30)
    sits between. Sub-questions of one case study are not compared with each other.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    if len(questions) < 2:
        return []
    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 2)).fit_transform(
        [tested_text(q) for q in questions]
    )
    scores = cosine_similarity(vectors)
    pairs = []
    for i, first in enumerate(questions):
        for j in range(i + 1, len(questions)):
            second = questions[j]
            if first.case_id and first.case_id == second.case_id:
                continue
            if scores[i, j] >= threshold:
                pairs.append((round(float(scores[i, j]), 2), first.id, second.id))
    pairs.sort(reverse=True)
    return pairs[:top] if top else pairs


def near_duplicates(questions: list[Question]) -> list[tuple[float, str, str]]:
    """Pairs of items that test the same thing, by `similar_pairs` at `NEAR_DUPLICATE_SIMILARITY`."""
    return similar_pairs(questions, threshold=NEAR_DUPLICATE_SIMILARITY)


def key_is_longest(question: Question) -> bool:
    """True when the keyed option(s) are the longest: a test-wise guesser would pick them.

    For a multiple-response item, true when the N keyed options are the N longest (ties count
    against the item).
    """
    keyed = [len(question.options[k]) for k in question.answer]
    others = [len(v) for k, v in question.options.items() if k not in question.answer]
    return min(keyed) >= max(others)


def key_length_rank(question: Question) -> str:
    """Where a multiple-choice key sits when the options are sorted by length, as 'rank/options'
    (1 = shortest). A guesser who learns that keys are "the second longest" uses this cue."""
    lengths = sorted(len(text) for text in question.options.values())
    return f"{lengths.index(len(question.options[question.answer[0]])) + 1}/{len(lengths)}"


def full_text(question: Question) -> str:
    """Everything a learner reads of an item: scenario, stem, options, prompts and explanations."""
    parts = [question.scenario or "", question.stem, *question.options.values(), *question.prompts.values()]
    return " ".join([*parts, *question.explanations.values()])


def _sequence_key(question: Question) -> str:
    if question.type == "ordering":
        return ",".join(question.answer)
    return ",".join(f"{p}-{question.answer[p]}" for p in sorted(question.answer))


@dataclass(frozen=True)
class BankStats:
    """The lint's measurements of a bank; `problems()` lists what breaks a threshold."""

    counts: dict[str, int]
    longest_share: dict[str, float]
    mc_ranks: dict[str, float]
    mc_letters: dict[str, float]
    mr_letters: dict[str, float]
    repeated_keys: dict[str, tuple[str, int]]
    duplicates: list[tuple[float, str, str]]
    most_similar: list[tuple[float, str, str]]
    without_docs: list[str]
    length_ratio: dict[str, float]

    def problems(self) -> list[str]:
        found = []
        for qtype, share in self.longest_share.items():
            if share > MAX_LONGEST_SHARE:
                found.append(
                    f"{qtype}: the key is the longest option in {share:.0%} of items (at most {MAX_LONGEST_SHARE:.0%})"
                )
        for rank, share in self.mc_ranks.items():
            if share > MAX_RANK_SHARE:
                found.append(
                    f"multiple_choice: {share:.0%} of keys have length rank {rank} (1 = shortest; at most "
                    f"{MAX_RANK_SHARE:.0%}): lengthen or shorten options so that no rank is a cue"
                )
        for letter, share in self.mc_letters.items():
            if share > MAX_LETTER_SHARE_MC:
                found.append(f"multiple_choice: {share:.0%} of keys are {letter} (at most {MAX_LETTER_SHARE_MC:.0%})")
        for letter, share in self.mr_letters.items():
            if share > MAX_LETTER_SHARE_MR:
                found.append(
                    f"multiple_response: {letter} is in {share:.0%} of keys (at most {MAX_LETTER_SHARE_MR:.0%})"
                )
        for qtype, (key, count) in self.repeated_keys.items():
            if count > MAX_SAME_SEQUENCE_KEY:
                found.append(f"{qtype}: the key {key} answers {count} items (at most {MAX_SAME_SEQUENCE_KEY})")
        for qtype, ratio in self.length_ratio.items():
            if ratio > MAX_LENGTH_RATIO:
                found.append(
                    f"{qtype}: keys are on average {ratio:.2f} times as long as the distractors "
                    f"(at most {MAX_LENGTH_RATIO})"
                )
        found += [f"near-duplicates ({score:.2f}): {a} and {b}" for score, a, b in self.duplicates]
        found += [f"{qid}: no docs link" for qid in self.without_docs]
        return found

    def table(self) -> str:
        rows = [("measure", "value", "threshold")]
        rows += [(f"items: {k}", str(v), "") for k, v in self.counts.items()]
        for qtype, share in self.longest_share.items():
            rows.append((f"{qtype}: key is the longest option(s)", f"{share:.0%}", f"<= {MAX_LONGEST_SHARE:.0%}"))
        for qtype, ratio in self.length_ratio.items():
            rows.append((f"{qtype}: key length / mean distractor length", f"{ratio:.2f}", f"<= {MAX_LENGTH_RATIO}"))
        rows.append(("multiple_choice: keys per length rank (1 = shortest)", _shares(self.mc_ranks),
                     f"each <= {MAX_RANK_SHARE:.0%}"))
        mc_limit, mr_limit = f"each <= {MAX_LETTER_SHARE_MC:.0%}", f"each <= {MAX_LETTER_SHARE_MR:.0%}"
        rows.append(("multiple_choice: keys per letter", _shares(self.mc_letters), mc_limit))
        rows.append(("multiple_response: keys containing a letter", _shares(self.mr_letters), mr_limit))
        for qtype, (key, count) in self.repeated_keys.items():
            rows.append((f"{qtype}: most repeated key", f"{key} x{count}", f"<= {MAX_SAME_SEQUENCE_KEY}"))
        duplicates = f"near-duplicate pairs (similarity >= {NEAR_DUPLICATE_SIMILARITY})"
        rows.append((duplicates, str(len(self.duplicates)), "0"))
        rows += [(f"  most similar: {a} / {b}", f"{score:.2f}", "") for score, a, b in self.most_similar]
        rows.append(("items without a docs link", str(len(self.without_docs)), "0"))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _shares(shares: dict[str, float]) -> str:
    return " ".join(f"{k}:{v:.0%}" for k, v in sorted(shares.items()))


def bank_stats(questions: list[Question]) -> BankStats:
    """Measure the cues a test-wise guesser could use, over a whole bank."""
    from collections import Counter
    from statistics import mean

    counts = Counter("case_study" if q.case_id else q.type for q in questions)
    longest, ratio = {}, {}
    for qtype in SUB_TYPES:
        items = [q for q in questions if q.type == qtype]
        if items:
            longest[qtype] = sum(map(key_is_longest, items)) / len(items)
            ratio[qtype] = mean(
                mean(len(q.options[k]) for k in q.answer)
                / mean(len(v) for k, v in q.options.items() if k not in q.answer)
                for q in items
            )
    mc = [q for q in questions if q.type == "multiple_choice"]
    mr = [q for q in questions if q.type == "multiple_response"]
    mc_ranks = {k: v / len(mc) for k, v in Counter(map(key_length_rank, mc)).items()} if mc else {}
    mc_letters = {k: v / len(mc) for k, v in Counter(q.answer[0] for q in mc).items()} if mc else {}
    mr_letters = {k: v / len(mr) for k, v in Counter(a for q in mr for a in q.answer).items()} if mr else {}
    repeated = {}
    for qtype in ("ordering", "matching"):
        keys = Counter(_sequence_key(q) for q in questions if q.type == qtype)
        if keys:
            repeated[qtype] = keys.most_common(1)[0]
    return BankStats(
        counts=dict(sorted(counts.items())),
        longest_share=longest,
        mc_ranks=mc_ranks,
        mc_letters=mc_letters,
        mr_letters=mr_letters,
        repeated_keys=repeated,
        duplicates=near_duplicates(questions),
        most_similar=similar_pairs(questions, top=3),
        without_docs=[q.id for q in questions if not q.docs],
        length_ratio=ratio,
    )


MIN_EXAM_POOL = 260  # four disjoint 65-question mock exams
MIN_PRACTICE_PER_TASK = 5
MIN_SELF_CHECKS_PER_TASK = 4
MAX_DOMAIN_SHARE_GAP = 1.0  # percentage points between a domain's share of the exam pool and its weight
DOMAIN_WEIGHTS = {1: 28, 2: 26, 3: 22, 4: 24}  # the exam guide's domain weights (mla-c01.yml), used by labkit.exam too


def composition_problems(questions: list[Question]) -> tuple[list[str], list[str]]:
    """(table rows, problems) about the whole bank: pool sizes, domain shares, bullets, self-checks."""
    from collections import Counter

    exam_pool = [q for q in questions if q.pool == "exam"]
    practice = [q for q in questions if q.pool == "practice"]
    rows = [f"exam pool: {len(exam_pool)} scored items (at least {MIN_EXAM_POOL})",
            f"practice pool: {len(practice)} scored items (at least {MIN_PRACTICE_PER_TASK} per task statement)"]
    problems = []
    if len(exam_pool) < MIN_EXAM_POOL:
        problems.append(f"the exam pool has {len(exam_pool)} items; four disjoint mock exams need {MIN_EXAM_POOL}")
    shares = Counter(q.domain for q in exam_pool)
    for domain, weight in DOMAIN_WEIGHTS.items():
        share = 100 * shares[domain] / len(exam_pool) if exam_pool else 0.0
        rows.append(f"exam pool, domain {domain}: {shares[domain]} items, {share:.1f}% (weight {weight}%)")
        if abs(share - weight) > MAX_DOMAIN_SHARE_GAP:
            gap = f"domain {domain} is {share:.1f}% of the exam pool; its weight is {weight}%"
            problems.append(f"{gap} (1 point apart at most)")
    for task in TASK_IDS:
        in_task = [q for q in practice if q.task == task]
        checks = [q for q in in_task if q.self_check]
        sections = {q.label for q in checks}
        counts = f"{len(in_task)} practice items, {len(checks)} self-checks in {len(sections)} sections"
        rows.append(f"task {task}: {counts}")
        if len(in_task) < MIN_PRACTICE_PER_TASK:
            problems.append(f"task {task} has {len(in_task)} practice items (at least {MIN_PRACTICE_PER_TASK})")
        if len(checks) < MIN_SELF_CHECKS_PER_TASK or len(sections) < 2:
            problems.append(
                f"task {task} has {len(checks)} self-checks in {len(sections)} sections "
                f"(at least {MIN_SELF_CHECKS_PER_TASK}, in two sections or more)"
            )
    gaps = bullet_coverage(questions)
    covered = "every syllabus bullet is tested by an exam item" if not gaps else f"untested bullets: {gaps}"
    rows.append(covered)
    problems += [f"task {task}: no exam item tests bullet(s) {', '.join(b)}" for task, b in gaps.items()]
    untagged = [q.id for q in questions if not q.bullets]
    if untagged:
        problems.append(f"{len(untagged)} items name no syllabus bullets: {', '.join(untagged[:8])}...")
    return rows, problems


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m labkit.questions",
        description="Check the question bank (book/practice/questions/*.yml).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="load and validate every question file; print the count")
    stats = commands.add_parser(
        "stats", help="the quality lint per pool (answer cues, near-duplicates, docs) and the bank's composition"
    )
    stats.add_argument("--file", type=Path, action="append", help="lint only these files (default: the whole bank)")
    args = parser.parse_args(argv)
    try:
        if args.command == "stats" and args.file:
            questions = [q for path in args.file for q in load_file(path)]
        else:
            questions = load_bank()
            check_teaching_links(questions)
        check_bullets(questions)
    except QuestionBankError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "check":
        print(f"{len(questions)} questions, all valid.")
        return 0
    problems = []
    for pool in POOLS:
        in_pool = [q for q in questions if q.pool == pool]
        if not in_pool:
            continue
        result = bank_stats(in_pool)
        print(f"== {pool} pool\n{result.table()}\n")
        problems += [f"{pool} pool: {p}" for p in result.problems()]
    if not args.file:
        rows, found = composition_problems(questions)
        print("== the bank\n" + "\n".join(rows))
        problems += found
    if problems:
        print("\nProblems:\n" + "\n".join(f"  - {p}" for p in problems))
        return 1
    print("\nNo problems.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
