"""Lab 09's conclusions survive other seeds (CONTRIBUTING.md, "Measurements that mean what they say").

The lab runs with seed 0. This file rebuilds its experiment with seeds 1 and 2: another split of the
loans into training rows and replayed traffic, other models, another history of v1's answers, other
simulated releases. It uses the lab's saved code (`m_of_n_alarm` and `false_rollback_chance`, shown in
the lab in `#@save labkit.rollout` cells) and `labkit.rollout`'s simulator, and checks what the lab's
Summary concludes:

- the broken v2 ranks risk at least as well as v1 outside the faulty state and declines nearly every
  loan inside it;
- a threshold derived from v1's history alone (1 % false-rollback budget) lies between a healthy
  minute's decline rate and the broken model's, and a 1-of-5 alarm needs a higher one;
- every strategy rolls the broken v2 back in (nearly) every release, and the canary exposes far fewer
  requests than all at once; a good v2 is (nearly) never rolled back;
- in a shadow test no caller receives v2's answer, and the agreement with v1 collapses in the state.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from labkit.datasets import load_dataset
from labkit.rollout import (
    ROLLED_BACK,
    AlarmRule,
    false_rollback_chance,
    plan_deployment,
    replay_traffic,
    shadow_test,
    simulate_rollout,
)
from labkit.yourturn.lab09 import lowest_threshold

SEEDS = (1, 2)
SLICE_STATE = "CA"
DECLINE_AT = 0.10
REQUESTS_PER_MINUTE, CANARY_ANSWERS = 600, 60
BUDGET, BAKE_MINUTES, M, N = 0.01, 25, 3, 5
RELEASES = 40
CATEGORICAL = ["term", "sub_grade", "addr_state", "verification_status", "emp_length"]
ROUTING = {
    "all at once": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 600},
    "canary": {"Type": "CANARY", "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10}, "WaitIntervalInSeconds": 600},
    "linear": {"Type": "LINEAR", "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 20},
               "WaitIntervalInSeconds": 300},
}


def _credit_model(numeric: list[str]):
    prepare = ColumnTransformer([("numbers", StandardScaler(), numeric),
                                 ("categories", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)])
    return make_pipeline(prepare, LogisticRegression(C=0.1, max_iter=2000))


@cache
def _experiment(seed: int) -> dict:
    """The lab's experiment, end to end, with `seed` in place of 0."""
    rng = np.random.default_rng(seed)
    loans = load_dataset("lending_club")
    went_bad = (loans["Class"] == "bad").to_numpy().astype(int)
    features = loans.drop(columns="Class")
    numeric = [column for column in features.columns if column not in CATEGORICAL]
    X_train, X_test, y_train, y_test = train_test_split(features, went_bad, test_size=0.5, stratify=went_bad,
                                                        random_state=seed)
    first_half = len(X_train) // 2
    broken_labels = np.where((X_train["addr_state"] == SLICE_STATE).to_numpy(), 1, y_train)
    models = {
        "v1": _credit_model(numeric).fit(X_train.iloc[:first_half], y_train[:first_half]),
        "v2 good": _credit_model(numeric).fit(X_train, y_train),
        "v2 bad": _credit_model(numeric).fit(X_train, broken_labels),
    }
    scores = {name: model.predict_proba(X_test)[:, 1] for name, model in models.items()}
    declined = {name: score >= DECLINE_AT for name, score in scores.items()}
    wrong = {name: decision != y_test.astype(bool) for name, decision in declined.items()}
    in_slice = (X_test["addr_state"] == SLICE_STATE).to_numpy()

    history = X_train.iloc[first_half:]
    history_declined = models["v1"].predict_proba(history)[:, 1] >= DECLINE_AT
    minutes = replay_traffic(len(history), 2000, CANARY_ANSWERS, rng)
    healthy_rates = np.array([history_declined[rows].mean() for rows in minutes])
    candidates = np.round(np.arange(0.15, 0.35, 0.01), 2)
    threshold = float(min(t for t in candidates
                          if false_rollback_chance(healthy_rates, t, M, N, BAKE_MINUTES, rng) <= BUDGET))
    alarm = AlarmRule.from_cloudwatch({
        "AlarmName": "mla-course-decline-rate", "MetricName": "Declined", "Period": 60, "EvaluationPeriods": N,
        "DatapointsToAlarm": M, "Threshold": threshold, "ComparisonOperator": "GreaterThanThreshold",
    })
    plans = {
        strategy: plan_deployment({
            "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing, "TerminationWaitInSeconds": 300,
                                      "MaximumExecutionTimeoutInSeconds": 3600},
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": alarm.name}]},
        })
        for strategy, routing in ROUTING.items()
    }
    records = []
    for _ in range(RELEASES):
        traffic = replay_traffic(len(X_test), 30, REQUESTS_PER_MINUTE, rng)
        router_seed = int(rng.integers(2**31))
        for version in ("v2 bad", "v2 good"):
            for strategy, plan in plans.items():
                result = simulate_rollout(
                    plan, {alarm.name: alarm}, traffic,
                    lambda rows, version=version: {"Declined": float(declined[version][rows].mean())},
                    np.random.default_rng(router_seed),
                )
                records.append({"version": version, "strategy": strategy, "served": result.green_requests,
                                "rolled back": result.outcome == ROLLED_BACK})

    shadow = shadow_test(replay_traffic(len(X_test), 20, REQUESTS_PER_MINUTE, rng), 50, rng,
                         production=lambda rows: declined["v1"][rows], shadow=lambda rows: declined["v2 bad"][rows])
    requests = shadow.request_rows
    differ = declined["v2 bad"][requests] != declined["v1"][requests]
    agree = shadow.shadow_log == declined["v1"][shadow.shadow_rows]
    copy_in_slice = in_slice[shadow.shadow_rows]
    return {
        "auc_outside": {name: roc_auc_score(y_test[~in_slice], score[~in_slice]) for name, score in scores.items()},
        "declined_in_slice": {name: decision[in_slice].mean() for name, decision in declined.items()},
        "wrong_in_slice": {name: mistakes[in_slice].mean() for name, mistakes in wrong.items()},
        "decline_rate": {name: decision.mean() for name, decision in declined.items()},
        "healthy_rates": healthy_rates,
        "threshold": threshold,
        "runs": pd.DataFrame.from_records(records),
        "differ": int(differ.sum()),
        "reached_callers": int((shadow.responses[differ] == declined["v2 bad"][requests][differ]).sum()),
        "wrong_received": int((shadow.responses != y_test[requests].astype(bool)).sum()),
        "wrong_v1_alone": int(wrong["v1"][requests].sum()),
        "agree_inside": agree[copy_in_slice].mean(),
        "agree_outside": agree[~copy_in_slice].mean(),
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_the_broken_v2_ranks_well_outside_the_state_and_declines_it(seed):
    lab = _experiment(seed)
    assert lab["auc_outside"]["v2 bad"] > lab["auc_outside"]["v1"]
    assert lab["declined_in_slice"]["v2 bad"] > 0.95 and lab["wrong_in_slice"]["v2 bad"] > 0.8
    assert lab["wrong_in_slice"]["v1"] < 0.25


@pytest.mark.parametrize("seed", SEEDS)
def test_a_threshold_from_the_healthy_history_separates_healthy_and_broken(seed):
    lab = _experiment(seed)
    assert lab["healthy_rates"].mean() < lab["threshold"] < lab["decline_rate"]["v2 bad"]
    one_of_five = lowest_threshold(lab["healthy_rates"], 1, N, BAKE_MINUTES, BUDGET)
    assert one_of_five > lowest_threshold(lab["healthy_rates"], M, N, BAKE_MINUTES, BUDGET)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_strategy_catches_the_broken_v2_and_the_canary_exposes_least(seed):
    runs = _experiment(seed)["runs"]
    rolled_back = runs.groupby(["version", "strategy"])["rolled back"].mean()
    assert (rolled_back["v2 bad"] >= 0.95).all()
    assert (rolled_back["v2 good"] <= 0.05).all()
    served = runs[runs["version"] == "v2 bad"].groupby("strategy")["served"]
    assert served.quantile(0.95)["canary"] < served.quantile(0.05)["all at once"]
    assert served.median()["canary"] < served.median()["linear"] < served.median()["all at once"]
    assert served.median()["canary"] < served.median()["all at once"] / 4


@pytest.mark.parametrize("seed", SEEDS)
def test_the_shadow_never_answers_a_caller_and_its_log_exposes_the_bug(seed):
    lab = _experiment(seed)
    assert lab["differ"] > 100 and lab["reached_callers"] == 0
    assert lab["wrong_received"] == lab["wrong_v1_alone"]
    assert lab["agree_inside"] < 0.2 < 0.9 < lab["agree_outside"]
