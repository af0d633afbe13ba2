"""Self-checks of Lab 04's "Your turn" tasks whose expected values would give the answer away.

Each check prints one line (``Correct``, ``Not yet`` ...) and returns True or False; it never
raises, whatever the learner wrote (see `labkit.yourturn`).
"""

from __future__ import annotations

from collections.abc import Iterable

from labkit.metrics import CostMatrix, best_threshold, expected_cost
from labkit.yourturn import _not_yet, _say, check_value, not_written

DIRECTIONS = {"up": "the threshold rises", "down": "the threshold falls", "same": "the threshold stays"}


def check_default_cost(default_cost: object, y_true: Iterable, scores: Iterable, cost_matrix: CostMatrix) -> bool:
    """`default_cost` must be the review queue's cost per 1,000 loans at threshold 0.5 on `scores`."""
    expected = float(expected_cost(y_true, scores, [0.5], cost_matrix)["cost per 1,000"].iloc[0])
    return check_value(
        default_cost, expected, name="default_cost", rel=1e-9, abs_=1e-6,
        hint="call expected_cost(labels, scores, [threshold], costs) on the out-of-fold scores of the training "
             "loans, with the review queue's cost matrix, and take the 'cost per 1,000' of its only row.",
    )


def check_pricier_reviews(
    pricier_reviews: object,
    threshold_moves: object,
    y_true: Iterable,
    scores: Iterable,
    grid: Iterable,
    review_costs: CostMatrix,
) -> bool:
    """The learner builds CostMatrix(false_positive=2, false_negative=10) and says where the best threshold goes."""
    if not_written(pricier_reviews):
        return _not_yet("pricier_reviews", "Make the CostMatrix in which a false alarm costs 2 and a miss 10.")
    if not isinstance(pricier_reviews, CostMatrix):
        return _say(False, f"Not yet: `pricier_reviews` should be a CostMatrix, got {type(pricier_reviews).__name__}.")
    if (pricier_reviews.false_positive, pricier_reviews.false_negative) != (2, 10):
        return _say(False, "Not yet: in `pricier_reviews` a false alarm should cost 2 and a miss 10; got "
                           f"{pricier_reviews.false_positive:g} and {pricier_reviews.false_negative:g}.")
    if not_written(threshold_moves):
        listed = ", ".join(repr(option) for option in DIRECTIONS)
        return _not_yet("threshold_moves", f"Set it to one of {listed}.")
    if threshold_moves not in DIRECTIONS:
        return _say(False, f"Not yet: {threshold_moves!r} is not one of {sorted(DIRECTIONS)}.")
    grid = list(grid)
    before = best_threshold(y_true, scores, grid, review_costs)
    after = best_threshold(y_true, scores, grid, pricier_reviews)
    measured = "up" if after > before else "down" if after < before else "same"
    shown = f"the cheapest threshold goes from {before:.2f} to {after:.2f}"
    if threshold_moves == measured:
        return _say(True, f"Correct: {shown}. Each flag must now be likelier to be bad before a review pays "
                          f"for itself (Bayes threshold 2/12 = {pricier_reviews.bayes_threshold():.3f}).")
    return _say(False, f"Not quite: you chose {threshold_moves!r}, but {shown}. Compare the Bayes thresholds "
                       "1/11 and 2/12, then open the solution.")
