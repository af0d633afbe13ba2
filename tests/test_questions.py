"""The question bank's validator, and the mock exam's sampling and grading."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from labkit import exam
from labkit.questions import QuestionBankError, bank_stats, check_teaching_links, load_bank, load_file
from labkit.questions import main as questions_main

TEACHES = {1: "book/domain1/task-1-1.md#t1-1-expects", 2: "book/domain2/task-2-1.md#t2-1-expects",
           3: "book/domain3/task-3-1.md#t3-1-expects", 4: "book/domain4/task-4-1.md#t4-1-expects"}

DOCS = ["https://docs.aws.amazon.com/sagemaker/latest/dg/whatis.html"]


def choice(qid, domain=1, answer=("B",), qtype="multiple_choice"):
    keys = "ABCD" if qtype == "multiple_choice" else "ABCDE"
    question = {
        "id": qid, "domain": domain, "task": f"{domain}.1", "type": qtype, "stem": "Which one?",
        "options": {k: f"option {k}" for k in keys}, "answer": list(answer),
        "explanations": {k: f"because {k}" for k in keys}, "teaches": TEACHES[domain],
        "docs": DOCS, "pool": "exam", "bullets": ["k1"],
    }
    if qtype == "multiple_response":
        question["choose"] = len(answer)
    return question


def ordering(qid, domain=1):
    return {"id": qid, "domain": domain, "task": f"{domain}.1", "type": "ordering", "stem": "Order these.",
            "options": {"A": "a", "B": "b", "C": "c"}, "answer": ["C", "A", "B"],
            "explanations": {"A": "second", "B": "third", "C": "first"}, "teaches": TEACHES[domain], "docs": DOCS,
            "pool": "exam", "bullets": ["s1"]}


def matching(qid, domain=1):
    return {"id": qid, "domain": domain, "task": f"{domain}.1", "type": "matching", "stem": "Match them.",
            "prompts": {"1": "p1", "2": "p2", "3": "p3"}, "options": {"A": "a", "B": "b", "C": "c"},
            "answer": {"1": "B", "2": "C", "3": "A"}, "explanations": {"1": "x", "2": "y", "3": "z"},
            "teaches": TEACHES[domain], "docs": DOCS,
            "pool": "exam", "bullets": ["s1"]}


def case(qid, domain=1):
    subs = [choice(f"{qid}-q1", domain), choice(f"{qid}-q2", domain, ("A", "C"), "multiple_response")]
    for sub in subs:
        del sub["pool"]
    return {"id": qid, "domain": domain, "pool": "exam", "type": "case_study", "scenario": "A company...",
            "questions": subs}


def write_bank(folder: Path, entries: list[dict], name: str = "bank.yml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(entries, sort_keys=False))
    return path


def test_valid_questions_of_every_type_load(tmp_path):
    path = write_bank(tmp_path, [choice("d1-a"), choice("d1-b", answer=("A", "D"), qtype="multiple_response"),
                                 ordering("d1-c"), matching("d1-d"), case("d1-e")])
    questions = load_file(path)
    assert [q.id for q in questions] == ["d1-a", "d1-b", "d1-c", "d1-d", "d1-e-q1", "d1-e-q2"]
    assert questions[4].case_id == "d1-e" and questions[4].scenario == "A company..."
    check_teaching_links(questions)


@pytest.mark.parametrize(
    "entry, field, message",
    [
        (choice("d1-x", answer=("A", "B")), "answer", "exactly one answer"),
        (choice("d1-x", answer=("A",), qtype="multiple_response"), "answer", "two or more"),
        ({**choice("d1-x", answer=("A", "B"), qtype="multiple_response"), "choose": 3}, "choose", "must equal"),
        ({**ordering("d1-x"), "answer": ["A", "B"]}, "answer", "complete ordering"),
        ({**matching("d1-x"), "answer": {"1": "A", "2": "A", "3": "B"}}, "answer", "complete permutation"),
        ({**choice("d1-x"), "explanations": {"A": "a"}}, "explanations", "no explanation for"),
        ({**choice("d1-x"), "teaches": "book/domain1/task-1-1.md"}, "teaches", "must look like"),
        ({**choice("d1-x"), "teaches": "book/domain2/beyond.md#b2-latency"}, "teaches", "must look like"),
        ({**choice("d1-x"), "teaches": "book/domain1/beyond.md#b2-latency"}, "teaches", "must look like"),
        ({**choice("d1-x"), "task": "2.1"}, "task", "domain 1"),
        ({**choice("d1-x"), "docs": ["http://example.com"]}, "docs", "https://"),
        ({**choice("d1-x"), "stem": ""}, "stem", "non-empty"),
        ({**choice("d1-x"), "pool": "quiz"}, "pool", "must be 'exam'"),
        ({**choice("d1-x"), "bullets": ["knowledge 1"]}, "bullets", "k1, k2"),
        ({**choice("d1-x"), "self_check": True}, "self_check", "only a practice-pool item"),
    ],
)
def test_a_malformed_question_names_file_id_and_field(tmp_path, entry, field, message):
    path = write_bank(tmp_path, [entry], "broken.yml")
    with pytest.raises(QuestionBankError, match=rf"broken\.yml: question 'd1-x', field '{field}': .*{message}"):
        load_file(path)


def test_a_bullet_the_task_does_not_have_is_reported(tmp_path):
    from labkit.questions import check_bullets

    path = write_bank(tmp_path, [{**choice("d1-x"), "bullets": ["k9"]}], "broken.yml")
    message = r"field 'bullets': task 1.1 has 4 knowledge bullets; 'k9' does not exist"
    with pytest.raises(QuestionBankError, match=message):
        check_bullets(load_file(path))


def test_duplicate_ids_across_files_are_refused(tmp_path):
    write_bank(tmp_path, [choice("d1-same")], "a.yml")
    write_bank(tmp_path, [choice("d1-same")], "b.yml")
    with pytest.raises(QuestionBankError, match=r"b\.yml: question 'd1-same', field 'id': already used in a\.yml"):
        load_bank(tmp_path)


def test_the_beyond_page_of_the_questions_domain_can_teach_it(tmp_path):
    path = write_bank(tmp_path, [{**choice("d1-x"), "teaches": "book/domain1/beyond.md#b1-pca"}])
    questions = load_file(path)
    check_teaching_links(questions)
    assert (questions[0].page, questions[0].label) == ("book/domain1/beyond.md", "b1-pca")
    missing = write_bank(tmp_path, [{**choice("d1-y"), "teaches": "book/domain1/beyond.md#b1-no-such-topic"}], "b.yml")
    with pytest.raises(QuestionBankError, match=r"label 'b1-no-such-topic' is not on book/domain1/beyond\.md"):
        check_teaching_links(load_file(missing))


def test_a_label_missing_from_its_page_is_reported(tmp_path):
    path = write_bank(tmp_path, [{**choice("d1-x"), "teaches": "book/domain1/task-1-1.md#t1-1-no-such-label"}])
    with pytest.raises(QuestionBankError, match=r"label 't1-1-no-such-label' is not on"):
        check_teaching_links(load_file(path))


def test_domain_quotas_follow_the_exam_weights():
    assert exam.domain_quotas(65) == {1: 18, 2: 17, 3: 14, 4: 16}
    assert sum(exam.domain_quotas(130).values()) == 130


@pytest.fixture
def synthetic_bank(tmp_path):
    entries = []
    for domain, count in {1: 20, 2: 19, 3: 16, 4: 18}.items():
        entries += [choice(f"d{domain}-q{i}", domain) for i in range(count - 4)]
        entries += [ordering(f"d{domain}-order", domain), matching(f"d{domain}-match", domain)]
        entries.append(case(f"d{domain}-case", domain))
    write_bank(tmp_path, entries)
    return load_bank(tmp_path)


def test_the_same_seed_gives_the_same_exam(synthetic_bank):
    first = exam.draw_exam(synthetic_bank, seed=3)
    again = exam.draw_exam(synthetic_bank, seed=3)
    def drawn(paper):
        return [(eq.question.id, eq.order) for eq in paper.questions]

    assert drawn(first) == drawn(again)
    assert drawn(first) != drawn(exam.draw_exam(synthetic_bank, seed=4))
    assert len(first) == 65 and len({eq.question.id for eq in first.questions}) == 65
    assert [eq.number for eq in first.questions] == list(range(1, 66))
    counts = {d: sum(eq.question.domain == d for eq in first.questions) for d in (1, 2, 3, 4)}
    assert counts == exam.domain_quotas(65)


def test_mulberry32_matches_the_reference_sequence():
    # mulberry32(1) in JavaScript (the exam page's generator) starts with these three numbers.
    rng = exam.Mulberry32(1)
    assert [rng.random() for _ in range(3)] == [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]


def test_domains_are_mixed_and_case_studies_sampled_whole(synthetic_bank):
    for seed in range(10):
        paper = exam.draw_exam(synthetic_bank, seed=seed)
        ids = [eq.question.id for eq in paper.questions]
        for domain in (1, 2, 3, 4):
            pair = [f"d{domain}-case-q1", f"d{domain}-case-q2"]
            if pair[0] in ids:
                assert ids.index(pair[1]) == ids.index(pair[0]) + 1, "a case study's questions stay together, in order"
            else:
                assert pair[1] not in ids
    domains = [eq.question.domain for eq in exam.draw_exam(synthetic_bank, seed=1).questions]
    assert domains != sorted(domains), "the exam mixes domains instead of listing them in order"


def test_options_are_shuffled_per_exam_and_the_key_follows(synthetic_bank):
    letters_of_key = set()
    for seed in range(20):
        paper = exam.draw_exam(synthetic_bank, seed=seed)
        for eq in paper.questions:
            assert sorted(eq.order) == sorted(eq.question.options)
            assert exam.is_correct(eq, eq.key)
            if eq.question.id == "d1-q0":  # keyed B in the bank
                letters_of_key.add(eq.key[0])
                assert eq.options[eq.key[0]] == eq.question.options["B"]
                assert eq.explanations[eq.key[0]] == eq.question.explanations["B"]
    assert len(letters_of_key) >= 3, "the same question shows its key under different letters in different exams"


def test_perfect_sheet_scores_1000_and_empty_sheet_100(synthetic_bank):
    paper = exam.draw_exam(synthetic_bank, seed=1)
    result = exam.grade(paper, exam.key_sheet(paper))
    assert (result.scaled, result.passed, result.revisit) == (1000, True, [])
    empty = exam.grade(paper, {})
    assert (empty.scaled, empty.passed) == (100, False)
    assert empty.by_domain[1] == (0, 18)
    assert sum(asked for _, asked in empty.by_task.values()) == 65


def test_revisit_lists_sections_most_missed_first(synthetic_bank):
    paper = exam.draw_exam(synthetic_bank, seed=2)
    only_domain_1 = {eq.number: eq.key for eq in paper.questions if eq.question.domain == 1}
    result = exam.grade(paper, only_domain_1)
    counts = [count for _, count in result.revisit]
    assert counts == sorted(counts, reverse=True)
    assert {section for section, _ in result.revisit} == {TEACHES[d] for d in (2, 3, 4)}
    assert result.by_domain[1] == (18, 18) and result.by_domain[2] == (0, 17)


def test_whole_answer_scoring(synthetic_bank):
    paper = exam.draw_exam(synthetic_bank, seed=5)
    response = next(eq for eq in paper.questions if eq.question.type == "multiple_response")
    assert exam.is_correct(response, list(reversed(response.key)))
    assert not exam.is_correct(response, response.key[:1])  # a partial multiple response earns nothing
    order = next(eq for eq in paper.questions if eq.question.type == "ordering")
    assert exam.is_correct(order, order.key)
    assert not exam.is_correct(order, list(reversed(order.key)))  # order matters
    match = next(eq for eq in paper.questions if eq.question.type == "matching")
    assert exam.is_correct(match, {int(k): v.lower() for k, v in match.key.items()})
    choice_eq = next(eq for eq in paper.questions if eq.question.type == "multiple_choice")
    assert exam.is_correct(choice_eq, choice_eq.key[0].lower())
    assert not exam.is_correct(choice_eq, [])


def test_scaled_score_is_linear_and_pass_mark_is_720():
    assert exam.scaled_score(45, 65) == round(100 + 900 * 45 / 65)
    assert exam.scaled_score(1, 2) == 550 and exam.scaled_score(1, 8) == 213  # 212.5 rounds half up, as in JavaScript
    with pytest.raises(ValueError):
        exam.scaled_score(3, 0)


def test_bad_answers_give_clear_errors(synthetic_bank, tmp_path):
    paper = exam.draw_exam(synthetic_bank, seed=1)
    with pytest.raises(exam.AnswersError, match=r"not in this exam: 66 "):
        exam.grade(paper, {66: ["A"]})
    with pytest.raises(exam.AnswersError, match=r"keyed by question number .*'d1-q0'"):
        exam.grade(paper, {"d1-q0": ["A"]})
    malformed = tmp_path / "answers.yml"
    malformed.write_text("- just\n- a list\n")
    with pytest.raises(exam.AnswersError, match=r"expected a mapping"):
        exam.read_answers(malformed)
    broken = tmp_path / "broken.yml"
    broken.write_text("1: [A\n")
    with pytest.raises(exam.AnswersError, match=r"cannot read answers file"):
        exam.read_answers(broken)
    matching_eq = next(eq for eq in paper.questions if eq.question.type == "matching")
    with pytest.raises(exam.AnswersError, match=rf"question {matching_eq.number} is a matching question"):
        exam.is_correct(matching_eq, ["A"])


def test_the_course_bank_is_valid_and_complete():
    """Both pools, every task, every bullet, the exam's domain shares, self-checks for every chapter."""
    from collections import Counter

    from labkit.questions import case_studies, check_bullets, composition_problems

    questions = load_bank()
    check_teaching_links(questions)
    check_bullets(questions)
    rows, problems = composition_problems(questions)
    assert problems == [], "\n".join(rows + [""] + problems)
    exam_items = exam.exam_pool(questions)
    kinds = Counter("case_study" if q.case_id else q.type for q in exam_items)
    assert set(kinds) == {"multiple_choice", "multiple_response", "ordering", "matching", "case_study"}
    assert kinds["ordering"] >= 0.08 * len(exam_items) and kinds["matching"] >= 0.08 * len(exam_items), kinds
    whole_cases = [c for c in case_studies(exam_items).values() if len(c) >= 3]
    assert len(whole_cases) >= 8, f"{len(whole_cases)} case studies of three questions (at least 8)"


def test_the_four_fixed_mock_exams_are_full_and_disjoint():
    papers = exam.fixed_exams(load_bank())
    assert sorted(papers) == ["A", "B", "C", "D"]
    seen: set[str] = set()
    for name, paper in papers.items():
        ids = [eq.question.id for eq in paper.questions]
        assert len(ids) == 65 and not seen & set(ids), f"mock exam {name} repeats an item of another exam"
        seen |= set(ids)
        counts = Counter(eq.question.domain for eq in paper.questions)
        assert dict(counts) == exam.domain_quotas(65), f"mock exam {name}: {dict(counts)}"
        assert all(eq.question.pool == "exam" for eq in paper.questions)
    again = exam.fixed_exams(load_bank())
    assert [(eq.question.id, eq.order) for eq in again["C"].questions] == [
        (eq.question.id, eq.order) for eq in papers["C"].questions
    ]


def test_exams_never_draw_practice_items():
    questions = load_bank()
    practice = {q.id for q in questions if q.pool == "practice"}
    assert practice, "the bank has a practice pool"
    for seed in range(10):
        assert not practice & {eq.question.id for eq in exam.draw_exam(questions, seed).questions}


def test_the_course_bank_yields_exams_for_many_seeds():
    questions = load_bank()
    for seed in range(20):
        paper = exam.draw_exam(questions, seed=seed)
        assert len(paper) == 65 and len({eq.question.id for eq in paper.questions}) == 65


def test_command_line_prints_templates_and_grades(tmp_path, capsys):
    assert exam.main(["print", "--seed", "5"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Exam 5: 65 questions.") and "\n65. (" in printed
    bank_ids = {q.id for q in load_bank()}
    assert not any(qid in printed for qid in bank_ids), "a printed exam shows no question id"
    assert exam.main(["print", "--exam", "B"]) == 0
    assert capsys.readouterr().out.startswith("Mock exam B: 65 questions.")
    assert exam.main(["template", "--seed", "5"]) == 0
    answers = tmp_path / "answers.yml"
    answers.write_text(capsys.readouterr().out)
    assert exam.main(["grade", "--seed", "5", str(answers)]) == 0
    assert "Score: 100 on the 100-1,000 scale (0/65 correct); FAIL at 720." in capsys.readouterr().out
    paper = exam.draw_exam(load_bank(), seed=5)
    answers.write_text(yaml.safe_dump(exam.key_sheet(paper)))
    assert exam.main(["grade", str(answers), "--seed", "5"]) == 0
    assert "Score: 1000 on the 100-1,000 scale (65/65 correct); PASS at 720." in capsys.readouterr().out


def test_command_line_has_help_for_every_command(capsys):
    for command in ("print", "template", "grade"):
        with pytest.raises(SystemExit) as stopped:
            exam.main([command, "--help"])
        assert stopped.value.code == 0
        assert "--seed" in capsys.readouterr().out


def test_command_line_reports_bad_answers_files(tmp_path, capsys):
    answers = tmp_path / "answers.yml"
    answers.write_text("99: [A]\n")
    assert exam.main(["grade", "--seed", "5", str(answers)]) == 2
    assert "error: answers name question numbers that are not in this exam: 99" in capsys.readouterr().err


# ---------------------------------------------------------------- the quality lint


@pytest.mark.parametrize("pool", ["exam", "practice"])
def test_the_bank_has_no_answer_cues(pool):
    stats = bank_stats([q for q in load_bank() if q.pool == pool])
    print(stats.table())  # shown when the test fails: which measure broke, and by how much
    assert stats.problems() == [], "\n" + stats.table() + "\n\n" + "\n".join(stats.problems())


def test_the_lint_catches_each_cue(tmp_path):
    entries = []
    for i in range(6):  # the key is always the longest option, always on A
        entry = choice(f"d1-long-{i}", answer=("A",))
        entry["options"]["A"] = "a much longer and more specific option than any of the others here"
        entries.append(entry)
    entries += [choice(f"d1-resp-{i}", answer=("A", "B"), qtype="multiple_response") for i in range(3)]
    entries += [ordering(f"d1-order-{i}") for i in range(3)]  # one ordering key answers three items
    entries += [{**matching(f"d1-match-{i}"), "docs": []} for i in range(3)]
    twin = "Which Kinesis Data Firehose setting converts JSON records to Parquet"
    entries.append({**choice("d1-twin-a"), "stem": twin + "?"})
    entries.append({**choice("d1-twin-b"), "stem": twin + " files?"})
    problems = "\n".join(bank_stats(load_file(write_bank(tmp_path, entries))).problems())
    assert "multiple_choice: the key is the longest option in" in problems
    assert "multiple_choice: " in problems and "of keys are A" in problems
    assert "multiple_response: A is in 100% of keys" in problems
    assert "ordering: the key C,A,B answers 3 items" in problems
    assert "matching: the key 1-B,2-C,3-A answers 3 items" in problems
    assert "d1-match-0: no docs link" in problems
    assert "near-duplicates" in problems and "d1-twin-a" in problems
    assert "keys are on average" in problems


def test_the_lint_command_prints_its_table(capsys):
    code = questions_main(["stats"])
    out = capsys.readouterr().out
    assert "key is the longest option(s)" in out and "near-duplicate pairs" in out
    assert code == (1 if "Problems:" in out else 0)


@pytest.mark.parametrize("rank", exam.GUESSER_RANKS)
def test_a_test_wise_guesser_fails_every_mock_exam(rank):
    """Someone who knows nothing picks the option(s) at one length rank (the longest, by default)
    and the bank's most common ordering and matching keys. Over exams 0-49 they must stay far below
    the pass mark, whichever rank they bet on."""
    questions = load_bank()
    scores = []
    for seed in range(50):
        paper = exam.draw_exam(questions, seed=seed)
        scores.append(exam.grade(paper, exam.guesser_answers(paper, questions, rank)).scaled)
    mean = sum(scores) / len(scores)
    passes = sum(s >= exam.PASS_MARK for s in scores)
    print(f"guesser betting on the {rank} option, 50 exams: mean {mean:.0f}, best {max(scores)}, passes {passes}")
    assert mean <= 400, f"the {rank}-option guesser averages {mean:.0f} on the 100-1,000 scale (at most 400)"
    assert max(scores) < exam.PASS_MARK, f"the {rank}-option guesser passed an exam with {max(scores)}"
