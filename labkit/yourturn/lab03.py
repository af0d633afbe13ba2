"""Self-checks of Lab 03's "Your turn" tasks whose expected values would give the answer away.

Each check prints one line (``Correct``, ``Not yet`` ...) and returns True or False; it never
raises, whatever the learner wrote (see `labkit.yourturn`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from labkit.bias import bootstrap_dpl
from labkit.quality import AllowedValues, run_rules
from labkit.yourturn import _not_yet, _say, check_guess, not_written

LEAK_OPTIONS = {
    "larger": "the leak flatters it more than the logistic regression",
    "smaller": "the leak flatters it less than the logistic regression",
    "about the same": "the leak flatters both about as much",
}
SAME_WITHIN = 0.05  # ROC-AUC gains closer than this count as "about the same"


def check_records_rule(records_rule: object, clean: pd.DataFrame) -> bool:
    """`records_rule` must accept the clean table's `Records` values and reject any other value."""
    if not_written(records_rule):
        return _not_yet("records_rule", "Write the rule that allows only the values 'no' and 'yes' in `Records`.")
    if not isinstance(records_rule, AllowedValues):
        return _say(False, f"Not yet: `records_rule` is a {type(records_rule).__name__}. Which of the four rule "
                           "types checks that every value is one of a list?")
    if records_rule.column != "Records":
        return _say(False, f"Not yet: the rule checks the column {records_rule.column!r}; it should check 'Records'.")
    try:
        on_clean = run_rules(clean, [records_rule]).iloc[0]
        odd = clean.head(50).copy()
        odd["Records"] = odd["Records"].astype(object)
        odd.loc[odd.index[0], "Records"] = "maybe"
        on_odd = run_rules(odd, [records_rule]).iloc[0]
    except Exception as error:  # noqa: BLE001 - the learner's rule may be malformed in any way; say how
        return _say(False, f"Not yet: running the rule failed ({type(error).__name__}: {error}).")
    if not on_clean["passed"]:
        return _say(False, f"Not yet: the rule reports {int(on_clean['violations'])} violations on the clean "
                           "table; list every value the datasheet allows.")
    if on_odd["passed"]:
        return _say(False, "Not yet: the rule lets the value 'maybe' through; allow only the two real values.")
    return _say(True, "Correct: the clean table passes, and a row with Records = 'maybe' fails. "
                      f"In DQDL: {records_rule.dqdl()}")


def check_width_ratio(
    width_ratio_guess: object, labels: pd.Series, wide_facet: pd.Series, narrow_facet: pd.Series
) -> bool:
    """Compare a guess with the measured ratio of two DPL interval widths (1,000 resamples, own generator)."""
    widths = []
    for facet_d in (wide_facet, narrow_facet):
        low, high = bootstrap_dpl(labels, facet_d, np.random.default_rng(0))
        widths.append(high - low)
    return check_guess(width_ratio_guess, widths[0] / widths[1], name="width_ratio_guess",
                       what="how many times wider the divorced group's interval is", tolerance=0.8, digits=1)


def check_memorising_model(
    model: object, prediction: object, leak_gain: Callable[[object], float], linear_gain: float
) -> bool:
    """Run the leak experiment with the learner's model and compare its ROC-AUC gain with the linear model's."""
    if not_written(model):
        return _not_yet("memorising_model", "Put a model that can memorise rows there, for example a decision tree.")
    if not (hasattr(model, "fit") and hasattr(model, "predict_proba")):
        return _say(False, f"Not yet: `memorising_model` should be a scikit-learn classifier with predict_proba, "
                           f"got {type(model).__name__}.")
    if not_written(prediction):
        listed = ", ".join(repr(option) for option in LEAK_OPTIONS)
        return _not_yet("gain_prediction", f"Set it to one of {listed}.")
    if prediction not in LEAK_OPTIONS:
        return _say(False, f"Not yet: {prediction!r} is not one of {sorted(LEAK_OPTIONS)}.")
    try:
        gain = float(leak_gain(model))
    except Exception as error:  # noqa: BLE001 - the learner's model may fail in any way; say how
        return _say(False, f"Not yet: the experiment failed with your model ({type(error).__name__}: {error}).")
    difference = gain - linear_gain
    measured = "about the same" if abs(difference) < SAME_WITHIN else "larger" if difference > 0 else "smaller"
    shown = (f"the leak raises its ROC-AUC by {gain:.3f} on average, against {linear_gain:.3f} "
             "for the logistic regression")
    if prediction == measured:
        return _say(True, f"Correct: {shown}. {LEAK_OPTIONS[measured].capitalize()}.")
    return _say(False, f"Not quite: you chose {prediction!r}, but {shown}. Open the solution for why.")
