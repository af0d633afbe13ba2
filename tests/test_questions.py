"""The question bank's validator, and the mock exam's sampling and grading."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from labkit import exam
from labkit.questions import QuestionBankError, check_teaching_links, load_bank, load_file

TEACHES = {1: "book/domain1/task-1-1.md#t1-1-expects", 2: "book/domain2/task-2-1.md#t2-1-expects",
           3: "book/domain3/task-3-1.md#t3-1-expects", 4: "book/domain4/task-4-1.md#t4-1-expects"}


def choice(qid, domain=1, answer=("B",), qtype="multiple_choice"):
    keys = "ABCD" if qtype == "multiple_choice" else "ABCDE"
    question = {
        "id": qid, "domain": domain, "task": f"{domain}.1", "type": qtype, "stem": "Which one?",
        "options": {k: f"option {k}" for k in keys}, "answer": list(answer),
        "explanations": {k: f"because {k}" for k in keys}, "teaches": TEACHES[domain],
        "docs": ["https://docs.aws.amazon.com/sagemaker/latest/dg/whatis.html"],
    }
    if qtype == "multiple_response":
        question["choose"] = len(answer)
    return question


def ordering(qid, domain=1):
    return {"id": qid, "domain": domain, "task": f"{domain}.1", "type": "ordering", "stem": "Order these.",
            "options": {"A": "a", "B": "b", "C": "c"}, "answer": ["C", "A", "B"],
            "explanations": {"A": "second", "B": "third", "C": "first"}, "teaches": TEACHES[domain], "docs": []}


def matching(qid, domain=1):
    return {"id": qid, "domain": domain, "task": f"{domain}.1", "type": "matching", "stem": "Match them.",
            "prompts": {"1": "p1", "2": "p2", "3": "p3"}, "options": {"A": "a", "B": "b", "C": "c"},
            "answer": {"1": "B", "2": "C", "3": "A"}, "explanations": {"1": "x", "2": "y", "3": "z"},
            "teaches": TEACHES[domain], "docs": []}


def case(qid, domain=1):
    return {"id": qid, "domain": domain, "type": "case_study", "scenario": "A company...",
            "questions": [choice(f"{qid}-q1", domain), choice(f"{qid}-q2", domain, ("A", "C"), "multiple_response")]}


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
        ({**choice("d1-x"), "task": "2.1"}, "task", "domain 1"),
        ({**choice("d1-x"), "docs": ["http://example.com"]}, "docs", "https://"),
        ({**choice("d1-x"), "stem": ""}, "stem", "non-empty"),
    ],
)
def test_a_malformed_question_names_file_id_and_field(tmp_path, entry, field, message):
    path = write_bank(tmp_path, [entry], "broken.yml")
    with pytest.raises(QuestionBankError, match=rf"broken\.yml: question 'd1-x', field '{field}': .*{message}"):
        load_file(path)


def test_duplicate_ids_across_files_are_refused(tmp_path):
    write_bank(tmp_path, [choice("d1-same")], "a.yml")
    write_bank(tmp_path, [choice("d1-same")], "b.yml")
    with pytest.raises(QuestionBankError, match=r"b\.yml: question 'd1-same', field 'id': already used in a\.yml"):
        load_bank(tmp_path)


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
    first = exam.sample_exam(synthetic_bank, seed=3)
    assert [q.id for q in first] == [q.id for q in exam.sample_exam(synthetic_bank, seed=3)]
    assert [q.id for q in first] != [q.id for q in exam.sample_exam(synthetic_bank, seed=4)]
    assert len(first) == 65 and len({q.id for q in first}) == 65
    counts = {d: sum(q.domain == d for q in first) for d in (1, 2, 3, 4)}
    assert counts == exam.domain_quotas(65)


def test_case_studies_are_sampled_whole(synthetic_bank):
    for seed in range(10):
        ids = {q.id for q in exam.sample_exam(synthetic_bank, seed=seed)}
        for domain in (1, 2, 3, 4):
            pair = {f"d{domain}-case-q1", f"d{domain}-case-q2"}
            assert pair <= ids or not pair & ids


def test_perfect_sheet_scores_1000_and_empty_sheet_100(synthetic_bank):
    paper = exam.sample_exam(synthetic_bank, seed=1)
    perfect = {q.id: q.answer for q in paper}
    result = exam.grade(paper, perfect)
    assert (result.scaled, result.passed, result.revisit) == (1000, True, [])
    empty = exam.grade(paper, {})
    assert (empty.scaled, empty.passed) == (100, False)
    assert empty.by_domain[1] == (0, 18)


def test_whole_answer_scoring(synthetic_bank):
    by_id = {q.id: q for q in synthetic_bank}
    assert exam.is_correct(by_id["d1-case-q2"], ["C", "A"])
    assert not exam.is_correct(by_id["d1-case-q2"], ["A"])  # a partial multiple response earns nothing
    assert not exam.is_correct(by_id["d1-order"], ["A", "C", "B"])  # order matters
    assert exam.is_correct(by_id["d1-match"], {1: "b", 2: "c", 3: "a"})
    assert exam.is_correct(by_id["d1-q0"], "b")


def test_scaled_score_is_linear_and_pass_mark_is_720():
    assert exam.scaled_score(45, 65) == round(100 + 900 * 45 / 65)
    with pytest.raises(ValueError):
        exam.scaled_score(3, 0)


def test_bad_answers_give_clear_errors(synthetic_bank, tmp_path):
    paper = exam.sample_exam(synthetic_bank, seed=1)
    with pytest.raises(exam.AnswersError, match=r"not in this exam: d9-nope"):
        exam.grade(paper, {"d9-nope": ["A"]})
    malformed = tmp_path / "answers.yml"
    malformed.write_text("- just\n- a list\n")
    with pytest.raises(exam.AnswersError, match=r"expected a mapping"):
        exam.read_answers(malformed)
    broken = tmp_path / "broken.yml"
    broken.write_text("d1-q0: [A\n")
    with pytest.raises(exam.AnswersError, match=r"cannot read answers file"):
        exam.read_answers(broken)
    matching_q = next(q for q in synthetic_bank if q.type == "matching")
    with pytest.raises(exam.AnswersError, match=r"matching question"):
        exam.is_correct(matching_q, ["A"])


def test_the_course_bank_is_valid_and_complete():
    from collections import Counter

    from labkit.questions import case_studies

    questions = load_bank()
    check_teaching_links(questions)
    assert len(questions) >= 130, "two full 65-question exams"
    kinds = Counter("case_study" if q.case_id else q.type for q in questions)
    assert set(kinds) == {"multiple_choice", "multiple_response", "ordering", "matching", "case_study"}
    assert kinds["ordering"] >= 10 and kinds["matching"] >= 10
    assert len(case_studies(questions)) >= 3
    assert {q.task for q in questions} == {f"{d}.{n}" for d in range(1, 5) for n in range(1, 4)}
    shares = Counter(q.domain for q in questions)
    for domain, weight in exam.DOMAIN_WEIGHTS.items():
        share = 100 * shares[domain] / len(questions)
        assert abs(share - weight) <= 2, f"domain {domain} holds {share:.1f}% of the bank; the exam weighs it {weight}%"


def test_the_course_bank_yields_exams_for_many_seeds():
    questions = load_bank()
    for seed in range(20):
        paper = exam.sample_exam(questions, seed=seed)
        assert len(paper) == 65 and len({q.id for q in paper}) == 65


def test_command_line_prints_templates_and_grades(tmp_path, capsys):
    assert exam.main(["print", "--seed", "5"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("1. [d") and "\n65. [d" in printed
    assert exam.main(["template", "--seed", "5"]) == 0
    answers = tmp_path / "answers.yml"
    answers.write_text(capsys.readouterr().out)
    assert exam.main(["grade", "--seed", "5", str(answers)]) == 0
    assert "Score: 100 on the 100-1,000 scale (0/65 correct); FAIL at 720." in capsys.readouterr().out


def test_command_line_reports_bad_answers_files(tmp_path, capsys):
    answers = tmp_path / "answers.yml"
    answers.write_text("d9-unknown: [A]\n")
    assert exam.main(["grade", "--seed", "5", str(answers)]) == 2
    assert "error: answers name questions that are not in this exam: d9-unknown" in capsys.readouterr().err
