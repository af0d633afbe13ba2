"""Lab 00's conclusions survive another seed.

The orientation lab concludes that `labkit.lab.start(seed)` makes a lab's numbers repeatable, and
that `load_dataset` refuses a damaged file: a changed byte fails the checksum, a renamed or retyped
column fails the schema, each with an error that names the file or the column. The lab shows one
seed and one damage of one file; here seeds 1 and 2 draw other numbers, other models' folds, and
other damage (another byte, another column) in every dataset, and the conclusions must still hold.
It also checks the Summary's facts about the datasets and the lab's "change the seed" self-check.
"""

from __future__ import annotations

import random
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from labkit.datasets import (
    ChecksumError,
    SchemaError,
    dataset_info,
    list_datasets,
    load_dataset,
    sha256_of,
    verify_checksum,
)
from labkit.features import cv_score, default_cv, split_features_target
from labkit.lab import start
from labkit.yourturn.lab00 import SEED_OUTCOMES, check_seed, seed_outcome

SEEDS = (1, 2)


def _draw(seed: int) -> tuple:
    generator = start(seed=seed)
    return tuple(generator.normal(size=5)), random.random(), tuple(np.random.rand(3))  # noqa: NPY002


@pytest.fixture(autouse=True)
def back_to_the_lab_seed():
    yield
    start(seed=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_start_makes_every_random_source_repeat_itself(seed):
    assert _draw(seed) == _draw(seed)
    assert _draw(seed) != _draw(0)
    assert _draw(seed) != _draw(seed + 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_seeded_model_result_is_reproduced_exactly(seed):
    X, y = split_features_target(load_dataset("wa_churn"), target="churn", positive="Yes")
    X = X.select_dtypes(exclude="category").fillna(0)
    model = make_pipeline(StandardScaler(), LogisticRegression())

    def score() -> tuple[float, ...]:
        start(seed=seed)
        return cv_score(model, X, y, cv=default_cv(n_repeats=1, random_state=seed)).fold_scores

    first = score()
    assert score() == first  # bit for bit, not approximately
    other = cv_score(model, X, y, cv=default_cv(n_repeats=1, random_state=seed + 10)).fold_scores
    assert other != first  # the seed does decide the folds


def test_every_dataset_matches_its_manifest():
    for name in list_datasets():
        info = dataset_info(name)
        verify_checksum(info)
        assert sha256_of(info.path) == info.sha256


@pytest.mark.parametrize("seed", SEEDS)
def test_any_changed_byte_fails_the_checksum(seed, scratch_datasets):
    rng = np.random.default_rng(seed)
    for name in list_datasets(scratch_datasets):
        path = dataset_info(name, scratch_datasets).path
        data = bytearray(path.read_bytes())
        position = int(rng.integers(len(data)))
        data[position] = (data[position] + int(rng.integers(1, 256))) % 256
        path.write_bytes(bytes(data))
        with pytest.raises(ChecksumError, match=re.escape(path.name)):
            load_dataset(name, data_dir=scratch_datasets)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_renamed_or_retyped_column_fails_the_schema_and_is_named(seed, scratch_datasets):
    rng = np.random.default_rng(seed)
    for name in list_datasets(scratch_datasets):
        info = dataset_info(name, scratch_datasets)
        original = pd.read_csv(info.path, dtype=str, keep_default_na=False)

        renamed = str(rng.choice(list(info.columns)))
        original.rename(columns={renamed: f"{renamed}_v2"}).to_csv(info.path, index=False)
        with pytest.raises(SchemaError, match=re.escape(repr(renamed))):
            load_dataset(name, data_dir=scratch_datasets, verify=False)

        typed = [column for column, kind in info.columns.items() if kind != "category"]
        retyped = str(rng.choice(typed))
        damaged = original.copy()
        damaged.loc[int(rng.integers(len(damaged))), retyped] = "not a number"
        damaged.to_csv(info.path, index=False)
        with pytest.raises(SchemaError, match=re.escape(f"Column {retyped!r} of {info.path.name}")):
            load_dataset(name, data_dir=scratch_datasets, verify=False)


def test_the_summary_s_facts_about_the_datasets():
    frames = {name: load_dataset(name) for name in list_datasets()}
    assert 0.05 < (frames["lending_club"]["Class"] == "bad").mean() < 0.055  # strongly imbalanced
    with_gaps = [name for name, frame in frames.items() if frame.isna().any().any()]
    with_duplicates = [name for name, frame in frames.items() if frame.duplicated().any()]
    assert with_gaps == with_duplicates == ["wa_churn", "credit_data", "hotel_rates"]
    time_axes = [name for name, frame in frames.items()
                 if any(pd.api.types.is_datetime64_any_dtype(dtype) for dtype in frame.dtypes)]
    assert time_axes == ["hotel_rates"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_seed_self_check_measures_what_start_does(seed, capsys):
    outcome, numbers = seed_outcome(seed)
    assert outcome == "different, repeatable" and numbers.shape == (3,)
    assert seed_outcome(0)[0] == "same as seed 0"
    assert check_seed(seed, "different, repeatable") is True
    assert "Correct" in capsys.readouterr().out
    assert check_seed(seed, "same as seed 0") is False
    assert "Not quite" in capsys.readouterr().out
    # it leaves the lab where it was: the global generators as start(0) left them
    after = np.random.rand(2)  # noqa: NPY002
    start(seed=0)
    assert np.array_equal(after, np.random.rand(2))  # noqa: NPY002


@pytest.mark.parametrize(
    "seed, expected, message",
    [
        (None, None, "Not yet: `my_seed` is still the placeholder"),
        (7, None, "Not yet: `expected` is still the placeholder"),
        (7, "random", "is not one of the options"),
        (-1, "same as seed 0", "should be a whole number, 0 or more"),
        (1.5, "same as seed 0", "should be a whole number, 0 or more"),
        (True, "same as seed 0", "should be a whole number, 0 or more"),
    ],
)
def test_the_seed_self_check_never_raises_on_the_learner_s_input(seed, expected, message, capsys):
    assert check_seed(seed, expected) is False
    assert message in capsys.readouterr().out


def test_the_seed_outcomes_are_the_ones_the_lab_offers():
    assert set(SEED_OUTCOMES) == {"same as seed 0", "different, repeatable", "different every run"}
    with pytest.raises(ValueError, match="non-negative"):
        seed_outcome(-3)
