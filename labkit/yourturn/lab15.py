"""Self-checks for Lab 15's "Your turn" tasks (dimensionality reduction, measured).

Two tasks cannot be checked against a value written in the notebook without giving the answer
away: "fit PCA without the scaler and say where the first component's share goes", and "run t-SNE
with another seed and say what happens to the map". Both answers are measured here, on the
learner's own object. Like every check in `labkit.yourturn`, these print one line (``Correct``,
``Not yet`` or ``Not quite``) and return True or False; they never raise on the learner's input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labkit.reduction import neighbour_overlap
from labkit.yourturn import _not_yet, _say, not_written

__all__ = ["LAYOUT_OUTCOMES", "SHARE_MOVES", "check_seed_layout", "check_unscaled", "layout_outcome", "share_move"]

SHARE_MOVES = {
    "up": "the first component keeps a larger share of the variance",
    "down": "the first component keeps a smaller share of the variance",
    "same": "the first component keeps about the same share",
}
LAYOUT_OUTCOMES = {
    "identical": "the same map, point for point",
    "same neighbours": "the same neighbourhoods, with the map turned, mirrored or moved",
    "different": "other neighbourhoods: many points have new neighbours",
}
SAME_SHARE = 0.05  # a relative change smaller than 5 % counts as "about the same"
SAME_NEIGHBOURS = 0.9  # at least 90 % of the 10 nearest neighbours shared


def share_move(new_share: float, old_share: float) -> str:
    """Which of SHARE_MOVES describes going from `old_share` to `new_share` (both between 0 and 1)."""
    if not (0 < old_share <= 1 and 0 <= new_share <= 1):
        raise ValueError(f"shares must lie between 0 and 1, got {new_share!r} and {old_share!r}")
    if new_share > old_share * (1 + SAME_SHARE):
        return "up"
    if new_share < old_share * (1 - SAME_SHARE):
        return "down"
    return "same"


def check_unscaled(unscaled_pca: object, moves: object, X: pd.DataFrame, scaled_share: float) -> bool:
    """Check `unscaled_pca` (a PCA fitted on the unstandardised `X`) and the predicted move of its first share."""
    if not_written(unscaled_pca):
        return _not_yet("unscaled_pca", "Fit a PCA on X_loans itself (no StandardScaler), for example PCA().fit(...).")
    fitted = getattr(unscaled_pca, "explained_variance_ratio_", None)
    if fitted is None or not hasattr(unscaled_pca, "mean_"):
        return _say(False, "Not yet: `unscaled_pca` should be a fitted PCA: call .fit(X_loans) on it.")
    if getattr(unscaled_pca, "n_features_in_", None) != X.shape[1]:
        return _say(False, f"Not yet: fit `unscaled_pca` on all {X.shape[1]} columns of X_loans.")
    if not np.allclose(unscaled_pca.mean_, X.to_numpy(dtype="float64").mean(axis=0), rtol=1e-6, atol=1e-9):
        return _say(False, "Not yet: `unscaled_pca` was fitted on other values (standardised ones?); "
                           "fit it on X_loans as it is, without the scaler.")
    if not_written(moves):
        listed = ", ".join(f"{key!r} ({text})" for key, text in SHARE_MOVES.items())
        return _not_yet("first_share_moves", f"Set it to one of {listed}.")
    if moves not in SHARE_MOVES:
        return _say(False, f"Not yet: {moves!r} is not one of the options {sorted(SHARE_MOVES)}.")
    new_share = float(fitted[0])
    measured = share_move(new_share, scaled_share)
    top = X.columns[int(np.argmax(np.abs(unscaled_pca.components_[0])))]
    shown = f"the first component keeps {new_share:.1%} of the variance without the scaler, {scaled_share:.1%} with it"
    if moves == measured:
        return _say(True, f"Correct: {shown}; its largest weight is on {top}, the column with the largest "
                          "numbers. Without standardising, PCA ranks columns by their units.")
    return _say(False, f"Not quite: {shown}, so {SHARE_MOVES[measured]}. Open the solution for why.")


def layout_outcome(layout: np.ndarray, reference: np.ndarray, k: int = 10) -> tuple[str, float]:
    """Which of LAYOUT_OUTCOMES relates `layout` to `reference`, and the share of k nearest neighbours they keep."""
    layout, reference = np.asarray(layout, dtype="float64"), np.asarray(reference, dtype="float64")
    overlap = neighbour_overlap(layout, reference, k=k)
    if layout.shape == reference.shape and np.allclose(layout, reference, rtol=1e-5, atol=1e-6):
        return "identical", overlap
    return ("same neighbours" if overlap >= SAME_NEIGHBOURS else "different"), overlap


def check_seed_layout(layout: object, expected: object, reference: np.ndarray) -> bool:
    """Check the learner's expectation of how a t-SNE map with another seed relates to the lab's `reference` map."""
    if not_written(layout):
        return _not_yet("layout_seed1", "Run TSNE(random_state=1) on the same `points` with fit_transform.")
    try:
        array = np.asarray(layout, dtype="float64")
    except (TypeError, ValueError):
        kind = type(layout).__name__
        return _say(False, f"Not yet: `layout_seed1` should be the array fit_transform returns, got {kind}.")
    if array.shape != np.shape(reference):
        return _say(False, f"Not yet: `layout_seed1` has shape {array.shape}, expected {np.shape(reference)}: "
                           "run t-SNE on `points` (the same rows), with two output dimensions.")
    if not_written(expected):
        listed = ", ".join(f"{key!r} ({text})" for key, text in LAYOUT_OUTCOMES.items())
        return _not_yet("seed_changes", f"Set it to one of {listed}.")
    if expected not in LAYOUT_OUTCOMES:
        return _say(False, f"Not yet: {expected!r} is not one of the options {sorted(LAYOUT_OUTCOMES)}.")
    outcome, overlap = layout_outcome(array, reference)
    shown = f"the two maps share {overlap:.0%} of each point's 10 nearest neighbours"
    if expected == outcome:
        return _say(True, f"Correct: {shown}: {LAYOUT_OUTCOMES[outcome]}.")
    return _say(False, f"Not quite: {shown}, which is {LAYOUT_OUTCOMES[outcome]!r}. Open the solution for why.")
