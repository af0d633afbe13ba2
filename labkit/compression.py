"""Shrink a model and measure what it costs: int8 quantization, artifact size and latency.

The quantization here is the textbook per-tensor affine scheme that int8 runtimes use, written
out so that a lab can show every step::

    q, scale, zero_point = quantize_int8(weights)      # int8 codes, one scale, one zero point
    restored = dequantize(q, scale, zero_point)         # back to floating point
    assert abs(weights - restored).max() <= error_bound(scale) * (1 + 1e-9)

`serialized_size` and `latency_percentiles` measure the two things a deployment cares about:
how many bytes the artifact takes, and how long one prediction waits.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

INT8_MIN, INT8_MAX = -128, 127
INT8_LEVELS = INT8_MAX - INT8_MIN  # 255 steps between the smallest and the largest code
SUPPORTED_FLOAT_DTYPES = (np.float16, np.float32, np.float64)
MIN_LATENCY_REPEATS = 100  # fewer samples than this and the 99th percentile is just the maximum


def _check_weights(weights: np.ndarray) -> np.ndarray:
    """Return `weights` as a float64 array, or raise an error that says what is wrong."""
    if not isinstance(weights, np.ndarray):
        raise TypeError(f"weights must be a NumPy array, got {type(weights).__name__}; wrap it with np.asarray(...).")
    if weights.dtype.type not in SUPPORTED_FLOAT_DTYPES:
        raise TypeError(
            f"weights have dtype {weights.dtype}; quantize floating-point weights only "
            "(float16, float32 or float64). Convert with weights.astype(np.float32) if the values are real numbers."
        )
    if weights.size == 0:
        raise ValueError("weights is empty: there is nothing to quantize (check the array's shape).")
    if not np.isfinite(weights).all():
        count = int((~np.isfinite(weights)).sum())
        raise ValueError(
            f"weights holds {count} non-finite value(s) (NaN or infinity); a scale cannot cover them. "
            "Fix the model's training (or replace them) before quantizing."
        )
    return weights.astype(np.float64)


def quantize_int8(weights: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Quantize a float tensor to int8 with one scale and one zero point (asymmetric, per tensor).

    The range ``[min(w, 0), max(w, 0)]`` is split into 255 equal steps of size ``scale``; the range
    always includes 0, so that zero (a pruned weight, a padding value) is stored exactly. Each weight
    becomes the code of its nearest step, so ``|w - dequantize(q, scale, zero_point)| <= scale / 2``.

    Returns
    -------
    q:
        int8 codes, same shape as `weights`.
    scale:
        the width of one step (a positive float).
    zero_point:
        the int8 code that stands for 0.0.

    Raises
    ------
    TypeError
        `weights` is not a floating-point NumPy array.
    ValueError
        `weights` is empty or holds NaN or infinity.
    """
    values = _check_weights(weights)
    low = min(float(values.min()), 0.0)
    high = max(float(values.max()), 0.0)
    scale = (high - low) / INT8_LEVELS
    if scale == 0.0:  # every weight is 0: any positive scale stores them exactly
        scale = 1.0
    zero_point = int(INT8_MIN - round(low / scale))
    codes = np.clip(np.rint(values / scale) + zero_point, INT8_MIN, INT8_MAX)
    return codes.astype(np.int8), scale, zero_point


def dequantize(q: np.ndarray, scale: float, zero_point: int, dtype: type = np.float64) -> np.ndarray:
    """Map int8 codes back to floating point: ``(q - zero_point) * scale``."""
    if not isinstance(q, np.ndarray) or q.dtype != np.int8:
        got = q.dtype if isinstance(q, np.ndarray) else type(q).__name__
        raise TypeError(f"q must be an int8 NumPy array as returned by quantize_int8, got {got}.")
    _check_scale(scale)
    if not INT8_MIN <= zero_point <= INT8_MAX:
        raise ValueError(f"zero_point must be an int8 code in [{INT8_MIN}, {INT8_MAX}], got {zero_point}.")
    return ((q.astype(np.float64) - zero_point) * scale).astype(dtype)


def _check_scale(scale: float) -> None:
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive finite number, got {scale}.")


def error_bound(scale: float) -> float:
    """The largest rounding error of int8 quantization with this scale: half a step, ``scale / 2``."""
    _check_scale(scale)
    return scale / 2


def serialized_size(obj: Any) -> int:
    """Size in bytes of the artifact you would ship.

    - ``bytes``: its length (for example an ONNX file read from disk);
    - an ONNX ``ModelProto`` (anything with ``SerializeToString``): the length of its serialization;
    - anything else: the length of its pickle (protocol 5), which is what joblib and SageMaker's
      scikit-learn container store.
    """
    if isinstance(obj, bytes | bytearray):
        return len(obj)
    if hasattr(obj, "SerializeToString"):
        return len(obj.SerializeToString())
    try:
        return len(pickle.dumps(obj, protocol=5))
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise TypeError(
            f"Cannot serialize a {type(obj).__name__} with pickle ({error}); pass its bytes or an ONNX model instead."
        ) from error


def latency_percentiles(
    predict: Callable[[Any], Any],
    row: Any,
    repeats: int = 300,
    warmup: int = 20,
    percentiles: Sequence[float] = (50, 99),
) -> dict[str, float]:
    """Time `predict(row)` `repeats` times after `warmup` untimed calls; percentiles in milliseconds.

    The warm-up calls fill caches and trigger lazy initialisation, which a long-running endpoint
    has already paid for. Returns ``{"p50_ms": ..., "p99_ms": ...}`` (one key per percentile).
    """
    if not callable(predict):
        raise TypeError(f"predict must be callable (for example model.predict_proba), got {type(predict).__name__}.")
    if repeats < MIN_LATENCY_REPEATS:
        raise ValueError(
            f"repeats={repeats} is too few for a tail percentile; use at least {MIN_LATENCY_REPEATS} "
            "(300 or more for a stable p99)."
        )
    if warmup < 0:
        raise ValueError(f"warmup must be zero or more calls, got {warmup}.")
    for value in percentiles:
        if not 0 <= value <= 100:
            raise ValueError(f"percentiles must lie between 0 and 100, got {value}.")
    for _ in range(warmup):
        predict(row)
    durations = np.empty(repeats)
    for index in range(repeats):
        started = time.perf_counter()
        predict(row)
        durations[index] = time.perf_counter() - started
    values = np.percentile(durations * 1000, list(percentiles))
    return {f"p{value:g}_ms": float(result) for value, result in zip(percentiles, values, strict=True)}


def throughput(predict: Callable[[Any], Any], batch: Any, repeats: int = 5) -> float:
    """Rows per second of `predict(batch)`, from the median of `repeats` timed calls (after one warm-up)."""
    if not callable(predict):
        raise TypeError(f"predict must be callable, got {type(predict).__name__}.")
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}.")
    rows = len(batch)
    if rows == 0:
        raise ValueError("batch is empty: throughput needs at least one row.")
    predict(batch)
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        predict(batch)
        durations.append(time.perf_counter() - started)
    return rows / float(np.median(durations))
