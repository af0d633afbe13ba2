"""Every numeric worked example in the chapters, recomputed with the library the labs use.

A worked example opens with a MyST comment block (invisible on the site and in the PDF):

    % worked-example: posttraining-bias
    % inputs: {a: {tp: 50, fp: 10, fn: 10, tn: 30}, d: {tp: 15, fp: 5, fn: 10, tn: 20}}
    % shows: {TE: "TE $= 10/5 - 10/10 = 2.0 - 1.0 = 1.0$"}

`inputs` are the example's givens; each entry of `shows` is a piece of the example's text, which
must appear in the example (from the block to the next heading or block), and whose last number
must equal the value recomputed here (smclarify for bias, scikit-learn for confusion-matrix metrics
and scaling, labkit.costs, labkit.rollout and labkit.drift for cost, Spot, deployment and drift), to
the precision it is written with. An inverted formula, a changed input or a mistyped result fails.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from labkit import costs, drift, rollout
from tests.conftest import REPO_ROOT

MARKER = re.compile(r"^% worked-example: ([a-z0-9-]+)\s*$")
HEADING = re.compile(r"^#{1,6}\s")
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
APPROXIMATE = ("about", "roughly", "≈", "\\approx", "over ")
MIB_IN_MB = 1.048576
CHAPTERS = sorted((REPO_ROOT / "book").glob("domain*/task-*.md"))


@dataclass
class Example:
    path: Path
    line: int
    kind: str
    inputs: dict
    shows: dict
    body: str


def find_examples(path: Path, text: str | None = None) -> list[Example]:
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    found = []
    for index, line in enumerate(lines):
        match = MARKER.match(line)
        if not match:
            continue
        block, end = [], index + 1
        while end < len(lines) and lines[end].startswith("%") and not MARKER.match(lines[end]):
            block.append(lines[end][2:] if lines[end].startswith("% ") else lines[end][1:])
            end += 1
        data = yaml.safe_load("\n".join(block)) or {}
        stop = end
        while stop < len(lines) and not HEADING.match(lines[stop]) and not MARKER.match(lines[stop]):
            stop += 1
        body = "\n".join(lines[end:stop])
        found.append(Example(path, index + 1, match.group(1), data.get("inputs", {}), data.get("shows", {}), body))
    return found


def shown_number(text: str) -> tuple[float, float]:
    """The last number of a piece of text and the tolerance its precision (and wording) allows."""
    cleaned = text.replace("{,}", ",").replace("−", "-")
    tokens = NUMBER.findall(cleaned)
    if not tokens:
        raise AssertionError(f"no number in {text!r}")
    token = tokens[-1]
    decimals = len(token.split(".")[1]) if "." in token else 0
    value = float(token.replace(",", ""))
    tolerance = 0.5 * 10**-decimals + 1e-9
    if any(word in text for word in APPROXIMATE):
        tolerance = max(tolerance, 0.02 * abs(value))
    return value, tolerance


def _numbers_file() -> dict[str, object]:
    raw = yaml.safe_load((REPO_ROOT / "book/reference/numbers.yml").read_text(encoding="utf-8"))
    return {entry["id"]: entry["value"] for entry in raw["numbers"]}


# ------------------------------------------------------------------ the computations, one per kind


def _confusion(i: dict) -> dict:
    from sklearn import metrics

    y_true = np.array([1] * (i["tp"] + i["fn"]) + [0] * (i["fp"] + i["tn"]))
    y_pred = np.array([1] * i["tp"] + [0] * i["fn"] + [1] * i["fp"] + [0] * i["tn"])
    specificity = metrics.recall_score(y_true, y_pred, pos_label=0)
    return {
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "precision": metrics.precision_score(y_true, y_pred),
        "recall": metrics.recall_score(y_true, y_pred),
        "f1": metrics.f1_score(y_true, y_pred),
        "f2": metrics.fbeta_score(y_true, y_pred, beta=2),
        "f05": metrics.fbeta_score(y_true, y_pred, beta=0.5),
        "specificity": specificity,
        "fpr": 1 - specificity,
        "majority_accuracy": metrics.accuracy_score(y_true, np.zeros_like(y_true)),
    }


def _facet_frame(facets: dict) -> pd.DataFrame:
    """Rows of a binary problem: facet d is the sensitive facet, as in smclarify."""
    rows = []
    for facet, counts in facets.items():
        if "tp" in counts:
            cells = [(True, True, counts["tp"]), (False, True, counts["fp"]), (True, False, counts["fn"]),
                     (False, False, counts["tn"])]
        else:
            cells = [(True, True, counts["positive"]), (False, False, counts["n"] - counts["positive"])]
        for label, predicted, count in cells:
            rows += [(facet == "d", label, predicted)] * count
    frame = pd.DataFrame(rows, columns=["facet_d", "label", "predicted"]).astype(bool)
    frame["feature"] = 0.0
    return frame


def _posttraining(i: dict) -> dict:
    post = pytest.importorskip("smclarify.bias.metrics.posttraining")
    f = _facet_frame(i)
    args = (f["feature"], f["facet_d"], f["label"], f["predicted"])
    return {
        "DPPL": post.DPPL(f["feature"], f["facet_d"], f["predicted"]),
        "DI": post.DI(f["feature"], f["facet_d"], f["predicted"]),
        "RD": post.RD(*args),
        "AD": post.AD(*args),
        "TE": post.TE(*args),
        "DCAcc": post.DCA(*args),
    }


def _pretraining(i: dict) -> dict:
    pre = pytest.importorskip("smclarify.bias.metrics.pretraining")
    f = _facet_frame(i)
    return {
        "CI": pre.CI(f["feature"], f["facet_d"]),
        "DPL": pre.DPL(f["feature"], f["facet_d"], f["label"]),
        **{name: getattr(pre, name)(f["label"], f["facet_d"]) for name in ("KL", "JS", "LP", "TVD", "KS")},
    }


def _cddl(i: dict) -> dict:
    pre = pytest.importorskip("smclarify.bias.metrics.pretraining")
    frames = []
    for group, facets in i["groups"].items():
        frame = _facet_frame(facets)
        frame["group"] = group
        frames.append(frame)
    f = pd.concat(frames, ignore_index=True)
    return {"CDDL": pre.CDDL(f["feature"], f["facet_d"], f["label"], f["group"])}


def _kinesis(i: dict) -> dict:
    limits = _numbers_file()
    write_mb = i["events_per_s"] * i["kb_per_event"] / 1000
    byte_shards = math.ceil(write_mb / limits["kds-shard-write-bytes"])
    record_shards = math.ceil(i["events_per_s"] / limits["kds-shard-write-records"])
    shards = max(byte_shards, record_shards)
    return {
        "write_mb_s": write_mb,
        "byte_shards": byte_shards,
        "record_shards": record_shards,
        "shards": shards,
        "read_mb_s": i["readers"] * write_mb,
        "read_capacity": shards * limits["kds-shard-read"],
    }


def _firehose(i: dict) -> dict:
    default_mb = _numbers_file()["firehose-buffer-size"] * MIB_IN_MB
    largest_mb = 128 * MIB_IN_MB  # BufferingHints SizeInMBs maximum, taught in t1-1-aws
    return {
        "default_fill_s": default_mb / i["mb_per_s"],
        "default_objects_per_hour": 3600 / (default_mb / i["mb_per_s"]),
        "large_fill_s": largest_mb / i["mb_per_s"],
        "large_objects_per_hour": 3600 / (largest_mb / i["mb_per_s"]),
        "slow_fill_minutes": largest_mb / i["slow_mb_per_s"] / 60,
    }


def _transforms(i: dict) -> dict:
    from sklearn.preprocessing import MinMaxScaler, StandardScaler, normalize

    x = np.array(i["x"], dtype=float).reshape(-1, 1)
    standard = StandardScaler().fit(x)
    return {
        "minmax": list(MinMaxScaler().fit_transform(x).ravel()),
        "mean": float(standard.mean_[0]),
        "std": float(standard.scale_[0]),
        "z": list(standard.transform(x).ravel()),
        "log10": list(np.log10(x).ravel()),
        "unit_norm": list(normalize(np.array([i["row"]], dtype=float)).ravel()),
    }


def _request_units(i: dict) -> dict:
    sizes = _numbers_file()
    wru_kb, rru_kb = sizes["feature-store-wru"], sizes["feature-store-rru"]
    return {
        "wru": math.ceil(i["record_kb"] / wru_kb),
        "rru": i["reads"] * math.ceil(i["record_kb"] / rru_kb),
        "wide_wru": math.ceil(i["wide_record_kb"] / wru_kb),
        "wide_rru": math.ceil(i["wide_record_kb"] / rru_kb),
    }


def _working_hours(i: dict) -> dict:
    busy = [i["instances"]] * i["busy_hours_per_day"] + [0] * (24 - i["busy_hours_per_day"])
    share = costs.realtime_cost(busy, 1.0, 1) / costs.realtime_cost([i["instances"]] * 24, 1.0, 1)
    return {"share": 100 * share}


def _batch_vs_endpoint(i: dict) -> dict:
    per_instance_hour = i["records"] / (i["instances"] * i["job_hours"])
    night = costs.batch_transform_cost(i["records"], per_instance_hour, i["instances"], 1.0)
    endpoint = costs.realtime_cost([i["instances"]] * 24, 1.0, i["nights"])
    return {
        "batch_night": night,
        "batch_month": night * i["nights"],
        "endpoint_month": endpoint,
        "ratio": endpoint / (night * i["nights"]),
    }


def _target_tracking(i: dict) -> dict:
    target = i["max_rps"] * i["safety_factor"] * 60
    per_hour = target * 60

    def instances(rps: float) -> int:
        return int(costs.autoscaling_schedule([rps * 3600] * 24, per_hour, min_instances=1)[0])

    result = {
        "target_per_minute": target,
        "peak_per_minute": i["peak_rps"] * 60,
        "peak_instances": instances(i["peak_rps"]),
        "peak_rps_per_instance": i["peak_rps"] / instances(i["peak_rps"]),
    }
    if "night_rps" in i:
        result["night_instances"] = instances(i["night_rps"])
    return result


def _spot(i: dict) -> dict:
    run = costs.SpotRun("Completed", i["training_time_s"], i["billable_time_s"], i["training_time_s"], 0, 0.0)
    return {"savings_percent": 100 * run.reported_savings}


def _purchasing(i: dict) -> dict:
    days = i["days"]
    endpoint = costs.realtime_cost([i["endpoint_instances"]] * 24, 1.0, days)
    training = costs.on_demand_training_cost(i["training_hours_per_night"] * 3600, 1, 1.0) * days
    saving = costs.SpotRun("Completed", i["training_time_s"], i["billable_time_s"], 0, 0, 0.0).reported_savings
    spot_training = training * (1 - saving)
    fraction = i["savings_plan_fraction"]
    plan = costs.savings_plan_cost(
        [i["endpoint_instances"]] * (24 * days), i["endpoint_instances"] * fraction, 1 - fraction
    ).cost
    return {
        "endpoint": endpoint,
        "training": training,
        "on_demand_total": endpoint + training,
        "spot_saving": 100 * saving,
        "spot_training": spot_training,
        "spot_total": endpoint + spot_training,
        "plan_endpoint": plan,
        "plan_total": plan + spot_training,
    }


def _guardrails(i: dict) -> dict:
    def plan(routing: dict, termination: int = 0) -> rollout.DeploymentPlan:
        policy = {"TrafficRoutingConfiguration": routing, "TerminationWaitInSeconds": termination}
        config = {
            "BlueGreenUpdatePolicy": policy,
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "mla-course-errors"}]},
        }
        return rollout.plan_deployment(config, instance_count=i["instances"])

    canary = plan({"Type": "CANARY", "CanarySize": {"Type": "INSTANCE_COUNT", "Value": i["canary_instances"]},
                   "WaitIntervalInSeconds": i["canary_wait_s"]})
    linear = plan({"Type": "LINEAR", "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": i["linear_percent"]},
                   "WaitIntervalInSeconds": i["linear_wait_s"]}, i["termination_wait_s"])
    peak = i["instances"] + i["rolling_batch_instances"]
    return {
        "canary_minutes": canary.bake_minutes,
        "linear_steps": len(linear.phases),
        "linear_minutes": linear.bake_minutes,
        "minimum_timeout_s": (linear.bake_minutes + linear.termination_wait_minutes) * 60,
        "rolling_peak_instances": peak,
        "rolling_saving_percent": 100 * (1 - peak / (2 * i["instances"])),
    }


def _psi(i: dict) -> dict:
    return {"psi": drift.psi_from_shares(i["expected"], i["actual"])}


def _ks(i: dict) -> dict:
    def sample(shares: list[float]) -> np.ndarray:
        return np.repeat(np.arange(1, len(shares) + 1, dtype=float), np.round(np.array(shares) * 1000).astype(int))

    return {"ks": drift.ks_statistic(sample(i["expected"]), sample(i["actual"]))}


def _ab_test(i: dict) -> dict:
    weights = np.array(i["weights"], dtype=float)
    shares = weights / weights.sum()
    n = shares * i["requests_per_day"] * i["days"]
    conversions = np.array(i["conversions"], dtype=float)
    rates = conversions / n
    pooled = conversions.sum() / n.sum()
    se = math.sqrt(pooled * (1 - pooled) * (1 / n[0] + 1 / n[1]))
    return {
        "challenger_share": 100 * shares[1],
        "challenger_per_day": shares[1] * i["requests_per_day"],
        "champion_rate": 100 * rates[0],
        "challenger_rate": 100 * rates[1],
        "pooled": pooled,
        "standard_error": se,
        "z": (rates[1] - rates[0]) / se,
    }


def _latency(i: dict) -> dict:
    total_us = i["model_latency_us"] + i["overhead_latency_us"]
    return {
        "total_ms": total_us / 1000,
        "overhead_percent": 100 * i["overhead_latency_us"] / total_us,
        "cpu_share_percent": i["cpu_percent"] / i["vcpus"],
        "rps_per_instance": i["invocations_per_instance"] / i["period_s"],
    }


def _shadow_reading(i: dict) -> dict:
    production, shadow = i["production"], i["shadow"]
    shadow_requests = production["requests"] * i["sampling_percent"] / 100  # the shadow gets a copy of the sample
    return {
        "shadow_requests": shadow_requests,
        "production_error_percent": 100 * production["errors"] / production["requests"],
        "shadow_error_percent": 100 * shadow["errors"] / shadow_requests,
        "accuracy_gain": shadow["accuracy"] - production["accuracy"],
    }


def _multi_model_traffic(i: dict) -> dict:
    per_day = i["models"] * i["calls_per_model_per_day"]
    return {
        "instances_one_endpoint_each": i["models"] * i["min_instances_per_endpoint"],
        "calls_per_day": per_day,
        "calls_per_second": per_day / 86_400,
    }


def _recommender_choice(i: dict) -> dict:
    """The cheapest candidate within the latency target, as a share of the reference candidate's cost."""
    fits = {name: c for name, c in i["candidates"].items() if c["latency_ms"] < i["target_p99_ms"]}
    chosen = min(fits.values(), key=lambda c: c["cost_per_1000"])
    reference = i["candidates"][i["reference"]]
    return {"chosen_cost_share_percent": 100 * chosen["cost_per_1000"] / reference["cost_per_1000"]}


def _bias_drift(i: dict) -> dict:
    """Bias drift compares distances from 0: a live value further from 0 than the baseline is a violation."""
    return {"distance_from_zero": [abs(value) for value in i["live"]]}


def _outliers(i: dict) -> dict:
    values = np.array(i["values"], dtype=float)
    q1, q3 = np.percentile(values, [25, 75])  # linear interpolation, as the page says
    iqr = q3 - q1
    mean, std = values.mean(), values.std(ddof=0)
    return {"q1": q1, "q3": q3, "iqr": iqr, "lower_fence": q1 - i["iqr_k"] * iqr,
            "upper_fence": q3 + i["iqr_k"] * iqr, "mean": mean, "std": std, "z_max": (values.max() - mean) / std}


def _imputation(i: dict) -> dict:
    from sklearn.impute import SimpleImputer

    column = np.array([[np.nan if v is None else v] for v in i["values"]], dtype=float)
    return {strategy + "_fill": SimpleImputer(strategy=strategy).fit(column).statistics_[0]
            for strategy in ("mean", "median")}


def _binary_encoding(i: dict) -> dict:
    columns = math.ceil(math.log2(i["categories"]))
    return {"columns": columns, "one_hot_columns": i["categories"],
            "codes": [int(format(code, f"0{columns}b")) for code in i["examples"]]}


def _labeling(i: dict) -> dict:
    return {"human_tasks": i["items"] * i["workers_per_item"]}


def _class_imbalance(i: dict) -> dict:
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.array([0] * i["majority"] + [1] * i["minority"])
    w0, w1 = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels)
    x, neighbour = np.array(i["smote"]["x"], dtype=float), np.array(i["smote"]["neighbour"], dtype=float)
    return {
        "duplicates": i["majority"] - i["minority"],
        "oversampled_rows": 2 * i["majority"],
        "undersampled_rows": 2 * i["minority"],
        "smote_point": list(x + i["smote"]["lam"] * (neighbour - x)),
        "weight_majority": w0, "weight_minority": w1, "weight_ratio": w1 / w0,
    }


def _split_counts(i: dict) -> dict:
    """Stratified 3-way split with scikit-learn, as the labs do it."""
    from sklearn.model_selection import train_test_split

    rows = i["rows"]
    labels = np.zeros(rows, dtype=int)
    labels[: round(rows * i["positive_rate"])] = 1
    train_share, validation_share, _ = i["shares"]
    train, rest = train_test_split(labels, train_size=round(rows * train_share), stratify=labels, random_state=0)
    validation, test = train_test_split(rest, train_size=round(rows * validation_share), stratify=rest, random_state=0)
    return {"train_rows": len(train), "holdout_rows": len(test), "train_positives": int(train.sum()),
            "holdout_positives": [int(validation.sum()), int(test.sum())], "validation_rows": len(validation)}


def _positives_per_split(i: dict) -> dict:
    positives = i["rows"] * i["positive_rate"]
    test_positives = positives * i["shares"][2]
    return {"positives": positives, "train_positives": positives * i["shares"][0],
            "test_positives": test_positives, "recall_step_points": 100 / test_positives}


def _shards(i: dict) -> dict:
    return {"files_per_instance": i["shard_files"][0] / i["instances"]}


def _instance_hours(i: dict) -> dict:
    r = i["retrain"]
    return {"month_hours": i["hours_per_day"] * i["days"], "retrain_hours": r["instances"] * r["hours"] * r["per_year"]}


def _steps(i: dict) -> dict:
    full, last = divmod(i["rows"], i["batch"])
    steps = full + (1 if last else 0)
    return {"ratio": i["rows"] / i["batch"], "full_batch_rows": full * i["batch"], "last_batch": last,
            "steps": steps, "steps_dropping_last": full, "updates": i["epochs"] * steps,
            "global_batch": i["gpus"] * i["per_gpu_batch"]}


def _memory(i: dict) -> dict:
    return {f"{kind}_gb": i["parameters"] * size / 1e9 for kind, size in i["bytes"].items()}


def _regularization(i: dict) -> dict:
    w = np.array(i["weights"], dtype=float)
    return {
        "sum_squares": float((w**2).sum()), "l2_penalty": i["lam"] / 2 * float((w**2).sum()),
        "sum_abs": float(np.abs(w).sum()), "l1_penalty": i["lam"] * float(np.abs(w).sum()),
        "decayed_weight": (1 - i["eta"] * i["lam"]) * w[-1] - i["eta"] * i["gradient"],
        "dropout_scale": 1 / (1 - i["dropout"]),
    }


def _tuning_waves(i: dict) -> dict:
    jobs = math.prod(i["grid"].values())
    return {"grid_jobs": jobs, "grid_waves": math.ceil(jobs / i["grid_parallel"]),
            "random_waves": math.ceil(i["random_jobs"] / i["random_parallel"]),
            "bayes_waves_low": math.ceil(i["random_jobs"] / i["bayes_parallel_low"])}


def _majority_vote(i: dict) -> dict:
    from scipy.stats import binom

    p, n = i["accuracy"], i["voters"]
    need = n // 2 + 1
    return {"all_right": binom.pmf(n, n, p), "two_right": binom.pmf(need, n, p) if need < n else 0.0,
            "vote_accuracy": binom.sf(need - 1, n, p)}


def _roc_pairs(i: dict) -> dict:
    from sklearn.metrics import roc_auc_score

    pos, neg = i["positives"], i["negatives"]
    wins = sum(p > n for p in pos for n in neg)
    auc = roc_auc_score([1] * len(pos) + [0] * len(neg), pos + neg)
    return {"pairs": len(pos) * len(neg), "wins": wins, "auc": auc}


def _regression_metrics(i: dict) -> dict:
    from sklearn import metrics

    y, p = np.array(i["actual"], dtype=float), np.array(i["predicted"], dtype=float)
    mse = metrics.mean_squared_error(y, p)
    return {"mae": metrics.mean_absolute_error(y, p), "sse": mse * len(y), "mse": mse, "rmse": math.sqrt(mse),
            "mape": 100 * metrics.mean_absolute_percentage_error(y, p), "mean": y.mean(),
            "sst": float(((y - y.mean()) ** 2).sum()), "r2": metrics.r2_score(y, p)}


def _early_stopping(i: dict) -> dict:
    losses = i["validation"]
    best, waited = 0, 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best]:
            best, waited = epoch, 0
        else:
            waited += 1
            if waited == i["patience"]:
                return {"best_epoch": best + 1, "best_loss": losses[best], "stop_epoch": epoch + 1}
    return {"best_epoch": best + 1, "best_loss": losses[best], "stop_epoch": len(losses)}


def _shap_additivity(i: dict) -> dict:
    return {"prediction": i["base"] + sum(i["contributions"])}


COMPUTE = {
    "outlier-rules": _outliers,
    "imputation": _imputation,
    "binary-encoding": _binary_encoding,
    "labeling-tasks": _labeling,
    "class-imbalance": _class_imbalance,
    "stratified-split": _split_counts,
    "positives-per-split": _positives_per_split,
    "shards-per-instance": _shards,
    "instance-hours": _instance_hours,
    "steps-per-epoch": _steps,
    "model-memory": _memory,
    "regularization": _regularization,
    "tuning-waves": _tuning_waves,
    "majority-vote": _majority_vote,
    "roc-auc-pairs": _roc_pairs,
    "regression-metrics": _regression_metrics,
    "early-stopping": _early_stopping,
    "shap-additivity": _shap_additivity,
    "shadow-test-reading": _shadow_reading,
    "multi-model-traffic": _multi_model_traffic,
    "recommender-choice": _recommender_choice,
    "bias-drift-check": _bias_drift,
    "confusion-matrix": _confusion,
    "posttraining-bias": _posttraining,
    "pretraining-bias": _pretraining,
    "cddl": _cddl,
    "kinesis-sizing": _kinesis,
    "firehose-buffer": _firehose,
    "scaling-transforms": _transforms,
    "request-units": _request_units,
    "working-hours-share": _working_hours,
    "batch-vs-endpoint": _batch_vs_endpoint,
    "target-tracking": _target_tracking,
    "spot-savings": _spot,
    "purchasing-options": _purchasing,
    "guardrail-timing": _guardrails,
    "psi": _psi,
    "ks-from-bins": _ks,
    "ab-test": _ab_test,
    "latency-reading": _latency,
}


def check_example(example: Example) -> list[str]:
    where = f"{example.path.relative_to(REPO_ROOT) if example.path.is_absolute() else example.path}:{example.line}"
    if example.kind not in COMPUTE:
        return [f"{where}: unknown worked-example kind {example.kind!r}; known: {', '.join(sorted(COMPUTE))}"]
    computed = COMPUTE[example.kind](example.inputs)
    body = " ".join(example.body.split())
    problems = []
    for key, shown in example.shows.items():
        if key not in computed:
            problems.append(f"{where}: {example.kind} computes no {key!r}; it computes {', '.join(computed)}")
            continue
        pieces = shown if isinstance(shown, list) else [shown]
        values = computed[key] if isinstance(computed[key], list) else [computed[key]]
        if len(pieces) != len(values):
            problems.append(f"{where}: {key}: the page shows {len(pieces)} values, the computation gives {len(values)}")
            continue
        for piece, value in zip(pieces, values, strict=True):
            if " ".join(str(piece).split()) not in body:
                problems.append(f"{where}: {key}: {piece!r} is not in the example's text")
                continue
            number, tolerance = shown_number(str(piece))
            if abs(number - float(value)) > tolerance:
                problems.append(f"{where}: {key}: the page says {number:g} ({piece!r}), computed {float(value):.6g}")
    return problems


ALL_EXAMPLES = [example for path in CHAPTERS for example in find_examples(path)]


# Worked examples that reason without arithmetic a library could check (a plan, an IAM decision).
NOT_NUMERIC = (
    "Worked example of a join plan",
    'Worked example: a rolling "purchases in the last 10 minutes" feature',
    "Worked example: trees versus learning rate",
    "Worked example: three policies, four requests",
    "Worked example: why did the private training job hang?",
)


def test_every_worked_example_is_marked_or_known_to_hold_no_arithmetic():
    unmarked = []
    for path in CHAPTERS:
        lines = path.read_text(encoding="utf-8").splitlines()
        markers = [n for n, line in enumerate(lines) if MARKER.match(line)]
        for n, line in enumerate(lines):
            if "Worked example" in line and not any(abs(m - n) <= 8 for m in markers):
                if not any(name in line for name in NOT_NUMERIC):
                    unmarked.append(f"{path.relative_to(REPO_ROOT)}:{n + 1}: {line.strip()[:80]}")
    assert not unmarked, "mark these worked examples (CONTRIBUTING.md, 'Worked examples'):\n" + "\n".join(unmarked)


def test_the_chapters_mark_their_worked_examples():
    kinds = {example.kind for example in ALL_EXAMPLES}
    assert len(ALL_EXAMPLES) >= 20, [e.kind for e in ALL_EXAMPLES]
    for required in ("confusion-matrix", "posttraining-bias", "pretraining-bias", "target-tracking", "spot-savings",
                     "purchasing-options", "kinesis-sizing", "batch-vs-endpoint"):
        assert required in kinds, f"no {required} worked example is marked in the chapters"


@pytest.mark.parametrize(
    "example", ALL_EXAMPLES, ids=[f"{e.path.stem}:{e.line}:{e.kind}" for e in ALL_EXAMPLES]
)
def test_worked_example_agrees_with_the_library(example):
    problems = check_example(example)
    assert not problems, "\n".join(problems)


def test_treatment_equality_is_one_with_smclarify():
    """Issue 22: TE = FN_d/FP_d - FN_a/FP_a, which is 1.0 on the Task 2.3 table."""
    (example,) = [e for e in ALL_EXAMPLES if e.kind == "posttraining-bias"]
    assert _posttraining(example.inputs)["TE"] == pytest.approx(1.0)
    assert shown_number(example.shows["TE"])[0] == 1.0
    assert "\\frac{FN_d}{FP_d} - \\frac{FN_a}{FP_a}" in (REPO_ROOT / "book/domain2/task-2-3.md").read_text()


def test_every_target_tracking_example_uses_the_one_cited_safety_factor():
    factor = _numbers_file()["scaling-safety-factor"]
    examples = [e for e in ALL_EXAMPLES if e.kind == "target-tracking"]
    assert len(examples) >= 2
    for example in examples:
        assert example.inputs["safety_factor"] == factor, f"{example.path.name}:{example.line}"


def _copy_with(path: Path, old: str, new: str) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    assert old in text
    return find_examples(path, text.replace(old, new, 1))


def test_a_changed_input_on_a_copy_fails():
    page = REPO_ROOT / "book/domain2/task-2-3.md"
    changed = _copy_with(page, "d: {tp: 15, fp: 5, fn: 10, tn: 20}", "d: {tp: 15, fp: 5, fn: 12, tn: 18}")
    (example,) = [e for e in changed if e.kind == "posttraining-bias"]
    problems = check_example(example)
    assert any("TE" in p and "computed 1.4" in p for p in problems), problems


def test_a_changed_result_on_a_copy_fails():
    page = REPO_ROOT / "book/domain2/task-2-3.md"
    changed = _copy_with(page, "3. Recall $= 40 / 50 = 0.800$.", "3. Recall $= 40 / 50 = 0.080$.")
    (example,) = [e for e in changed if e.kind == "confusion-matrix"]
    problems = check_example(example)
    assert any("recall" in p and "is not in the example's text" in p for p in problems), problems


def test_an_inverted_formula_fails():
    """The old, inverted treatment-equality value (0.5) is caught."""
    (example,) = [e for e in ALL_EXAMPLES if e.kind == "posttraining-bias"]
    example = Example(example.path, example.line, example.kind, example.inputs,
                      {"TE": "TE $= 10/10 - 5/10 = 1.0 - 0.5 = 0.5$"}, "TE $= 10/10 - 5/10 = 1.0 - 0.5 = 0.5$")
    assert any("the page says 0.5" in p for p in check_example(example))
