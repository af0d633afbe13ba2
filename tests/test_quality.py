"""labkit.quality: each rule catches its defect, the report's shape, DQDL output and clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labkit.quality import (
    REPORT_COLUMNS,
    AllowedValues,
    Completeness,
    Range,
    RuleDefinitionError,
    RuleTypeError,
    Unique,
    UnknownColumnError,
    run_rules,
    to_dqdl,
)


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "age": [25, 40, np.nan, 17, 130],
            "status": pd.Categorical(["good", "bad", "good", None, "good"]),
            "home": ["owner", "rent", "castle", "rent", None],
        }
    )


def test_completeness_counts_nulls_and_compares_the_share(frame):
    report = run_rules(frame, [Completeness("age", 0.8), Completeness("age", 0.75), Completeness("id", 1.0)])
    assert list(report.columns) == REPORT_COLUMNS
    assert report["violations"].tolist() == [1, 1, 0]
    assert report["passed"].tolist() == [True, True, True]
    assert "observed 0.8000" in report.loc[0, "expectation"]
    assert not run_rules(frame, [Completeness("age", 0.81)]).loc[0, "passed"]


def test_range_counts_values_outside_either_bound_and_skips_nulls(frame):
    report = run_rules(frame, [Range("age", 18, 120), Range("age", min=18), Range("age", max=120), Range("id", 1, 5)])
    assert report["violations"].tolist() == [2, 1, 1, 0]
    assert report["passed"].tolist() == [False, False, False, True]
    assert report.loc[1, "expectation"] == "values in [18, +inf]"


def test_unique_counts_rows_that_repeat_an_earlier_row(frame):
    doubled = pd.concat([frame, frame.iloc[[0, 2]]], ignore_index=True)
    report = run_rules(doubled, [Unique(["id"]), Unique("status"), Unique(list(doubled.columns))])
    assert report["violations"].tolist() == [2, 4, 2]
    assert report.loc[2, "column"] == "4 columns"
    assert run_rules(frame, [Unique("id")]).loc[0, "passed"]


def test_allowed_values_flags_unknown_categories_and_skips_nulls(frame):
    report = run_rules(frame, [AllowedValues("home", ["owner", "rent"]), AllowedValues("status", ["good", "bad"])])
    assert report["violations"].tolist() == [1, 0]
    assert report["passed"].tolist() == [False, True]


def test_allowed_values_works_on_a_categorical_with_an_extra_category(frame):
    widened = frame.assign(status=frame["status"].cat.add_categories("unknown"))
    widened.loc[0, "status"] = "unknown"
    assert run_rules(widened, [AllowedValues("status", ["good", "bad"])]).loc[0, "violations"] == 1


def test_report_keeps_rule_order_and_one_row_per_rule(frame):
    rules = [Unique("id"), Completeness("home", 0.5), Range("age", 0, 200)]
    report = run_rules(frame, rules)
    assert report["rule"].tolist() == ["Unique", "Completeness", "Range"]
    assert len(report) == len(rules)


def test_dqdl_equivalents():
    assert Completeness("Income", 0.9).dqdl() == 'Completeness "Income" >= 0.9'
    assert Completeness("Age", 1.0).dqdl() == 'IsComplete "Age"'
    assert Range("Age", 18, 100).dqdl() == '(ColumnValues "Age" >= 18) and (ColumnValues "Age" <= 100)'
    assert Range("Amount", min=1).dqdl() == 'ColumnValues "Amount" >= 1'
    assert Unique(["a", "b"]).dqdl() == 'IsUnique "a" "b"'
    assert AllowedValues("Status", ["good", "bad"]).dqdl() == 'ColumnValues "Status" in ["good", "bad"]'
    ruleset = to_dqdl([Completeness("Age", 1.0), Unique("id")])
    assert ruleset == 'Rules = [\n    IsComplete "Age",\n    IsUnique "id"\n]'


def test_unknown_column_is_a_key_error_that_suggests_the_right_name(frame):
    with pytest.raises(UnknownColumnError, match="Completeness names column 'Age'.*Did you mean 'age'") as caught:
        run_rules(frame, [Unique("id"), Completeness("Age", 0.9)])
    assert isinstance(caught.value, KeyError)
    assert not str(caught.value).startswith("'")


def test_unknown_column_in_a_multi_column_unique(frame):
    with pytest.raises(UnknownColumnError, match="'nope'"):
        run_rules(frame, [Unique(["id", "nope"])])


def test_range_on_a_text_column_is_a_type_error(frame):
    with pytest.raises(RuleTypeError, match="needs a numeric column.*AllowedValues"):
        run_rules(frame, [Range("home", 0, 1)])


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Completeness("a", 1.5), "between 0 and 1"),
        (lambda: Completeness("a", "high"), "between 0 and 1"),
        (lambda: Range("a"), "needs a min, a max, or both"),
        (lambda: Range("a", 5, 1), "larger than max"),
        (lambda: Range("a", min=float("nan")), "must be a number"),
        (lambda: Unique([]), "at least one column"),
        (lambda: AllowedValues("a", []), "empty"),
        (lambda: AllowedValues("a", "good"), "must be a list"),
    ],
)
def test_impossible_rules_are_rejected_when_built(build, message):
    with pytest.raises(RuleDefinitionError, match=message):
        build()


def test_run_rules_argument_errors(frame):
    with pytest.raises(RuleTypeError, match="needs a pandas DataFrame"):
        run_rules(frame.to_dict(), [Unique("id")])
    with pytest.raises(RuleTypeError, match="got no rules"):
        run_rules(frame, [])
    with pytest.raises(RuleTypeError, match="A str is not a rule"):
        run_rules(frame, ["IsUnique id"])
    with pytest.raises(RuleTypeError, match="no rules"):
        to_dqdl([])


def test_rules_do_not_modify_the_frame(frame):
    before = frame.copy()
    run_rules(frame, [Completeness("age", 0.5), Range("age", 0, 10), Unique("id"), AllowedValues("home", ["x"])])
    pd.testing.assert_frame_equal(frame, before)
