"""Self-checks of Lab 10's "Your turn" tasks whose expected value would give the answer away.

Each check prints one line that starts with ``Correct`` or ``Not yet`` and returns True or False;
it never raises on the learner's value (see ``labkit.yourturn``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labkit.yourturn import check_true, not_written

__all__ = ["CHANGES", "MAX_KERNEL_SAMPLES", "check_background_explainer", "check_kernel_samples", "kernel_noise"]

CHANGES = {"grows": "the sampling noise grows", "shrinks": "the sampling noise shrinks",
           "same": "the sampling noise stays about the same"}
MAX_KERNEL_SAMPLES = 2090  # Clarify's default for 21 features: 2 x 21 + 2^11
NOISE_RATIO = 1.2  # a change smaller than 20 % counts as "about the same"


def check_background_explainer(explainer: object, trees: Any, background: pd.DataFrame) -> bool:
    """Check `risky_explainer`: an interventional TreeExplainer of `trees` against `background`.

    Its base value must be the trees' mean log-odds over the background rows.
    """
    expected = float(np.mean(trees.decision_function(background)))

    def base_value() -> float:
        return float(np.ravel(explainer.expected_value)[0])

    return check_true(
        [
            (lambda: not not_written(explainer),
             "`risky_explainer` is still the placeholder: build shap.TreeExplainer(...) in its place."),
            (lambda: type(explainer).__name__ == "TreeExplainer",
             f"`risky_explainer` should be a shap.TreeExplainer, got {type(explainer).__name__}."),
            (lambda: getattr(explainer, "feature_perturbation", None) == "interventional",
             "pass data=risky_background and feature_perturbation=\"interventional\", so that the background "
             "is the reference."),
            (lambda: abs(base_value() - expected) < 1e-6,
             "its base value is not the trees' mean log-odds on risky_background: did you pass that background?"),
        ],
        name="risky_explainer",
        success=f"the base value against grades E-G is {expected:.4f} log-odds, the trees' mean log-odds on "
                "those 100 loans.",
    )


def kernel_noise(explainer: Any, rows: np.ndarray, nsamples: int) -> float:
    """Kernel SHAP's sampling noise at `nsamples`: RMS difference of two seeded runs, divided by sqrt(2).

    The global NumPy generator (which KernelExplainer samples with) is restored afterwards.
    """
    state = np.random.get_state()
    try:
        runs = []
        for seed in (0, 1):
            np.random.seed(seed)
            runs.append(np.asarray(explainer.shap_values(rows, nsamples=nsamples, l1_reg=False, silent=True)))
    finally:
        np.random.set_state(state)
    return float(np.sqrt(np.mean((runs[0] - runs[1]) ** 2)) / np.sqrt(2))


def check_kernel_samples(
    nsamples: object, change: object, explainer: Any, rows: np.ndarray, *, reference_samples: int,
    reference_noise: float,
) -> bool:
    """Check the prediction of how Kernel SHAP's sampling noise moves when `nsamples` replaces the lab's."""
    if not_written(nsamples):
        print(f"Not yet: `fewer_samples` is still the placeholder. Set it to a number of samples, for example 100 "
              f"(the lab uses {reference_samples}).")
        return False
    whole = isinstance(nsamples, int | np.integer) and not isinstance(nsamples, bool)
    if not whole or not 10 <= nsamples <= MAX_KERNEL_SAMPLES:
        print(f"Not yet: `fewer_samples` must be a whole number from 10 to {MAX_KERNEL_SAMPLES:,} (Clarify's default "
              f"for 21 features), got {nsamples!r}.")
        return False
    if not_written(change):
        print("Not yet: `noise_change` is still the placeholder. Set it to 'grows', 'shrinks' or 'same'.")
        return False
    if change not in CHANGES:
        print(f"Not yet: {change!r} is not one of {sorted(CHANGES)}.")
        return False
    noise = kernel_noise(explainer, rows, int(nsamples))
    correct = ("grows" if noise > reference_noise * NOISE_RATIO
               else "shrinks" if noise < reference_noise / NOISE_RATIO else "same")
    measured = (f"with nsamples={nsamples} the noise is {noise:.4f} log-odds, against {reference_noise:.4f} "
                f"with {reference_samples}")
    if change == correct:
        print(f"Correct: {measured}. Now explain why in one sentence, then compare with the solution.")
        return True
    print(f"Not yet: {measured}, so {CHANGES[correct]}. Read the solution to see why.")
    return False
