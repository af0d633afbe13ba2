"""Small, declarative data-quality rules, run against a DataFrame into a report.

A rule states what the data must look like; `run_rules` checks every rule and returns one row per
rule: how many rows violate it and whether it passed. The four rule types mirror the most common
rules of AWS Glue Data Quality (DQDL) and AWS Glue DataBrew; each rule can print its DQDL
equivalent with `.dqdl()`, and `to_dqdl(rules)` writes a whole ruleset::

    from labkit.quality import AllowedValues, Completeness, Range, Unique, run_rules

    rules = [
        Completeness("Income", min_ratio=0.9),
        Range("Age", min=18, max=100),
        Unique(["customer_id"]),
        AllowedValues("Status", ["good", "bad"]),
    ]
    report = run_rules(frame, rules)

Missing values count only against `Completeness`: `Range` and `AllowedValues` skip them, so that
each kind of defect is reported by exactly one rule. (DQDL's `ColumnValues` instead fails NULL
rows; combine it with a completeness rule, or allow NULL explicitly.)
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from labkit.errors import MessageKeyError

REPORT_COLUMNS = ["rule", "column", "expectation", "violations", "passed"]


class QualityError(Exception):
    """Base class of the errors this module raises."""


class UnknownColumnError(QualityError, MessageKeyError):
    """A rule names a column that the frame does not have."""


class RuleDefinitionError(QualityError, ValueError):
    """A rule was built with impossible parameters (e.g. min_ratio 1.5, min > max)."""


class RuleTypeError(QualityError, TypeError):
    """A rule was applied to a column of the wrong type, or `run_rules` got the wrong arguments."""


@dataclass(frozen=True)
class RuleOutcome:
    """The result of one rule on one frame."""

    rule: str
    column: str
    expectation: str
    violations: int
    passed: bool


class Rule(Protocol):
    """What `run_rules` needs from a rule."""

    def columns_used(self) -> tuple[str, ...]: ...

    def evaluate(self, frame: pd.DataFrame) -> RuleOutcome: ...

    def dqdl(self) -> str: ...


def _quote(column: str) -> str:
    return f'"{column}"'


def _format_number(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Completeness:
    """At least `min_ratio` of the values in `column` are non-null (DQDL: `Completeness`)."""

    column: str
    min_ratio: float

    def __post_init__(self) -> None:
        if not isinstance(self.min_ratio, int | float) or not 0 <= self.min_ratio <= 1:
            raise RuleDefinitionError(
                f"Completeness({self.column!r}): min_ratio must be a share between 0 and 1, got {self.min_ratio!r}."
            )

    def columns_used(self) -> tuple[str, ...]:
        return (self.column,)

    def evaluate(self, frame: pd.DataFrame) -> RuleOutcome:
        missing = int(frame[self.column].isna().sum())
        ratio = 1.0 - missing / len(frame) if len(frame) else 1.0
        return RuleOutcome(
            rule="Completeness",
            column=self.column,
            expectation=f"non-null share >= {_format_number(self.min_ratio)} (observed {ratio:.4f})",
            violations=missing,
            passed=ratio >= self.min_ratio,
        )

    def dqdl(self) -> str:
        if self.min_ratio == 1:
            return f"IsComplete {_quote(self.column)}"
        return f"Completeness {_quote(self.column)} >= {_format_number(self.min_ratio)}"


@dataclass(frozen=True)
class Range:
    """Every non-null value of a numeric `column` lies in [min, max]; either bound may be None."""

    column: str
    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        if self.min is None and self.max is None:
            raise RuleDefinitionError(f"Range({self.column!r}) needs a min, a max, or both.")
        for name, bound in (("min", self.min), ("max", self.max)):
            if bound is not None and (not isinstance(bound, int | float) or math.isnan(bound)):
                raise RuleDefinitionError(f"Range({self.column!r}): {name} must be a number or None, got {bound!r}.")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise RuleDefinitionError(f"Range({self.column!r}): min {self.min} is larger than max {self.max}.")

    def columns_used(self) -> tuple[str, ...]:
        return (self.column,)

    def evaluate(self, frame: pd.DataFrame) -> RuleOutcome:
        values = frame[self.column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise RuleTypeError(
                f"Range({self.column!r}) needs a numeric column, but {self.column!r} has dtype {values.dtype}. "
                "Use AllowedValues for categories."
            )
        present = values.dropna()
        outside = pd.Series(False, index=present.index)
        if self.min is not None:
            outside |= present < self.min
        if self.max is not None:
            outside |= present > self.max
        low = "-inf" if self.min is None else _format_number(self.min)
        high = "+inf" if self.max is None else _format_number(self.max)
        violations = int(outside.sum())
        return RuleOutcome("Range", self.column, f"values in [{low}, {high}]", violations, violations == 0)

    def dqdl(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"ColumnValues {_quote(self.column)} >= {_format_number(self.min)}")
        if self.max is not None:
            parts.append(f"ColumnValues {_quote(self.column)} <= {_format_number(self.max)}")
        return parts[0] if len(parts) == 1 else " and ".join(f"({part})" for part in parts)


@dataclass(frozen=True)
class Unique:
    """No row repeats an earlier row on `columns` (DQDL: `IsUnique`); a string means one column."""

    columns: tuple[str, ...]

    def __post_init__(self) -> None:
        columns = (self.columns,) if isinstance(self.columns, str) else tuple(self.columns)
        if not columns:
            raise RuleDefinitionError("Unique() needs at least one column.")
        object.__setattr__(self, "columns", columns)

    def columns_used(self) -> tuple[str, ...]:
        return self.columns

    def evaluate(self, frame: pd.DataFrame) -> RuleOutcome:
        repeats = int(frame.duplicated(subset=list(self.columns)).sum())
        label = ", ".join(self.columns) if len(self.columns) <= 3 else f"{len(self.columns)} columns"
        return RuleOutcome("Unique", label, "no row repeats an earlier one", repeats, repeats == 0)

    def dqdl(self) -> str:
        return "IsUnique " + " ".join(_quote(column) for column in self.columns)


@dataclass(frozen=True)
class AllowedValues:
    """Every non-null value of `column` is one of `values` (DQDL: `ColumnValues ... in [...]`)."""

    column: str
    values: tuple

    def __post_init__(self) -> None:
        if isinstance(self.values, str) or not isinstance(self.values, Iterable):
            raise RuleDefinitionError(
                f"AllowedValues({self.column!r}): values must be a list of allowed values, got {self.values!r}."
            )
        values = tuple(self.values)
        if not values:
            raise RuleDefinitionError(f"AllowedValues({self.column!r}): the list of allowed values is empty.")
        object.__setattr__(self, "values", values)

    def columns_used(self) -> tuple[str, ...]:
        return (self.column,)

    def evaluate(self, frame: pd.DataFrame) -> RuleOutcome:
        present = frame[self.column].dropna()
        # Compare as objects: a categorical column would refuse values outside its categories.
        unknown = ~present.astype(object).isin(self.values)
        violations = int(unknown.sum())
        return RuleOutcome(
            "AllowedValues", self.column, f"one of {len(self.values)} allowed values", violations, violations == 0
        )

    def dqdl(self) -> str:
        listed = ", ".join(f'"{value}"' if isinstance(value, str) else str(value) for value in self.values)
        return f"ColumnValues {_quote(self.column)} in [{listed}]"


def _check_columns(frame: pd.DataFrame, rules: Sequence[Rule]) -> None:
    known = [str(column) for column in frame.columns]
    for rule in rules:
        for column in rule.columns_used():
            if column not in frame.columns:
                close = difflib.get_close_matches(str(column), known, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise UnknownColumnError(
                    f"{type(rule).__name__} names column {column!r}, which the frame does not have.{hint} "
                    f"Columns: {', '.join(known)}."
                )


def run_rules(frame: pd.DataFrame, rules: Sequence[Rule]) -> pd.DataFrame:
    """Check every rule against `frame`; one report row per rule.

    Returns a DataFrame with columns `rule`, `column`, `expectation` (what was required, and for
    completeness the observed share), `violations` (rows that break the rule: nulls, values out
    of range or not allowed, rows repeating an earlier row) and `passed`.

    Raises
    ------
    RuleTypeError
        `frame` is not a DataFrame, `rules` is empty or holds something that is not a rule, or a
        `Range` rule names a non-numeric column.
    UnknownColumnError
        A rule names a column the frame lacks (checked for every rule before any runs).
    """
    if not isinstance(frame, pd.DataFrame):
        raise RuleTypeError(f"run_rules needs a pandas DataFrame, got {type(frame).__name__}.")
    rules = list(rules)
    if not rules:
        raise RuleTypeError("run_rules got no rules; pass a list such as [Completeness('col', 0.95)].")
    for rule in rules:
        if not all(hasattr(rule, name) for name in ("columns_used", "evaluate")):
            raise RuleTypeError(
                f"A {type(rule).__name__} is not a rule; use Completeness, Range, Unique or AllowedValues "
                "from labkit.quality."
            )
    _check_columns(frame, rules)
    outcomes = [rule.evaluate(frame) for rule in rules]
    return pd.DataFrame([vars(outcome) for outcome in outcomes], columns=REPORT_COLUMNS)


def to_dqdl(rules: Sequence[Rule]) -> str:
    """The rules as a DQDL ruleset (`Rules = [ ... ]`) for AWS Glue Data Quality."""
    rules = list(rules)
    if not rules:
        raise RuleTypeError("to_dqdl got no rules.")
    body = ",\n".join(f"    {rule.dqdl()}" for rule in rules)
    return f"Rules = [\n{body}\n]"
