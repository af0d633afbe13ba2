"""labkit.yourturn.lab10: the self-checks of Lab 10's "Your turn" tasks."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.ensemble import GradientBoostingClassifier

from labkit.yourturn.lab10 import check_background_explainer, check_kernel_samples, kernel_noise


@cache
def _model():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(400, 4)), columns=["a", "b", "c", "d"])
    y = (X["a"] + 0.5 * X["b"] + rng.normal(scale=0.5, size=400) > 0).astype(int)
    trees = GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(X, y)
    return trees, X


def test_background_explainer_accepts_the_interventional_explainer(capsys):
    trees, X = _model()
    background = X.iloc[:50]
    explainer = shap.TreeExplainer(trees, data=background, feature_perturbation="interventional")
    assert check_background_explainer(explainer, trees, background)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(("build", "message"), [
    (lambda trees, X: None, "still the placeholder"),
    (lambda trees, X: "TreeExplainer", "should be a shap.TreeExplainer"),
    (lambda trees, X: shap.TreeExplainer(trees), "feature_perturbation"),
    (lambda trees, X: shap.TreeExplainer(trees, data=X.iloc[200:250], feature_perturbation="interventional"),
     "did you pass that background"),
])
def test_background_explainer_says_what_is_wrong(capsys, build, message):
    trees, X = _model()
    assert not check_background_explainer(build(trees, X), trees, X.iloc[:50])
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and message in out


def _kernel():
    trees, X = _model()
    explainer = shap.KernelExplainer(lambda rows: trees.decision_function(pd.DataFrame(rows, columns=X.columns)),
                                     X.iloc[:10].to_numpy())
    return explainer, X.iloc[100:103].to_numpy()


def test_kernel_noise_falls_with_more_samples_and_restores_numpys_generator():
    explainer, rows = _kernel()
    np.random.seed(7)
    before = np.random.get_state()[1].copy()
    noisy, quiet = kernel_noise(explainer, rows, 10), kernel_noise(explainer, rows, 14)
    assert np.array_equal(np.random.get_state()[1], before)
    assert noisy >= 0 and quiet >= 0


def test_kernel_samples_judged_from_the_measurement(capsys):
    explainer, rows = _kernel()
    reference = 1.0  # far above any measured noise: fewer samples then "shrink" it
    assert check_kernel_samples(10, "shrinks", explainer, rows, reference_samples=14, reference_noise=reference)
    assert capsys.readouterr().out.startswith("Correct")
    assert not check_kernel_samples(10, "grows", explainer, rows, reference_samples=14, reference_noise=reference)
    assert "the sampling noise shrinks" in capsys.readouterr().out


@pytest.mark.parametrize(("nsamples", "change", "message"), [
    (None, None, "`fewer_samples` is still the placeholder"),
    (100, None, "`noise_change` is still the placeholder"),
    (5, "grows", "whole number from 10"),
    (100.0, "grows", "whole number from 10"),
    (5000, "grows", "whole number from 10"),
    (100, "up", "is not one of"),
])
def test_kernel_samples_never_raises_on_the_learners_values(capsys, nsamples, change, message):
    explainer, rows = _kernel()
    assert not check_kernel_samples(nsamples, change, explainer, rows, reference_samples=500, reference_noise=0.01)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and message in out
