"""Shrink a model and measure what it costs: int8 quantization, artifact size and latency.

The quantization here is the textbook per-tensor affine scheme that int8 runtimes use, written
out so that a lab can show every step::

    q, scale, zero_point = quantize_int8(weights)      # int8 codes, one scale, one zero point
    restored = dequantize(q, scale, zero_point)         # back to floating point
    assert abs(weights - restored).max() <= error_bound(scale) * (1 + 1e-9)

`serialized_size` and `model_tar_gz` measure the bytes of an artifact, raw and as SageMaker ships it
(a gzip-compressed tar archive, ``model.tar.gz``); `latency_percentiles` and `throughput_quartiles`
measure how long predictions take, with their spread; `bootstrap_auc_differences` gives every
variant's AUC change from its teacher a paired bootstrap interval.
"""

from __future__ import annotations

import gzip
import io
import pickle
import tarfile
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from labkit.features import Difference

INT8_MIN, INT8_MAX = -128, 127
INT8_LEVELS = INT8_MAX - INT8_MIN  # 255 steps between the smallest and the largest code
SUPPORTED_FLOAT_DTYPES = (np.float16, np.float32, np.float64)
MIN_LATENCY_REPEATS = 100  # fewer samples than this and the 99th percentile is just the maximum
GZIP_LEVEL = 6  # the default of gzip and of `tar czf`, the usual way a model.tar.gz is made
MIN_TIMING_REPEATS = 5
MIN_RESAMPLES = 100


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


def _call_durations(predict: Callable[[Any], Any], argument: Any, repeats: int, warmup: int) -> np.ndarray:
    """Seconds taken by each of `repeats` calls of `predict(argument)`, after `warmup` untimed calls."""
    for _ in range(warmup):
        predict(argument)
    durations = np.empty(repeats)
    for index in range(repeats):
        started = time.perf_counter()
        predict(argument)
        durations[index] = time.perf_counter() - started
    return durations


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
    durations = _call_durations(predict, row, repeats, warmup)
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
    return rows / float(np.median(_call_durations(predict, batch, repeats, warmup=1)))


def _artifact_bytes(obj: Any) -> bytes:
    """The bytes of the file that holds `obj`: itself if bytes, its ONNX serialization, or its pickle."""
    if isinstance(obj, bytes | bytearray):
        return bytes(obj)
    if hasattr(obj, "SerializeToString"):
        return obj.SerializeToString()
    try:
        return pickle.dumps(obj, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise TypeError(
            f"Cannot serialize a {type(obj).__name__} with pickle ({error}); pass its bytes or an ONNX model instead."
        ) from error


def model_tar_gz(files: Mapping[str, Any], compresslevel: int = GZIP_LEVEL) -> bytes:
    """Pack artifacts into a gzip-compressed tar archive, the ``model.tar.gz`` SageMaker downloads.

    `files` maps a file name (``"model.pkl"``, ``"model.onnx"``) to its content: bytes, an ONNX model,
    or any picklable object (stored as its pickle). The archive is reproducible byte for byte: every
    member has time 0, owner 0 and mode 0644, and the gzip header carries no time or name, so the same
    artifact always packs to the same size.
    """
    if not files:
        raise ValueError("files is empty; pass {'model.pkl': model, ...} with at least one file")
    if not 1 <= compresslevel <= 9:
        raise ValueError(f"compresslevel must be between 1 and 9 (gzip's levels), got {compresslevel}")
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in files.items():
            if not isinstance(name, str) or not name or name.startswith("/") or ".." in name.split("/"):
                raise ValueError(f"file names must be relative paths inside the archive, got {name!r}")
            data = _artifact_bytes(content)
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(archive.getvalue(), compresslevel=compresslevel, mtime=0)


def shipped_size(obj: Any, filename: str = "model.pkl") -> int:
    """Bytes of the ``model.tar.gz`` that holds `obj` as `filename`: the size SageMaker downloads."""
    return len(model_tar_gz({filename: obj}))


def throughput_quartiles(
    predict: Callable[[Any], Any], batch: Any, repeats: int = 15, warmup: int = 2
) -> dict[str, float]:
    """Rows per second of `predict(batch)` over `repeats` timed calls: median and interquartile range.

    Returns ``{"rows_per_s_q1": ..., "rows_per_s_median": ..., "rows_per_s_q3": ...}``, where q1 comes
    from the slower calls. Report the spread with the median: a single call says little on a busy machine.
    """
    if not callable(predict):
        raise TypeError(f"predict must be callable, got {type(predict).__name__}.")
    if repeats < MIN_TIMING_REPEATS:
        raise ValueError(f"repeats must be at least {MIN_TIMING_REPEATS} to show a spread, got {repeats}.")
    if warmup < 0:
        raise ValueError(f"warmup must be zero or more calls, got {warmup}.")
    rows = len(batch)
    if rows == 0:
        raise ValueError("batch is empty: throughput needs at least one row.")
    slow, middle, fast = np.percentile(_call_durations(predict, batch, repeats, warmup), [75, 50, 25])
    return {"rows_per_s_q1": rows / slow, "rows_per_s_median": rows / middle, "rows_per_s_q3": rows / fast}


def _resampled_counts(labels: np.ndarray, n_resamples: int, seed: int) -> tuple[np.ndarray, ...]:
    """How many times each positive and each negative row is drawn in each stratified resample."""
    rng = np.random.default_rng(seed)
    positives, negatives = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    counts = []
    for group in (positives, negatives):  # the draws of labkit.features.bootstrap_roc_auc_difference, in its order
        drawn = rng.choice(len(group), size=(n_resamples, len(group)))
        offsets = drawn + np.arange(n_resamples)[:, None] * len(group)
        counts.append(np.bincount(offsets.ravel(), minlength=n_resamples * len(group)).reshape(n_resamples, -1))
    return positives, negatives, counts[0], counts[1]


def _weighted_aucs(scores: np.ndarray, positives, negatives, positive_counts, negative_counts) -> np.ndarray:
    """ROC AUC of `scores` in each resample, from the draw counts (ties count one half)."""
    order = np.argsort(scores[negatives], kind="stable")
    sorted_negatives = scores[negatives][order]
    below = np.zeros((negative_counts.shape[0], len(negatives) + 1))
    np.cumsum(negative_counts[:, order], axis=1, out=below[:, 1:])
    low = np.searchsorted(sorted_negatives, scores[positives], side="left")
    high = np.searchsorted(sorted_negatives, scores[positives], side="right")
    wins = below[:, low] + 0.5 * (below[:, high] - below[:, low])
    return (positive_counts * wins).sum(axis=1) / (len(positives) * len(negatives))


def bootstrap_auc_differences(
    y_true: Sequence[int] | np.ndarray,
    candidates: Mapping[str, Sequence[float] | np.ndarray],
    reference_scores: Sequence[float] | np.ndarray,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Difference]:
    """Each candidate's ROC AUC minus the reference's on the same rows, with a paired bootstrap interval.

    The resamples are those of `labkit.features.bootstrap_roc_auc_difference` (positives and negatives
    drawn separately, with replacement, so each resample keeps the class counts), and so are the results;
    this version counts the draws instead of ranking every resample, so that the intervals of many
    variants cost little, and all candidates share the same resamples.
    """
    labels = np.asarray(y_true)
    if labels.ndim != 1 or not np.isin(labels, (0, 1)).all():
        raise ValueError("y_true must be a 1-D sequence of 0 and 1 labels")
    if len(np.unique(labels)) < 2:
        raise ValueError("y_true needs both classes to compute an AUC")
    if not candidates:
        raise ValueError("candidates is empty; pass {'name': scores, ...}")
    if n_resamples < MIN_RESAMPLES:
        raise ValueError(f"n_resamples must be at least {MIN_RESAMPLES} for a stable interval, got {n_resamples}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (for example 0.95), got {confidence}")
    columns = {}
    for name, values in {**candidates, "reference_scores": reference_scores}.items():
        array = np.asarray(values, dtype="float64")
        if array.shape != labels.shape or not np.isfinite(array).all():
            raise ValueError(f"{name} must hold one finite score per label ({len(labels)}), got shape {array.shape}")
        columns[name] = array
    resamples = _resampled_counts(labels, n_resamples, seed)
    reference = columns.pop("reference_scores")
    reference_aucs = _weighted_aucs(reference, *resamples)
    full = (resamples[0], resamples[1], np.ones((1, len(resamples[0]))), np.ones((1, len(resamples[1]))))
    reference_auc = float(_weighted_aucs(reference, *full)[0])  # every row once: the AUC on all rows
    results = {}
    for name, scores in columns.items():
        differences = _weighted_aucs(scores, *resamples) - reference_aucs
        low, high = np.quantile(differences, [(1 - confidence) / 2, (1 + confidence) / 2])
        mean = float(_weighted_aucs(scores, *full)[0]) - reference_auc
        results[name] = Difference(mean, float(low), float(high), confidence, "paired bootstrap")
    return results
