"""Self-checks of Lab 06's "Your turn" tasks whose expected answer the notebook must not show.

Each check prints one line that starts with ``Correct`` or ``Not yet`` and returns True or False;
it never raises, whatever the learner wrote (see `labkit.yourturn`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from labkit.yourturn import _not_yet, _say, not_written

__all__ = ["check_pruning_loss", "check_soft_student", "magnitude_prune", "pruned_auc_loss"]

DIRECTIONS = {"larger": "loses more AUC", "smaller": "loses less AUC"}


def magnitude_prune(coefs: Sequence[np.ndarray], share: float) -> list[np.ndarray]:
    """Zero the `share` of weights with the smallest absolute values, over all matrices together."""
    if not 0 < share < 1:
        raise ValueError(f"share must lie between 0 and 1 (0.9 prunes 90 % of the weights), got {share}")
    weights = np.concatenate([np.ravel(w) for w in coefs])
    threshold = np.quantile(np.abs(weights), share)
    return [np.where(np.abs(w) < threshold, 0.0, w) for w in coefs]


def _forward(coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray], rows: np.ndarray) -> np.ndarray:
    activation = np.asarray(rows, dtype=np.float64)
    for layer, (weights, bias) in enumerate(zip(coefs, intercepts, strict=True)):
        activation = activation @ weights + bias
        if layer < len(coefs) - 1:
            activation = np.maximum(activation, 0)
    return activation[:, 0]  # the logit ranks the rows as the probability does


def pruned_auc_loss(network: MLPClassifier, share: float, X: np.ndarray, y: np.ndarray) -> float:
    """Validation AUC of `network` after magnitude pruning `share` of its weights, minus its AUC before."""
    before = roc_auc_score(y, _forward(network.coefs_, network.intercepts_, X))
    after = roc_auc_score(y, _forward(magnitude_prune(network.coefs_, share), network.intercepts_, X))
    return float(after - before)


def check_pruning_loss(
    network_alpha: object,
    expect: object,
    networks: Mapping[float, MLPClassifier],
    teacher_alpha: float,
    X_valid: np.ndarray,
    y_valid: np.ndarray,
    share: float = 0.9,
) -> bool:
    """The learner picks a less regularised network and predicts whether pruning costs it more AUC than the teacher.

    `networks` maps each trained L2 penalty (``alpha``) to its network; the check prunes `share` of the
    weights of the chosen network and of the teacher, and compares their validation AUC losses.
    """
    others = sorted(alpha for alpha in networks if alpha != teacher_alpha)
    if not_written(network_alpha):
        return _not_yet("network_alpha", f"Set it to the alpha of another trained network: one of {others}.")
    if not_written(expect):
        return _not_yet("expect", "Set it to 'larger' or 'smaller': will that network lose more or less AUC?")
    if network_alpha not in others:
        return _say(False, f"Not yet: `network_alpha` should be one of the other trained networks' alphas {others}, "
                           f"got {network_alpha!r}.")
    if expect not in DIRECTIONS:
        return _say(False, f"Not yet: `expect` should be 'larger' or 'smaller', got {expect!r}.")
    chosen = pruned_auc_loss(networks[network_alpha], share, X_valid, y_valid)
    teacher = pruned_auc_loss(networks[teacher_alpha], share, X_valid, y_valid)
    measured = "larger" if chosen < teacher else "smaller"
    shown = (f"pruning {share:.0%} of the weights changes the validation AUC by {chosen:+.4f} "
             f"for alpha={network_alpha} and by {teacher:+.4f} for the teacher (alpha={teacher_alpha}).")
    if expect == measured:
        return _say(True, f"Correct: {shown}")
    return _say(False, f"Not yet: you expected that it {DIRECTIONS[expect]}, but {shown} Open the solution.")


def check_soft_student(student: object, X_fit: np.ndarray, soft_targets: np.ndarray, X_valid: np.ndarray,
                       depth: int = 4) -> bool:
    """The learner writes the line that trains a depth-4 tree student on the teacher's soft targets."""
    if not_written(student):
        return _not_yet("student", f"Write the line that fits a tree of depth {depth} to the soft targets.")
    if isinstance(student, DecisionTreeClassifier):
        return _say(False, "Not yet: a classifier learns the 0/1 labels. The soft targets are probabilities: "
                           "fit a regression tree to them.")
    if not isinstance(student, DecisionTreeRegressor):
        kind = type(student).__name__
        return _say(False, f"Not yet: `student` should be a fitted DecisionTreeRegressor, got {kind}.")
    if not hasattr(student, "tree_"):
        return _say(False, "Not yet: the tree is not fitted; call .fit(X_fit, soft_targets) on it.")
    if student.get_depth() > depth or student.max_depth != depth:
        return _say(False, f"Not yet: the student should be a tree of max_depth={depth}, got {student.max_depth}.")
    reference = DecisionTreeRegressor(max_depth=depth, random_state=0).fit(X_fit, soft_targets)
    same_inputs = student.n_features_in_ == X_fit.shape[1]
    if not same_inputs or not np.allclose(student.predict(X_valid), reference.predict(X_valid)):
        return _say(False, "Not yet: the tree does not predict the soft targets' tree. Fit it on X_fit and "
                           "soft_targets (the teacher's out-of-bag probabilities), with random_state=0.")
    return _say(True, f"Correct: a depth-{depth} regression tree fitted to the teacher's probabilities, "
                      f"{student.get_n_leaves()} leaves.")
