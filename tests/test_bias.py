"""labkit.bias: hand-worked examples, a cross-check against smclarify, and clear errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from labkit import bias

# Six rows small enough to work by hand: facet a = rows 0-2 (2 of 3 positive), facet d = rows 3-5 (1 of 3).
TINY_LABELS = [1, 1, 0, 1, 0, 0]
TINY_FACET_D = [False, False, False, True, True, True]


def chapter_example() -> pd.DataFrame:
    """The worked example of the Task 1.3 chapter: 1,000 applicants, two loan products."""
    blocks = [  # (facet d?, applicants, approved, product)
        (False, 300, 150, "mortgage"),
        (True, 50, 25, "mortgage"),
        (False, 500, 330, "personal"),
        (True, 150, 55, "personal"),
    ]
    rows = [(facet_d, i < approved, product) for facet_d, size, approved, product in blocks for i in range(size)]
    return pd.DataFrame(rows, columns=["facet_d", "approved", "product"])


def test_tiny_example_by_hand():
    assert bias.class_imbalance(TINY_FACET_D) == 0.0
    assert bias.dpl(TINY_LABELS, TINY_FACET_D) == pytest.approx(1 / 3)
    p_a, p_d = bias.label_distributions(TINY_LABELS, TINY_FACET_D)
    np.testing.assert_allclose(p_a, [1 / 3, 2 / 3])
    np.testing.assert_allclose(p_d, [2 / 3, 1 / 3])
    # KL = 1/3 ln(1/2) + 2/3 ln(2) = 1/3 ln 2
    assert bias.kl(TINY_LABELS, TINY_FACET_D) == pytest.approx(math.log(2) / 3)
    # the mixture is (1/2, 1/2) and both KL terms are equal
    assert bias.js(TINY_LABELS, TINY_FACET_D) == pytest.approx(math.log(2 / 3) / 3 + 2 / 3 * math.log(4 / 3))
    assert bias.lp(TINY_LABELS, TINY_FACET_D) == pytest.approx(math.sqrt(2) / 3)
    assert bias.lp(TINY_LABELS, TINY_FACET_D, p=1) == pytest.approx(2 / 3)
    assert bias.tvd(TINY_LABELS, TINY_FACET_D) == pytest.approx(1 / 3)
    assert bias.ks(TINY_LABELS, TINY_FACET_D) == pytest.approx(1 / 3)


def test_chapter_worked_example_values():
    frame = chapter_example()
    metrics = bias.pretraining_metrics(frame["approved"], frame["facet_d"], frame["product"])
    expected = {"CI": 0.6, "DPL": 0.2, "KL": 0.0811, "JS": 0.0201, "LP": 0.2828, "TVD": 0.2, "KS": 0.2, "CDDL": 0.1402}
    assert list(metrics.index) == list(bias.METRIC_NAMES)
    for name, value in expected.items():
        assert metrics[name] == pytest.approx(value, abs=5e-5), name
    assert metrics["KL"] == pytest.approx(0.2 * math.log(1.5))


def test_cddl_subgroups_by_hand():
    frame = chapter_example()
    # mortgages: DD = 25/175 - 25/175 = 0; personal loans: DD = 95/265 - 55/385
    expected = 650 * (95 / 265 - 55 / 385) / 1000
    assert bias.cddl(frame["approved"], frame["facet_d"], frame["product"]) == pytest.approx(expected)
    # with a single subgroup CDDL is the plain demographic disparity: 120 of 440 rejections, 80 of 560 approvals
    single = bias.cddl(frame["approved"], frame["facet_d"], ["all"] * len(frame))
    assert single == pytest.approx(120 / 440 - 80 / 560)


def test_identical_facets_give_zero_distances():
    labels = [1, 0, 1, 0]
    facet_d = [False, False, True, True]
    assert bias.dpl(labels, facet_d) == 0.0
    for metric in (bias.kl, bias.js, bias.lp, bias.tvd, bias.ks):
        assert metric(labels, facet_d) == pytest.approx(0.0)


def test_kl_is_infinite_when_facet_d_lacks_a_label_but_js_stays_finite():
    labels = [1, 0, 1, 1]
    facet_d = [False, False, True, True]  # facet a: (1/2, 1/2); facet d: only positives
    assert bias.kl(labels, facet_d) == math.inf
    # mixture M = (1/4, 3/4); KL(P_a || M) = 1/2 ln 2 + 1/2 ln(2/3); KL(P_d || M) = ln(4/3)
    expected_js = 0.5 * (0.5 * math.log(2) + 0.5 * math.log(2 / 3) + math.log(4 / 3))
    assert bias.js(labels, facet_d) == pytest.approx(expected_js)
    assert bias.ks(labels, facet_d) == pytest.approx(0.5)


def test_accepts_pandas_booleans_numpy_and_zero_one_integers():
    as_series = bias.dpl(pd.Series(TINY_LABELS, dtype="boolean"), pd.Series(TINY_FACET_D))
    as_numpy = bias.dpl(np.array(TINY_LABELS), np.array(TINY_FACET_D, dtype=int))
    assert as_series == pytest.approx(as_numpy) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    "facet_d, message",
    [([False] * 6, "Facet d is empty"), ([True] * 6, "Facet a is empty")],
)
def test_empty_facet_group_is_an_error(facet_d, message):
    with pytest.raises(bias.BiasInputError, match=message):
        bias.dpl(TINY_LABELS, facet_d)
    with pytest.raises(bias.BiasInputError, match=message):
        bias.class_imbalance(facet_d)


@pytest.mark.parametrize(
    "labels",
    [
        ["good", "bad", "good", "good", "bad", "bad"],
        [0, 1, 2, 1, 0, 1],
        [0.0, 0.5, 1.0, 1.0, 0.0, 1.0],
    ],
)
def test_non_binary_label_is_an_error(labels):
    with pytest.raises(bias.BiasInputError, match="must be binary"):
        bias.kl(labels, TINY_FACET_D)


def test_missing_labels_are_an_error():
    with pytest.raises(bias.BiasInputError, match="missing values"):
        bias.dpl([1, None, 0, 1, 0, 0], TINY_FACET_D)


def test_mismatched_lengths_are_an_error():
    with pytest.raises(bias.BiasInputError, match="labels has 5 values but facet_d has 6"):
        bias.tvd(TINY_LABELS[:5], TINY_FACET_D)
    with pytest.raises(bias.BiasInputError, match="groups has 2 values"):
        bias.cddl(TINY_LABELS, TINY_FACET_D, ["x", "y"])


def test_cddl_needs_complete_groups_and_both_labels():
    with pytest.raises(bias.BiasInputError, match="groups has 1 missing"):
        bias.cddl(TINY_LABELS, TINY_FACET_D, ["x", "x", None, "y", "y", "y"])
    with pytest.raises(bias.BiasInputError, match="both positive and negative"):
        bias.cddl([1] * 6, TINY_FACET_D, ["x"] * 6)


def test_lp_order_must_be_at_least_one():
    with pytest.raises(bias.BiasInputError, match="p must be a number >= 1"):
        bias.lp(TINY_LABELS, TINY_FACET_D, p=0.5)


# --- Cross-check against smclarify, AWS's open-source implementation of Clarify's metrics -----------


@pytest.fixture(scope="module")
def clarify():
    return pytest.importorskip("smclarify.bias.metrics.pretraining", reason="smclarify is the test oracle")


def _clarify_metrics(clarify, labels: pd.Series, facet_d: pd.Series, groups: pd.Series) -> dict[str, float]:
    feature = pd.Series(np.zeros(len(labels)))  # the metrics only count rows of this column
    return {
        "CI": clarify.CI(feature, facet_d),
        "DPL": clarify.DPL(feature, facet_d, labels),
        "KL": clarify.KL(labels, facet_d),
        "JS": clarify.JS(labels, facet_d),
        "LP": clarify.LP(labels, facet_d),
        "TVD": clarify.TVD(labels, facet_d),
        "KS": clarify.KS(labels, facet_d),
        "CDDL": clarify.CDDL(feature, facet_d, labels, groups),
    }


def test_chapter_example_matches_smclarify(clarify):
    frame = chapter_example()
    ours = bias.pretraining_metrics(frame["approved"], frame["facet_d"], frame["product"])
    theirs = _clarify_metrics(clarify, frame["approved"], frame["facet_d"], frame["product"])
    for name in bias.METRIC_NAMES:
        assert ours[name] == pytest.approx(theirs[name], abs=1e-12), name


rows = st.lists(st.tuples(st.booleans(), st.booleans(), st.sampled_from("xyz")), min_size=4, max_size=120)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(rows)
def test_random_datasets_match_smclarify(clarify, data):
    frame = pd.DataFrame(data, columns=["label", "facet_d", "group"])
    # smclarify drops a label value that is absent from either facet, so compare where both facets have both labels
    for in_d in (False, True):
        facet = frame[frame["facet_d"] == in_d]
        assume(facet["label"].any() and not facet["label"].all())
    ours = bias.pretraining_metrics(frame["label"], frame["facet_d"], frame["group"])
    theirs = _clarify_metrics(clarify, frame["label"], frame["facet_d"], frame["group"])
    for name in bias.METRIC_NAMES:
        assert ours[name] == pytest.approx(theirs[name], abs=1e-9), name


# --- bootstrap interval of DPL (Lab 03 shows this function, marked #@save labkit.bias) -----------


def test_bootstrap_dpl_brackets_the_point_value_and_narrows_with_more_rows():
    rng = np.random.default_rng(0)
    labels = rng.random(4000) < 0.7
    facet_d = rng.random(4000) < 0.2
    labels[facet_d] = rng.random(int(facet_d.sum())) < 0.6  # facet d is labelled positive less often
    low, high = bias.bootstrap_dpl(labels, facet_d, np.random.default_rng(1))
    assert low < bias.dpl(labels, facet_d) < high and low > 0
    small_low, small_high = bias.bootstrap_dpl(labels[:400], facet_d[:400], np.random.default_rng(1))
    assert small_high - small_low > 2 * (high - low)  # ten times fewer rows: about three times wider


def test_bootstrap_dpl_is_reproducible_with_the_same_generator():
    labels, facet_d = [True, False, True, True] * 25, [True, True, False, False] * 25
    first = bias.bootstrap_dpl(labels, facet_d, np.random.default_rng(7), resamples=200)
    second = bias.bootstrap_dpl(labels, facet_d, np.random.default_rng(7), resamples=200)
    np.testing.assert_array_equal(first, second)


def test_bootstrap_dpl_checks_its_input_like_the_metrics():
    with pytest.raises(bias.BiasInputError, match="Facet d is empty"):
        bias.bootstrap_dpl([True, False], [False, False], np.random.default_rng(0))
    with pytest.raises(bias.BiasInputError, match="same rows"):
        bias.bootstrap_dpl([True, False, True], [True, False], np.random.default_rng(0))
