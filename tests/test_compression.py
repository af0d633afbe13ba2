"""labkit.compression: int8 quantization, artifact sizes and latency measurement."""

from __future__ import annotations

import io
import pickle
import tarfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from labkit.compression import (
    INT8_MAX,
    INT8_MIN,
    bootstrap_auc_differences,
    dequantize,
    error_bound,
    latency_percentiles,
    model_tar_gz,
    quantize_int8,
    serialized_size,
    shipped_size,
    throughput,
    throughput_quartiles,
)
from labkit.features import bootstrap_roc_auc_difference

# Rounding in floating point may add a few ulps to the exact bound of half a step.
RELATIVE_SLACK = 1e-9

finite_weights = arrays(
    dtype=st.sampled_from([np.float16, np.float32, np.float64]),
    shape=st.tuples(st.integers(1, 20), st.integers(1, 20)),
    elements=st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=16),
)


@settings(max_examples=200, deadline=None)
@given(finite_weights)
def test_round_trip_error_stays_within_half_a_step(weights):
    q, scale, zero_point = quantize_int8(weights)
    restored = dequantize(q, scale, zero_point)
    error = np.abs(weights.astype(np.float64) - restored)
    assert error.max() <= error_bound(scale) * (1 + RELATIVE_SLACK)
    assert q.dtype == np.int8 and q.shape == weights.shape
    assert INT8_MIN <= zero_point <= INT8_MAX


@settings(max_examples=100, deadline=None)
@given(finite_weights)
def test_zero_is_stored_exactly(weights):
    # Pruned weights are zeros: quantization must not turn them into small non-zero values.
    q, scale, zero_point = quantize_int8(weights)
    assert dequantize(np.array([zero_point], dtype=np.int8), scale, zero_point)[0] == 0.0


def test_the_range_uses_all_256_codes():
    weights = np.linspace(-1.0, 3.0, 1000)
    q, scale, zero_point = quantize_int8(weights)
    assert q.min() == INT8_MIN and q.max() == INT8_MAX
    assert scale == pytest.approx(4.0 / 255)
    # zero is exact, so the ends of the range are only within half a step
    assert abs(dequantize(q, scale, zero_point)[0] + 1.0) <= error_bound(scale)


def test_all_zero_weights_round_trip_exactly():
    q, scale, zero_point = quantize_int8(np.zeros((3, 4)))
    assert scale > 0
    assert (dequantize(q, scale, zero_point) == 0).all()


def test_dequantize_returns_the_requested_dtype():
    q, scale, zero_point = quantize_int8(np.array([0.5, -0.25], dtype=np.float32))
    assert dequantize(q, scale, zero_point, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(
    "weights, error, message",
    [
        (np.array([]), ValueError, "empty"),
        (np.zeros((0, 3), dtype=np.float32), ValueError, "empty"),
        (np.array([1.0, np.nan]), ValueError, "non-finite"),
        (np.array([np.nan, np.inf, -np.inf]), ValueError, "3 non-finite"),
        (np.array([1, 2, 3]), TypeError, "dtype int64"),
        (np.array([True, False]), TypeError, "dtype bool"),
        (np.array([1 + 2j]), TypeError, "complex"),
        ([0.1, 0.2], TypeError, "NumPy array"),
    ],
)
def test_quantize_rejects_bad_input_clearly(weights, error, message):
    with pytest.raises(error, match=message):
        quantize_int8(weights)


def test_dequantize_rejects_codes_that_are_not_int8():
    with pytest.raises(TypeError, match="int8"):
        dequantize(np.array([1, 2], dtype=np.int16), 0.1, 0)


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf")])
def test_scale_must_be_positive_and_finite(scale):
    with pytest.raises(ValueError, match="scale"):
        error_bound(scale)
    with pytest.raises(ValueError, match="scale"):
        dequantize(np.array([1], dtype=np.int8), scale, 0)


def test_dequantize_rejects_a_zero_point_outside_int8():
    with pytest.raises(ValueError, match="zero_point"):
        dequantize(np.array([1], dtype=np.int8), 0.1, 300)


def test_error_bound_is_half_a_step():
    assert error_bound(0.02) == pytest.approx(0.01)


def test_serialized_size_of_bytes_pickles_and_onnx_like_objects():
    class FakeOnnxModel:
        def SerializeToString(self):  # noqa: N802 - the protobuf method name
            return b"12345"

    payload = {"weights": np.zeros(100, dtype=np.float32)}
    assert serialized_size(b"abc") == 3
    assert serialized_size(FakeOnnxModel()) == 5
    assert serialized_size(payload) == len(pickle.dumps(payload, protocol=5))
    # float16 storage halves the bytes of float32 (plus the same pickle overhead)
    half = {"weights": np.zeros(100, dtype=np.float16)}
    assert serialized_size(payload) - serialized_size(half) == 200


def test_serialized_size_explains_an_unpicklable_object():
    with pytest.raises(TypeError, match="Cannot serialize"):
        serialized_size(lambda x: x)


def test_latency_percentiles_counts_calls_and_orders_the_percentiles():
    calls = []
    result = latency_percentiles(calls.append, 1, repeats=150, warmup=7)
    assert len(calls) == 157
    assert set(result) == {"p50_ms", "p99_ms"}
    assert 0 <= result["p50_ms"] <= result["p99_ms"]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"predict": "not a function"}, TypeError, "callable"),
        ({"repeats": 10}, ValueError, "at least 100"),
        ({"warmup": -1}, ValueError, "warmup"),
        ({"percentiles": (50, 120)}, ValueError, "between 0 and 100"),
    ],
)
def test_latency_percentiles_rejects_bad_arguments(kwargs, error, message):
    arguments = {"predict": len, "row": [1], **kwargs}
    with pytest.raises(error, match=message):
        latency_percentiles(**arguments)


def test_throughput_is_rows_per_second():
    assert throughput(np.sum, np.ones((1000, 3)), repeats=3) > 0
    with pytest.raises(ValueError, match="empty"):
        throughput(np.sum, np.ones((0, 3)))
    with pytest.raises(ValueError, match="repeats"):
        throughput(np.sum, np.ones((5, 3)), repeats=0)
    with pytest.raises(TypeError, match="callable"):
        throughput(None, np.ones((5, 3)))


# ---------------------------------------------------------------- the artifact as it ships: model.tar.gz


def test_model_tar_gz_is_a_reproducible_gzipped_tar_holding_the_files():
    payload = {"weights": np.arange(1000, dtype=np.float32)}
    archive = model_tar_gz({"model.pkl": payload, "model.onnx": b"onnx-bytes"})
    assert archive[:2] == b"\x1f\x8b"  # the gzip magic number
    assert archive == model_tar_gz({"model.pkl": payload, "model.onnx": b"onnx-bytes"})  # byte for byte
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert set(members) == {"model.pkl", "model.onnx"}
        assert all(m.mtime == 0 and m.uid == 0 and m.mode == 0o644 for m in members.values())
        assert pickle.loads(tar.extractfile("model.pkl").read())["weights"].tolist() == list(range(1000))
        assert tar.extractfile("model.onnx").read() == b"onnx-bytes"
    assert shipped_size(payload) == len(model_tar_gz({"model.pkl": payload}))


def test_gzip_shrinks_zeros_and_repetition_but_not_random_floats():
    zeros = np.zeros(10_000)
    noise = np.random.default_rng(0).normal(size=10_000)
    assert shipped_size(zeros) < serialized_size(zeros) / 50
    assert shipped_size(noise) > serialized_size(noise) * 0.85


def test_model_tar_gz_rejects_bad_input():
    with pytest.raises(ValueError, match="files is empty"):
        model_tar_gz({})
    with pytest.raises(ValueError, match="relative paths"):
        model_tar_gz({"../model.pkl": b"x"})
    with pytest.raises(ValueError, match="relative paths"):
        model_tar_gz({"/opt/ml/model.pkl": b"x"})
    with pytest.raises(ValueError, match="compresslevel"):
        model_tar_gz({"model.pkl": b"x"}, compresslevel=0)
    with pytest.raises(TypeError, match="Cannot serialize"):
        shipped_size(lambda x: x)


def test_throughput_quartiles_orders_its_quartiles():
    result = throughput_quartiles(np.sum, np.ones((2000, 3)), repeats=7, warmup=1)
    assert set(result) == {"rows_per_s_q1", "rows_per_s_median", "rows_per_s_q3"}
    assert 0 < result["rows_per_s_q1"] <= result["rows_per_s_median"] <= result["rows_per_s_q3"]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"predict": None}, TypeError, "callable"),
        ({"repeats": 3}, ValueError, "at least 5"),
        ({"warmup": -1}, ValueError, "warmup"),
        ({"batch": np.ones((0, 3))}, ValueError, "empty"),
    ],
)
def test_throughput_quartiles_rejects_bad_arguments(kwargs, error, message):
    arguments = {"predict": np.sum, "batch": np.ones((5, 3)), **kwargs}
    with pytest.raises(error, match=message):
        throughput_quartiles(**arguments)


# ---------------------------------------------------------------- paired bootstrap of AUC changes


def _scores(seed: int = 0, size: int = 600):
    rng = np.random.default_rng(seed)
    labels = (rng.random(size) < 0.1).astype(int)
    reference = np.round(rng.normal(size=size) + labels, 1)  # rounded: ties
    better = np.round(reference + 0.8 * labels + rng.normal(scale=0.5, size=size), 1)
    return labels, reference, better


def test_bootstrap_auc_differences_equals_the_ranking_implementation():
    labels, reference, better = _scores()
    fast = bootstrap_auc_differences(labels, {"better": better, "same": reference}, reference, n_resamples=300, seed=4)
    slow = bootstrap_roc_auc_difference(labels, better, reference, n_resamples=300, seed=4)
    assert fast["better"].mean == pytest.approx(slow.mean, abs=1e-12)
    assert fast["better"].low == pytest.approx(slow.low, abs=1e-12)
    assert fast["better"].high == pytest.approx(slow.high, abs=1e-12)
    assert fast["better"].verdict == "better"
    assert fast["same"].mean == 0 and fast["same"].low == 0 and fast["same"].high == 0


def test_bootstrap_auc_differences_rejects_bad_input():
    labels, reference, better = _scores()
    with pytest.raises(ValueError, match="0 and 1"):
        bootstrap_auc_differences(labels * 2, {"b": better}, reference)
    with pytest.raises(ValueError, match="both classes"):
        bootstrap_auc_differences(np.zeros_like(labels), {"b": better}, reference)
    with pytest.raises(ValueError, match="candidates is empty"):
        bootstrap_auc_differences(labels, {}, reference)
    with pytest.raises(ValueError, match="at least 100"):
        bootstrap_auc_differences(labels, {"b": better}, reference, n_resamples=10)
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_auc_differences(labels, {"b": better}, reference, confidence=1.5)
    with pytest.raises(ValueError, match="one finite score per label"):
        bootstrap_auc_differences(labels, {"b": better[:-1]}, reference)
    with pytest.raises(ValueError, match="reference_scores"):
        bootstrap_auc_differences(labels, {"b": better}, np.full(labels.shape, np.nan))
