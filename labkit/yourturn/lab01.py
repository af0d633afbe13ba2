"""Self-checks for Lab 01's "Your turn" tasks (feature engineering, measured).

Two of the lab's tasks cannot be checked against a value written in the notebook: the answer to
"change the number of neighbours and say what happens" depends on the number the learner picks,
and "write the encoder" is checked by what the encoder does, not by how it is spelt. Like every
check in `labkit.yourturn`, these print one line (``Correct``, ``Not yet`` or ``Not quite``) and
return True or False; they never raise on the learner's input.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.base import clone

from labkit.features import VERDICTS, Difference
from labkit.yourturn import _not_yet, _say, not_written

__all__ = ["check_effect", "check_onehot"]

EFFECTS = {
    "better": "a higher ROC-AUC, with the whole interval above zero",
    "worse": "a lower ROC-AUC, with the whole interval below zero",
    "within noise": "an interval that contains zero",
}


def check_effect(
    value: object,
    expected: str | None,
    measure: Callable[[int], Difference],
    *,
    name: str,
    reference: str,
    low: int = 1,
    high: int = 5000,
) -> bool:
    """Measure the effect of the learner's integer `value` and compare it with the verdict they expected.

    `measure(value)` returns the Difference between the changed model and the `reference` model
    (described in words, for example "k = 50"); `expected` is "better", "worse" or "within noise".
    """
    if set(EFFECTS) != set(VERDICTS):
        raise RuntimeError("labkit.features.VERDICTS and the effects this check knows have drifted apart")
    if not_written(value):
        return _not_yet(name, f"Set it to a whole number from {low} to {high}, then say what you expect.")
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        return _say(False, f"Not yet: `{name}` should be a whole number from {low} to {high}, got {value!r}.")
    if not_written(expected):
        listed = ", ".join(f"{key!r} ({text})" for key, text in EFFECTS.items())
        return _not_yet("expected_effect", f"Set it to one of {listed}, compared with {reference}.")
    if expected not in EFFECTS:
        return _say(False, f"Not yet: expected_effect is {expected!r}; use one of {sorted(EFFECTS)}.")
    try:
        difference = measure(int(value))
    except Exception as error:  # noqa: BLE001 - say what failed instead of raising in the learner's face
        return _say(False, f"Not yet: measuring {name}={value} failed ({type(error).__name__}: {error}).")
    change = f"{difference.mean + 0.0:+.4f}"
    measured = f"with {name}={value}, ROC-AUC minus {reference}: {change}, interval {difference.interval}"
    if difference.verdict == expected:
        return _say(True, f"Correct: {measured}, so {expected}.")
    return _say(False, f"Not quite: you expected {expected!r}; {measured}, so {difference.verdict!r}. "
                       "Read the solution for why.")


def check_onehot(encoder: object, categorical: pd.DataFrame, unseen_column: str | None = None) -> bool:
    """Check an encoder that should give each category its own 0/1 column and survive an unseen category.

    The encoder is cloned and fitted on `categorical`; then a row whose `unseen_column` (the first
    column by default) holds a value never seen in training is transformed: it must not fail, and
    that column's block of 0/1 columns must be all zeros.
    """
    if not isinstance(categorical, pd.DataFrame) or categorical.empty:
        raise TypeError("categorical must be a non-empty DataFrame of the categorical columns")
    unseen_column = unseen_column if unseen_column is not None else categorical.columns[0]
    if unseen_column not in categorical.columns:
        raise ValueError(f"unseen_column {unseen_column!r} is not a column of categorical")
    if not_written(encoder):
        return _not_yet("onehot", "Write the scikit-learn encoder in its place, then run the cells again.")
    if not (hasattr(encoder, "fit") and hasattr(encoder, "transform")):
        return _say(False, f"Not yet: `onehot` should be a scikit-learn encoder, got {type(encoder).__name__}.")
    try:
        fitted = clone(encoder).fit(categorical)
        columns = _dense(fitted.transform(categorical))
    except Exception as error:  # noqa: BLE001
        return _say(False, f"Not yet: fitting or applying the encoder failed ({type(error).__name__}: {error}).")
    categories = [categorical[column].nunique() for column in categorical.columns]
    if columns.shape[1] != sum(categories):
        return _say(False, f"Not yet: the encoder makes {columns.shape[1]} columns from {categorical.shape[1]}; "
                           "one 0/1 column per category is what this task asks for.")
    if not np.isin(columns, (0, 1)).all() or not (columns.sum(axis=1) == categorical.shape[1]).all():
        return _say(False, "Not yet: each row should have exactly one 1 per original column, and 0 elsewhere.")
    unseen = categorical.iloc[[0]].astype(object)
    unseen[unseen_column] = "a value never seen in training"
    position = list(categorical.columns).index(unseen_column)
    start = sum(categories[:position])
    try:
        row = _dense(fitted.transform(unseen))
    except Exception as error:  # noqa: BLE001
        return _say(False, "Not yet: the encoder fails on a category it did not see in training "
                           f"({type(error).__name__}). Look at its handle_unknown parameter.")
    if row[0, start : start + categories[position]].any():
        return _say(False, "Not yet: an unseen category should give zeros in its column's block.")
    return _say(True, f"Correct: {columns.shape[1]} columns, one per category, and an unseen "
                      f"{unseen_column} becomes all zeros instead of an error.")


def _dense(matrix: object) -> np.ndarray:
    return np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix)
