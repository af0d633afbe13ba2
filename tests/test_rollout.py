"""labkit.rollout: traffic schedules, CloudWatch-style alarms, automatic rollback and shadow tests."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labkit.rollout import (
    ALARM,
    COMPLETED,
    OK,
    ROLLED_BACK,
    AlarmDefinitionError,
    AlarmRule,
    RolloutConfigError,
    UnknownAlarmError,
    capacity_share,
    false_rollback_chance,
    m_of_n_alarm,
    plan_deployment,
    replay_traffic,
    shadow_test,
    simulate_rollout,
)

ALARM_NAME = "mla-course-test-alarm"


def _config(routing, **policy):
    return {
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing, **policy},
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": ALARM_NAME}]},
    }


def _percent(value):
    return {"Type": "CAPACITY_PERCENT", "Value": value}


def _rule(m=3, n=5, threshold=0.5, comparison="GreaterThanThreshold", missing="notBreaching"):
    return AlarmRule.from_cloudwatch(
        {
            "AlarmName": ALARM_NAME,
            "MetricName": "Metric",
            "Threshold": threshold,
            "ComparisonOperator": comparison,
            "EvaluationPeriods": n,
            "DatapointsToAlarm": m,
            "Period": 60,
            "TreatMissingData": missing,
        }
    )


# ----------------------------------------------------------------------------------------------
# Schedules, against hand-computed shares per minute


def test_all_at_once_sends_everything_for_one_baking_period():
    plan = plan_deployment(_config({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 600}))
    assert plan.shares().tolist() == [1.0] * 10
    assert plan.bake_minutes == 10


def test_canary_bakes_the_canary_then_bakes_again_at_full_traffic():
    plan = plan_deployment(_config({"Type": "CANARY", "CanarySize": _percent(10), "WaitIntervalInSeconds": 300}))
    assert plan.shares().tolist() == [0.1] * 5 + [1.0] * 5


def test_linear_steps_each_bake_for_the_wait_interval():
    plan = plan_deployment(_config({"Type": "LINEAR", "LinearStepSize": _percent(20), "WaitIntervalInSeconds": 120}))
    assert plan.shares() == pytest.approx([0.2, 0.2, 0.4, 0.4, 0.6, 0.6, 0.8, 0.8, 1.0, 1.0])


def test_sizes_given_as_instance_counts():
    canary = {"Type": "CANARY", "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 2}, "WaitIntervalInSeconds": 60}
    linear = {"Type": "LINEAR", "LinearStepSize": {"Type": "INSTANCE_COUNT", "Value": 2}, "WaitIntervalInSeconds": 60}
    assert plan_deployment(_config(canary), instance_count=8).shares().tolist() == [0.25, 1.0]
    assert plan_deployment(_config(linear), instance_count=8).shares().tolist() == [0.25, 0.5, 0.75, 1.0]


def test_the_chapter_worked_example_durations():
    # Task 3.3: 8 instances; canary of 2 with 600 s waits = 20 min; linear 25 % with 300 s waits = 20 min
    canary = {"Type": "CANARY", "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 2}, "WaitIntervalInSeconds": 600}
    linear = {"Type": "LINEAR", "LinearStepSize": _percent(25), "WaitIntervalInSeconds": 300}
    assert plan_deployment(_config(canary), instance_count=8).bake_minutes == 20
    plan = plan_deployment(_config(linear, TerminationWaitInSeconds=600, MaximumExecutionTimeoutInSeconds=3600))
    assert plan.bake_minutes == 20 and plan.termination_wait_minutes == 10 and plan.timeout_minutes == 60


def test_share_after_the_schedule_is_full_and_before_it_is_an_error():
    plan = plan_deployment(_config({"Type": "CANARY", "CanarySize": _percent(50), "WaitIntervalInSeconds": 60}))
    assert plan.share_at(0) == 0.5 and plan.share_at(1) == 1.0 and plan.share_at(99) == 1.0
    with pytest.raises(ValueError, match="minute must be 0 or more"):
        plan.share_at(-1)


def test_a_zero_wait_has_no_baking_period():
    plan = plan_deployment(_config({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}))
    assert plan.bake_minutes == 0 and plan.shares().size == 0


@given(step=st.sampled_from([10, 20, 25, 50]), wait_minutes=st.integers(1, 60))
def test_linear_schedules_rise_in_equal_steps_to_full_traffic(step, wait_minutes):
    routing = {"Type": "LINEAR", "LinearStepSize": _percent(step), "WaitIntervalInSeconds": 60 * wait_minutes}
    shares = plan_deployment(_config(routing)).shares()
    assert len(shares) == (100 // step) * wait_minutes
    assert np.all(np.diff(shares) >= 0) and shares[-1] == pytest.approx(1.0)
    assert shares[0] == pytest.approx(step / 100)


# ----------------------------------------------------------------------------------------------
# Validation: each bad configuration fails with a message that says what to change


@pytest.mark.parametrize("value", [0, -5, 150, 60, 51])
def test_canary_size_outside_zero_to_fifty_percent_is_refused(value):
    with pytest.raises(RolloutConfigError, match="CanarySize"):
        plan_deployment(_config({"Type": "CANARY", "CanarySize": _percent(value), "WaitIntervalInSeconds": 60}))


def test_canary_of_more_than_half_the_instances_is_refused():
    canary = {"Type": "CANARY", "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 5}, "WaitIntervalInSeconds": 60}
    with pytest.raises(RolloutConfigError, match="at most 50 %"):
        plan_deployment(_config(canary), instance_count=8)


@pytest.mark.parametrize(("size", "message"), [(30, "equal steps"), (40, "equal steps"), (5, "10-50 %"),
                                               (60, "10-50 %"), (0, "between 1 and 100")])
def test_linear_steps_that_do_not_divide_the_fleet_sensibly_are_refused(size, message):
    with pytest.raises(RolloutConfigError, match=message):
        plan_deployment(_config({"Type": "LINEAR", "LinearStepSize": _percent(size), "WaitIntervalInSeconds": 60}))


def test_linear_instance_steps_must_divide_the_instance_count():
    linear = {"Type": "LINEAR", "LinearStepSize": {"Type": "INSTANCE_COUNT", "Value": 3}, "WaitIntervalInSeconds": 60}
    with pytest.raises(RolloutConfigError, match="equal steps"):
        plan_deployment(_config(linear), instance_count=8)


@pytest.mark.parametrize(("wait", "message"), [(-60, "between 0 and 3,600"), (3660, "between 0 and 3,600"),
                                               (90, "multiple of 60"), ("600", "whole number"),
                                               (True, "whole number"), (600.0, "whole number")])
def test_bad_wait_intervals_are_refused(wait, message):
    with pytest.raises(RolloutConfigError, match=message):
        plan_deployment(_config({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": wait}))


def test_negative_termination_wait_is_refused():
    with pytest.raises(RolloutConfigError, match="TerminationWaitInSeconds"):
        plan_deployment(_config({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 60}, TerminationWaitInSeconds=-60))


@pytest.mark.parametrize("alarms", [[], [{"AlarmName": f"a{i}"} for i in range(11)], "alarm", None])
def test_alarm_lists_must_hold_one_to_ten_alarms(alarms):
    config = _config({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 60})
    config["AutoRollbackConfiguration"]["Alarms"] = alarms
    with pytest.raises(RolloutConfigError, match="1-10 alarms"):
        plan_deployment(config)


def test_a_deployment_without_auto_rollback_is_refused():
    config = _config({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 60})
    del config["AutoRollbackConfiguration"]
    with pytest.raises(RolloutConfigError, match="nothing is watched"):
        plan_deployment(config)


def test_an_alarm_entry_must_be_an_alarm_name():
    config = _config({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 60})
    config["AutoRollbackConfiguration"]["Alarms"] = [{"Name": "x"}]
    with pytest.raises(RolloutConfigError, match="AlarmName"):
        plan_deployment(config)


@pytest.mark.parametrize(
    ("routing", "message"),
    [
        ({"Type": "CANARY", "WaitIntervalInSeconds": 60}, "needs CanarySize"),
        ({"Type": "LINEAR", "CanarySize": _percent(10), "WaitIntervalInSeconds": 60}, "needs LinearStepSize"),
        ({"Type": "ALL_AT_ONCE", "CanarySize": _percent(10), "WaitIntervalInSeconds": 60}, "neither"),
        ({"Type": "CANARY", "CanarySise": _percent(10), "WaitIntervalInSeconds": 60}, "unknown field"),
        ({"Type": "BLUE_GREEN", "WaitIntervalInSeconds": 60}, "must be one of"),
        ({"Type": "ALL_AT_ONCE"}, "needs WaitIntervalInSeconds"),
        ({"Type": "CANARY", "CanarySize": {"Type": "PERCENT", "Value": 10}, "WaitIntervalInSeconds": 60}, "Type"),
    ],
)
def test_malformed_traffic_routing_is_refused(routing, message):
    with pytest.raises(RolloutConfigError, match=message):
        plan_deployment(_config(routing))


def test_instance_counts_need_the_fleet_size():
    canary = {"Type": "CANARY", "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1}, "WaitIntervalInSeconds": 60}
    with pytest.raises(RolloutConfigError, match="pass instance_count"):
        plan_deployment(_config(canary))
    with pytest.raises(RolloutConfigError, match="between 1 and 4"):
        capacity_share({"Type": "INSTANCE_COUNT", "Value": 5}, "CanarySize", instance_count=4)


@pytest.mark.parametrize(("timeout", "message"), [(300, "between 600"), (30000, "between 600"),
                                                  (900, "larger than the waits")])
def test_execution_timeout_must_be_in_range_and_cover_the_waits(timeout, message):
    routing = {"Type": "LINEAR", "LinearStepSize": _percent(20), "WaitIntervalInSeconds": 120}
    with pytest.raises(RolloutConfigError, match=message):
        plan_deployment(_config(routing, MaximumExecutionTimeoutInSeconds=timeout, TerminationWaitInSeconds=300))


def test_rolling_and_missing_policies_are_refused():
    with pytest.raises(RolloutConfigError, match="blue/green deployments only"):
        plan_deployment({"RollingUpdatePolicy": {}, "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "a"}]}})
    with pytest.raises(RolloutConfigError, match="needs a BlueGreenUpdatePolicy"):
        plan_deployment({"AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "a"}]}})
    with pytest.raises(RolloutConfigError, match="must be a dictionary"):
        plan_deployment([])


# ----------------------------------------------------------------------------------------------
# Alarms: M out of N


def test_alarm_fires_on_the_mth_breaching_datapoint_not_before():
    rule = _rule(m=3, n=5)
    assert rule.states([0.9, 0.1, 0.9, 0.1, 0.9]) == [OK, OK, OK, OK, ALARM]  # breaches need not be consecutive
    assert rule.states([0.9, 0.9]) == [OK, OK]
    assert rule.states([0.9, 0.9, 0.9]) == [OK, OK, ALARM]


def test_alarm_returns_to_ok_when_breaches_leave_the_window():
    rule = _rule(m=3, n=5)
    assert rule.states([0.9, 0.9, 0.9, 0.1, 0.1, 0.1]) == [OK, OK, ALARM, ALARM, ALARM, OK]


def test_threshold_comparisons_and_missing_data():
    assert not _rule(m=1, n=1, comparison="GreaterThanThreshold").breaches(0.5)
    assert _rule(m=1, n=1, comparison="GreaterThanOrEqualToThreshold").breaches(0.5)
    assert _rule(m=1, n=1, comparison="LessThanThreshold").breaches(0.4)
    assert _rule(m=1, n=1, comparison="LessThanOrEqualToThreshold").breaches(0.5)
    assert _rule(m=2, n=2, missing="notBreaching").states([0.9, None]) == [OK, OK]
    assert _rule(m=2, n=2, missing="breaching").states([0.9, None]) == [ALARM, ALARM]  # minute -1 counts as missing


def test_datapoints_to_alarm_defaults_to_evaluation_periods():
    rule = AlarmRule.from_cloudwatch(
        {"AlarmName": "a", "MetricName": "m", "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold",
         "EvaluationPeriods": 4, "Namespace": "mla-course", "Statistic": "Average"}
    )
    assert rule.datapoints_to_alarm == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DatapointsToAlarm": 6}, "cannot exceed EvaluationPeriods"),
        ({"DatapointsToAlarm": 0}, "at least 1"),
        ({"EvaluationPeriods": 2.5}, "whole number"),
        ({"Period": 300}, "Period must be 60"),
        ({"TreatMissingData": "ignore"}, "TreatMissingData"),
        ({"ComparisonOperator": ">"}, "ComparisonOperator"),
        ({"Threshold": "high"}, "Threshold must be a number"),
        ({"Treshold": 1}, "unknown alarm field"),
    ],
)
def test_bad_alarm_definitions_are_refused(change, message):
    definition = {"AlarmName": "a", "MetricName": "m", "Threshold": 0.5, "ComparisonOperator": "GreaterThanThreshold",
                  "EvaluationPeriods": 5, "DatapointsToAlarm": 3}
    definition.update(change)
    with pytest.raises(AlarmDefinitionError, match=message):
        AlarmRule.from_cloudwatch(definition)


def test_an_alarm_definition_needs_its_required_fields():
    with pytest.raises(AlarmDefinitionError, match="lacks"):
        AlarmRule.from_cloudwatch({"AlarmName": "a"})


# ----------------------------------------------------------------------------------------------
# The simulated fleet and rollback


def _steady_traffic(minutes, per_minute=10):
    return [np.arange(per_minute) + minute * per_minute for minute in range(minutes)]


def test_rollback_happens_after_m_breaching_minutes_and_stops_new_traffic():
    plan = plan_deployment(_config({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 600}))
    result = simulate_rollout(plan, {ALARM_NAME: _rule(m=3, n=5)}, _steady_traffic(10),
                              lambda rows: {"Metric": 1.0}, np.random.default_rng(0))
    assert result.outcome == ROLLED_BACK and result.alarm == ALARM_NAME
    assert result.minutes_elapsed == 3 and len(result.timeline) == 3
    assert result.green_requests == 30  # 100 % of 10 requests for the 3 minutes before the rollback
    assert result.timeline[f"{ALARM_NAME} state"].tolist() == [OK, OK, ALARM]
    assert result.blue_terminated_at is None


def test_a_quiet_alarm_lets_the_deployment_complete():
    plan = plan_deployment(_config({"Type": "CANARY", "CanarySize": _percent(50), "WaitIntervalInSeconds": 120},
                                   TerminationWaitInSeconds=300))
    result = simulate_rollout(plan, {ALARM_NAME: _rule()}, _steady_traffic(4),
                              lambda rows: {"Metric": 0.0}, np.random.default_rng(0))
    assert result.outcome == COMPLETED and result.alarm is None
    assert result.minutes_elapsed == 4 and result.blue_terminated_at == 9
    assert result.timeline["green_share"].tolist() == [0.5, 0.5, 1.0, 1.0]
    assert result.green_requests == result.timeline["green_requests"].sum()
    assert result.timeline["green_requests"].iloc[2:].tolist() == [10, 10]


def test_a_smaller_canary_exposes_fewer_requests_before_rollback():
    traffic = _steady_traffic(10, per_minute=1000)
    alarms = {ALARM_NAME: _rule(m=3, n=5)}
    exposed = {}
    for name, routing in {
        "all": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 600},
        "canary": {"Type": "CANARY", "CanarySize": _percent(10), "WaitIntervalInSeconds": 300},
    }.items():
        result = simulate_rollout(plan_deployment(_config(routing)), alarms, traffic,
                                  lambda rows: {"Metric": 1.0}, np.random.default_rng(1))
        exposed[name] = result.green_requests
    assert exposed["all"] == 3000 and 200 < exposed["canary"] < 400


def test_the_rollout_is_reproducible_with_the_same_seed():
    plan = plan_deployment(_config({"Type": "LINEAR", "LinearStepSize": _percent(20), "WaitIntervalInSeconds": 60}))
    runs = [simulate_rollout(plan, {ALARM_NAME: _rule()}, _steady_traffic(5, 50), lambda rows: {"Metric": 0.0},
                             np.random.default_rng(7)).green_rows for _ in range(2)]
    assert np.array_equal(*runs)


def test_undefined_alarms_and_short_traffic_are_errors():
    plan = plan_deployment(_config({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 300}))
    with pytest.raises(UnknownAlarmError, match="not defined") as caught:
        simulate_rollout(plan, {}, _steady_traffic(5), lambda rows: {}, np.random.default_rng(0))
    assert isinstance(caught.value, KeyError) and not str(caught.value).startswith("'")
    with pytest.raises(ValueError, match="covers 2 minutes"):
        simulate_rollout(plan, {ALARM_NAME: _rule()}, _steady_traffic(2), lambda rows: {}, np.random.default_rng(0))


def test_configs_are_not_modified():
    config = _config({"Type": "LINEAR", "LinearStepSize": _percent(25), "WaitIntervalInSeconds": 60})
    before = copy.deepcopy(config)
    plan_deployment(config)
    assert config == before


# ----------------------------------------------------------------------------------------------
# Traffic replay and shadow tests


def test_replay_traffic_replays_every_row_evenly_and_reproducibly():
    first = replay_traffic(100, 30, 20.0, np.random.default_rng(3))
    again = replay_traffic(100, 30, 20.0, np.random.default_rng(3))
    assert len(first) == 30 and all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    counts = np.bincount(np.concatenate(first), minlength=100)
    total = counts.sum()
    assert counts.min() >= total // 100 - 1 and counts.max() <= total // 100 + 1


@pytest.mark.parametrize(("args", "message"), [((0, 5, 1.0), "n_rows"), ((10, 0, 1.0), "minutes"),
                                               ((10, 5, 0.0), "requests_per_minute")])
def test_replay_traffic_rejects_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        replay_traffic(*args, np.random.default_rng(0))


def _answer_with(label):
    return lambda rows: np.full(len(rows), label)


def test_a_shadow_test_returns_production_answers_and_logs_the_shadow_answers():
    traffic = _steady_traffic(20, 100)
    result = shadow_test(traffic, 30, np.random.default_rng(0), production=_answer_with("v1"),
                         shadow=_answer_with("v2"))
    assert len(result.request_rows) == 2000 and (result.responses == "v1").all()
    assert set(result.shadow_rows) <= set(result.request_rows)
    assert 500 < len(result.shadow_rows) < 700 and (result.shadow_log == "v2").all()
    everything = shadow_test(traffic, 100, np.random.default_rng(0), production=_answer_with("v1"),
                             shadow=_answer_with("v2"))
    assert len(everything.shadow_rows) == 2000


def test_the_shadow_sees_the_rows_it_is_sent():
    traffic = _steady_traffic(5, 10)
    result = shadow_test(traffic, 50, np.random.default_rng(1), production=lambda rows: rows * 10,
                         shadow=lambda rows: rows + 0.5)
    assert np.array_equal(result.responses, result.request_rows * 10)
    assert np.array_equal(result.shadow_log, result.shadow_rows + 0.5)


@pytest.mark.parametrize("percentage", [0, 101, 50.5])
def test_shadow_sampling_percentage_must_be_1_to_100(percentage):
    with pytest.raises(RolloutConfigError, match="SamplingPercentage"):
        shadow_test(_steady_traffic(2), percentage, np.random.default_rng(0), production=_answer_with(1),
                    shadow=_answer_with(1))


def test_shadow_handlers_must_answer_every_request():
    with pytest.raises(ValueError, match="production returned 1 answers for 20 requests"):
        shadow_test(_steady_traffic(2), 50, np.random.default_rng(0), production=lambda rows: rows[:1],
                    shadow=_answer_with(1))
    with pytest.raises(ValueError, match="shadow returned"):
        shadow_test(_steady_traffic(2), 100, np.random.default_rng(0), production=_answer_with(1),
                    shadow=lambda rows: rows[:1])
    with pytest.raises(TypeError, match="must be functions"):
        shadow_test(_steady_traffic(2), 50, np.random.default_rng(0), production="v1", shadow=_answer_with(1))


# ----------------------------------------------------------------------------------------------
# m_of_n_alarm and false_rollback_chance


def test_m_of_n_alarm_counts_breaches_in_the_last_n_periods_consecutive_or_not():
    breaching = [True, False, True, False, True, False, False, True]
    assert m_of_n_alarm(breaching, 3, 5).tolist() == [False, False, False, False, True, False, False, False]
    assert m_of_n_alarm(breaching, 1, 1).tolist() == breaching
    assert m_of_n_alarm([True] * 3, 3, 5).tolist() == [False, False, True]  # periods before the start do not breach


@given(st.lists(st.booleans(), min_size=1, max_size=30), st.integers(1, 6), st.integers(0, 5))
def test_m_of_n_alarm_matches_a_window_count(breaching, n, extra):
    m = max(1, n - extra)
    expected = [sum(breaching[max(0, i - n + 1): i + 1]) >= m for i in range(len(breaching))]
    assert m_of_n_alarm(breaching, m, n).tolist() == expected


def test_m_of_n_alarm_works_row_by_row_and_agrees_with_the_alarm_rule():
    rows = np.random.default_rng(0).random((50, 12)) < 0.4
    rule = _rule(m=3, n=5)
    alarm = m_of_n_alarm(rows, 3, 5)
    for row, states in zip(rows, alarm, strict=True):
        assert rule.states([0.9 if b else 0.1 for b in row]) == [ALARM if s else OK for s in states]


@pytest.mark.parametrize(("args", "error", "message"), [
    (([0.3, 0.1], 1, 2), TypeError, "True/False"),
    ((True, 1, 1), TypeError, "True/False"),
    (([True], 3, 2), ValueError, "1 <= M <= N"),
    (([True], 0, 2), ValueError, "1 <= M <= N"),
])
def test_m_of_n_alarm_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        m_of_n_alarm(*args)


def test_false_rollbacks_fall_as_the_threshold_rises_and_as_m_grows():
    healthy = np.random.default_rng(0).binomial(60, 0.13, size=2000) / 60
    chance = {t: false_rollback_chance(healthy, t, 3, 5, 20, np.random.default_rng(1), releases=4000)
              for t in (0.15, 0.20, 0.25)}
    assert chance[0.15] > chance[0.20] > chance[0.25] >= 0.0
    one_of_five = false_rollback_chance(healthy, 0.20, 1, 5, 20, np.random.default_rng(1), releases=4000)
    assert one_of_five > chance[0.20]
    assert false_rollback_chance(healthy, 1.0, 1, 1, 20, np.random.default_rng(1)) == 0.0
    assert false_rollback_chance(healthy, -1.0, 1, 1, 1, np.random.default_rng(1)) == 1.0


def test_false_rollback_chance_matches_the_binomial_formula_for_one_window():
    healthy = np.array([0.0] * 9 + [1.0])  # each minute breaches with chance 0.1
    chance = false_rollback_chance(healthy, 0.5, 2, 3, 3, np.random.default_rng(0), releases=200_000)
    exact = 3 * 0.1**2 * 0.9 + 0.1**3
    assert chance == pytest.approx(exact, abs=0.003)


@pytest.mark.parametrize("kwargs", [{"healthy_rates": []}, {"minutes": 0}, {"releases": 0},
                                    {"healthy_rates": [[0.1, 0.2]]}])
def test_false_rollback_chance_rejects_bad_input(kwargs):
    arguments = {"healthy_rates": [0.1, 0.2], "threshold": 0.15, "datapoints_to_alarm": 1,
                 "evaluation_periods": 1, "minutes": 5, "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(ValueError, match="non-empty 1-D"):
        false_rollback_chance(**arguments)
