"""labkit.poisoning: each attack does what it says, the evasion search finds the boundary, the harness counts
alarms, the encoder matches scikit-learn's transformers, and bad input fails clearly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from labkit.poisoning import (
    PoisoningError,
    TableEncoder,
    check_share,
    detection_rates,
    flip_labels,
    inject_rows,
    smallest_change,
)


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 200
    return pd.DataFrame(
        {
            "Status": pd.Categorical(rng.choice(["bad", "good"], size=n, p=[0.3, 0.7]), categories=["bad", "good"]),
            "Income": np.where(rng.random(n) < 0.1, np.nan, rng.integers(50, 300, n).astype(float)),
            "Amount": rng.integers(100, 2000, n),
            "Job": pd.Categorical(rng.choice(["fixed", "partime", "freelance"], size=n)),
        }
    )


def test_flip_labels_flips_the_requested_share_and_leaves_the_input_alone(frame):
    before = frame.copy()
    poisoned = flip_labels(frame, 0.1, np.random.default_rng(1))
    pd.testing.assert_frame_equal(frame, before)
    changed = poisoned["Status"].to_numpy() != frame["Status"].to_numpy()
    assert changed.sum() == round(0.1 * len(frame))
    assert poisoned.drop(columns="Status").equals(frame.drop(columns="Status"))
    assert list(poisoned["Status"].cat.categories) == ["bad", "good"]


def test_flip_labels_only_bad_turns_bad_rows_good(frame):
    poisoned = flip_labels(frame, 0.05, np.random.default_rng(2), only="bad")
    changed = poisoned["Status"].to_numpy() != frame["Status"].to_numpy()
    assert changed.sum() == 10
    assert (frame.loc[changed, "Status"] == "bad").all() and (poisoned.loc[changed, "Status"] == "good").all()
    assert flip_labels(frame, 0.0, np.random.default_rng(2)).equals(frame)


def test_inject_rows_appends_relabelled_copies_within_the_scale(frame):
    rng = np.random.default_rng(3)
    padded = inject_rows(frame, 0.1, rng, columns=("Amount",), scale=(2.0, 3.0))
    assert len(padded) == len(frame) + 20
    assert padded.iloc[: len(frame)].equals(frame)
    crafted = padded.iloc[len(frame):]
    assert (crafted["Status"] == "good").all()
    assert padded["Amount"].dtype == frame["Amount"].dtype
    sources = frame.loc[frame["Status"] == "bad", "Amount"]
    assert crafted["Amount"].min() >= 2 * sources.min() - 1 and crafted["Amount"].max() <= 3 * sources.max() + 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda f: flip_labels(f, 1.5, np.random.default_rng(0)), "between 0 and 1"),
        (lambda f: flip_labels(f, True, np.random.default_rng(0)), "between 0 and 1"),
        (lambda f: flip_labels(f, 0.9, np.random.default_rng(0), only="bad"), "can be flipped"),
        (lambda f: flip_labels(f, 0.1, np.random.default_rng(0), target="Label"), "no label column"),
        (lambda f: flip_labels(f.assign(Status=f["Status"].astype(str)), 0.1, np.random.default_rng(0)),
         "categorical"),
        (lambda f: inject_rows(f, 0.9, np.random.default_rng(0)), "labelled 'bad'"),
        (lambda f: check_share([1, 2], 0.1, "Status"), "DataFrame"),
    ],
)
def test_bad_input_names_the_problem(frame, call, message):
    with pytest.raises(PoisoningError, match=message):
        call(frame)


def _one_feature_model():
    rng = np.random.default_rng(4)
    x = rng.normal(size=500)
    y = rng.random(500) < 1 / (1 + np.exp(-(2 * x - 1)))
    frame = pd.DataFrame({"x": x + 10})  # keep values positive: smallest_change clips at 0
    return LogisticRegression().fit(frame, y), frame


def test_smallest_change_lands_on_the_decision_boundary():
    model, frame = _one_feature_model()
    boundary = -model.intercept_[0] / model.coef_[0, 0]  # where P(positive) = 0.5
    applicants = frame[(frame["x"] > boundary) & (frame["x"] < boundary + 1)].head(5)
    change = smallest_change(model, applicants, "x", threshold=0.5, limit=5)
    assert (change < 0).all()
    np.testing.assert_allclose(applicants["x"] + change, boundary, atol=1e-4)


def test_smallest_change_is_nan_when_the_limit_is_too_small():
    model, frame = _one_feature_model()
    boundary = -model.intercept_[0] / model.coef_[0, 0]
    far = frame[frame["x"] > boundary + 1].head(3)
    assert smallest_change(model, far, "x", threshold=0.5, limit=0.5).isna().all()


def test_detection_rates_counts_alarms_per_attack_and_share(frame):
    rates = detection_rates(
        frame,
        {"flip": flip_labels},
        {"always": lambda batch: True, "never": lambda batch: False,
         "any bad": lambda batch: bool((batch["Status"] == "bad").any())},
        shares=[0.1, 0.5],
        repeats=3,
        batch_size=50,
        rng=np.random.default_rng(5),
    )
    assert list(rates.index) == [("none", 0.0), ("flip", 0.1), ("flip", 0.5)]
    assert (rates["always"] == 1.0).all() and (rates["never"] == 0.0).all()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"repeats": 0}, "repeats"),
        ({"batch_size": 10_000}, "batch_size"),
        ({"shares": [0.0]}, "shares"),
        ({"defences": {}}, "at least one"),
        ({"defences": {"odd": lambda batch: "yes"}}, "must return True or False"),
    ],
)
def test_detection_rates_refuses_bad_arguments(frame, kwargs, message):
    arguments = {"attacks": {"flip": flip_labels}, "defences": {"never": lambda batch: False}, "shares": [0.1],
                 "repeats": 2, "batch_size": 50, "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(PoisoningError, match=message):
        detection_rates(frame, **arguments)


def test_table_encoder_matches_scikit_learns_transformers(frame):
    reference = ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()),
         ["Income", "Amount"]),
        ("categories", OneHotEncoder(), ["Job"]),
    ])
    expected = reference.fit_transform(frame)
    ours = TableEncoder().fit_transform(frame)
    # scikit-learn scales the missing-value flag too; ours keeps it 0/1. Compare numbers, flag, one-hot.
    np.testing.assert_allclose(ours[:, :2], expected[:, :2], atol=1e-9)
    np.testing.assert_array_equal(ours[:, 2], frame["Income"].isna().to_numpy(dtype=float))
    np.testing.assert_allclose(ours[:, 3:], expected[:, 3:])


def test_table_encoder_in_a_pipeline_clones_and_handles_unseen_categories(frame):
    model = clone(make_pipeline(TableEncoder(), LogisticRegression())).fit(frame, frame["Status"] == "bad")
    unseen = frame.head(3).assign(Job=pd.Categorical(["astronaut"] * 3))
    assert model.predict_proba(unseen).shape == (3, 2)
    assert not TableEncoder().fit(frame).transform(unseen)[:, -3:].any()
    assert TableEncoder().set_params(drop=["Status"]).get_params() == {"drop": ["Status"]}


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda f: TableEncoder().transform(f), "fit the TableEncoder"),
        (lambda f: TableEncoder().fit(f).transform(f.drop(columns="Amount")), "lacks column"),
        (lambda f: TableEncoder().fit(f.assign(Note="text")), "numeric and categorical"),
        (lambda f: TableEncoder().fit(f.iloc[:0]), "non-empty"),
        (lambda f: TableEncoder().set_params(scale=2), "no parameter"),
    ],
)
def test_table_encoder_errors_name_the_problem(frame, call, message):
    with pytest.raises(PoisoningError, match=message):
        call(frame)
