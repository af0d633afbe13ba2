"""A minute-by-minute simulation of SageMaker deployment guardrails.

SageMaker's ``UpdateEndpoint`` moves an endpoint from one endpoint configuration (the blue fleet)
to a new one (the green fleet) as a blue/green deployment. Its ``DeploymentConfig`` says how
traffic moves (``ALL_AT_ONCE``, ``CANARY`` or ``LINEAR``), how long each baking period lasts, and
which CloudWatch alarms roll the deployment back when they go to ``ALARM`` during a baking period.
This module rebuilds that behaviour on a simulated clock so that a lab can measure it:

- `plan_deployment` reads a ``DeploymentConfig`` dictionary, written with the API's own field
  names, checks it against the API's ranges, and returns the traffic schedule as phases;
- `m_of_n_alarm` is CloudWatch's "M out of N" rule: ALARM after a period when at least M of the
  last N datapoints breach, consecutive or not;
- `false_rollback_chance` estimates how often such an alarm would roll back a healthy release by
  chance, from per-minute values of the metric measured on a healthy model (how a lab picks a
  threshold without looking at the broken model);
- `AlarmRule` is a CloudWatch metric alarm (an M-out-of-N rule on datapoints past a threshold),
  built from a ``PutMetricAlarm``-style dictionary with `AlarmRule.from_cloudwatch`;
- `replay_traffic` turns rows of a test set into requests arriving minute by minute;
- `simulate_rollout` routes each minute's requests between the old and the new variant, feeds
  the new variant's metric to the alarms, and rolls back when one of them fires;
- `shadow_test` answers every request with the production variant and copies a sample of the
  requests to a shadow variant, whose answers go to a log; it returns both, so that a lab can
  measure what the callers received.

Simplifications, stated so that nobody mistakes them for SageMaker's behaviour: the clock ticks
in whole minutes (so waits and alarm periods must be multiples of 60 seconds); traffic moves at
the start of a step with no provisioning time; a percentage maps straight to a share of traffic
(SageMaker activates whole instances); an alarm looks at exactly its last ``EvaluationPeriods``
datapoints; and the ``TerminationWaitInSeconds`` after the last baking period is reported but not
watched.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from labkit.errors import MessageKeyError

SECONDS_PER_MINUTE = 60
TRAFFIC_TYPES = ("ALL_AT_ONCE", "CANARY", "LINEAR")
CAPACITY_TYPES = ("CAPACITY_PERCENT", "INSTANCE_COUNT")
MAX_WAIT_SECONDS = 3600  # WaitIntervalInSeconds and TerminationWaitInSeconds: 0-3,600
TIMEOUT_RANGE_SECONDS = (600, 28800)  # MaximumExecutionTimeoutInSeconds
MAX_CANARY_SHARE = 0.5  # CanarySize: at most 50 % of the fleet
LINEAR_SHARE_RANGE = (0.1, 0.5)  # LinearStepSize: 10-50 % of the fleet
ALARM_COUNT_RANGE = (1, 10)  # AutoRollbackConfiguration.Alarms: 1-10 alarms
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}
MISSING_DATA_TREATMENTS = ("notBreaching", "breaching")
COMPLETED, ROLLED_BACK = "completed", "rolled back"
OK, ALARM = "OK", "ALARM"

_DEPLOYMENT_KEYS = {"BlueGreenUpdatePolicy", "AutoRollbackConfiguration", "RollingUpdatePolicy"}
_POLICY_KEYS = {"TrafficRoutingConfiguration", "TerminationWaitInSeconds", "MaximumExecutionTimeoutInSeconds"}
_ROUTING_KEYS = {"Type", "WaitIntervalInSeconds", "CanarySize", "LinearStepSize"}
_ALARM_KEYS = {
    "AlarmName", "MetricName", "Threshold", "ComparisonOperator", "EvaluationPeriods",
    "DatapointsToAlarm", "Period", "TreatMissingData",
}
_IGNORED_ALARM_KEYS = {"AlarmDescription", "Namespace", "Dimensions", "Statistic", "Unit"}


class RolloutConfigError(ValueError):
    """A deployment configuration SageMaker would refuse, or one this simulator cannot run."""


class AlarmDefinitionError(ValueError):
    """An alarm definition with a missing, unknown or out-of-range field."""


class UnknownAlarmError(MessageKeyError):
    """The deployment names an alarm that was never defined."""


# ----------------------------------------------------------------------------------------------
# The traffic schedule


@dataclass(frozen=True)
class Phase:
    """One step of a blue/green deployment: a share of traffic on green, then a baking period."""

    start_minute: int
    minutes: int
    green_share: float


@dataclass(frozen=True)
class DeploymentPlan:
    """The schedule `plan_deployment` derives from a ``DeploymentConfig``."""

    traffic_type: str
    phases: tuple[Phase, ...]
    alarm_names: tuple[str, ...]
    termination_wait_minutes: int = 0
    timeout_minutes: int | None = None

    @property
    def bake_minutes(self) -> int:
        """Minutes from the first traffic shift to the end of the last baking period."""
        return sum(phase.minutes for phase in self.phases)

    def share_at(self, minute: int) -> float:
        """Share of requests sent to the green fleet during `minute` (0 = the first minute)."""
        if minute < 0:
            raise ValueError(f"minute must be 0 or more, got {minute}")
        for phase in self.phases:
            if phase.start_minute <= minute < phase.start_minute + phase.minutes:
                return phase.green_share
        return 1.0  # after the last baking period green serves everything

    def shares(self) -> np.ndarray:
        """Green's share of traffic for every minute of the baking periods, in order."""
        return np.array([self.share_at(minute) for minute in range(self.bake_minutes)], dtype=float)


def _whole_number(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise RolloutConfigError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise RolloutConfigError(f"{name} must be between {low:,} and {high:,}, got {value:,}")
    return int(value)


def _minutes(value: object, name: str, low: int, high: int) -> int:
    seconds = _whole_number(value, name, low, high)
    if seconds % SECONDS_PER_MINUTE:
        raise RolloutConfigError(
            f"{name} = {seconds} is not a whole number of minutes; this simulator ticks once a minute, "
            "so use a multiple of 60"
        )
    return seconds // SECONDS_PER_MINUTE


def _check_keys(block: Mapping, allowed: set[str], where: str) -> None:
    if not isinstance(block, Mapping):
        raise RolloutConfigError(f"{where} must be a dictionary, got {type(block).__name__}")
    unknown = sorted(set(block) - allowed)
    if unknown:
        raise RolloutConfigError(f"{where} has unknown field(s) {unknown}; allowed: {sorted(allowed)}")


def capacity_share(capacity: Mapping, name: str, instance_count: int | None = None) -> float:
    """The share of the fleet a ``CapacitySize`` ({"Type": ..., "Value": ...}) stands for."""
    _check_keys(capacity, {"Type", "Value"}, name)
    kind = capacity.get("Type")
    if kind not in CAPACITY_TYPES:
        raise RolloutConfigError(f"{name}.Type must be one of {CAPACITY_TYPES}, got {kind!r}")
    if kind == "CAPACITY_PERCENT":
        return _whole_number(capacity.get("Value"), f"{name}.Value", 1, 100) / 100
    if instance_count is None or isinstance(instance_count, bool) or instance_count < 1:
        raise RolloutConfigError(
            f"{name} is given as INSTANCE_COUNT: pass instance_count, the number of instances of the variant"
        )
    return _whole_number(capacity.get("Value"), f"{name}.Value", 1, instance_count) / instance_count


def _canary_phases(routing: Mapping, wait: int, instance_count: int | None) -> tuple[Phase, ...]:
    if "CanarySize" not in routing or "LinearStepSize" in routing:
        raise RolloutConfigError("Type CANARY needs CanarySize and no LinearStepSize")
    share = capacity_share(routing["CanarySize"], "CanarySize", instance_count)
    if share > MAX_CANARY_SHARE:
        raise RolloutConfigError(f"CanarySize must be at most 50 % of the fleet, got {share:.0%}")
    return (Phase(0, wait, share), Phase(wait, wait, 1.0))  # the canary bakes, then a final bake at 100 %


def _linear_phases(routing: Mapping, wait: int, instance_count: int | None) -> tuple[Phase, ...]:
    if "LinearStepSize" not in routing or "CanarySize" in routing:
        raise RolloutConfigError("Type LINEAR needs LinearStepSize and no CanarySize")
    share = capacity_share(routing["LinearStepSize"], "LinearStepSize", instance_count)
    low, high = LINEAR_SHARE_RANGE
    if not low <= share <= high:
        raise RolloutConfigError(f"LinearStepSize must be 10-50 % of the fleet, got {share:.0%}")
    steps = round(1 / share)
    if not math.isclose(steps * share, 1.0):
        raise RolloutConfigError(
            f"LinearStepSize of {share:.1%} does not split the fleet into equal steps (the last one would be "
            "smaller, and the AWS pages do not say how SageMaker handles it); use 10, 20, 25 or 50 percent, "
            "or an instance count that divides the fleet"
        )
    return tuple(Phase(step * wait, wait, (step + 1) / steps) for step in range(steps))


def plan_deployment(deployment_config: Mapping, instance_count: int | None = None) -> DeploymentPlan:
    """Check a SageMaker ``DeploymentConfig`` and return its traffic schedule.

    Parameters
    ----------
    deployment_config:
        The dictionary you would pass as ``DeploymentConfig`` to ``UpdateEndpoint``, with a
        ``BlueGreenUpdatePolicy`` and an ``AutoRollbackConfiguration``.
    instance_count:
        Instances of the production variant; needed only when a size is an ``INSTANCE_COUNT``.

    Raises
    ------
    RolloutConfigError
        For a missing or unknown field, a value outside the API's range (``WaitIntervalInSeconds``
        0-3,600; ``CanarySize`` at most 50 %; ``LinearStepSize`` 10-50 %; 1-10 alarms;
        ``MaximumExecutionTimeoutInSeconds`` 600-28,800 and longer than all the waits), or a value
        this simulator cannot run (waits that are not whole minutes, linear steps of unequal size).
    """
    _check_keys(deployment_config, _DEPLOYMENT_KEYS, "DeploymentConfig")
    if "RollingUpdatePolicy" in deployment_config:
        raise RolloutConfigError("this simulator runs blue/green deployments only; remove RollingUpdatePolicy")
    if "BlueGreenUpdatePolicy" not in deployment_config:
        raise RolloutConfigError("DeploymentConfig needs a BlueGreenUpdatePolicy with a TrafficRoutingConfiguration")
    policy = deployment_config["BlueGreenUpdatePolicy"]
    _check_keys(policy, _POLICY_KEYS, "BlueGreenUpdatePolicy")
    if "TrafficRoutingConfiguration" not in policy:
        raise RolloutConfigError("BlueGreenUpdatePolicy needs a TrafficRoutingConfiguration")
    routing = policy["TrafficRoutingConfiguration"]
    _check_keys(routing, _ROUTING_KEYS, "TrafficRoutingConfiguration")
    traffic_type = routing.get("Type")
    if traffic_type not in TRAFFIC_TYPES:
        raise RolloutConfigError(
            f"TrafficRoutingConfiguration.Type must be one of {TRAFFIC_TYPES}, got {traffic_type!r}"
        )
    if "WaitIntervalInSeconds" not in routing:
        raise RolloutConfigError("TrafficRoutingConfiguration needs WaitIntervalInSeconds (the baking period)")
    wait = _minutes(routing["WaitIntervalInSeconds"], "WaitIntervalInSeconds", 0, MAX_WAIT_SECONDS)

    if traffic_type == "ALL_AT_ONCE":
        if "CanarySize" in routing or "LinearStepSize" in routing:
            raise RolloutConfigError("Type ALL_AT_ONCE takes neither CanarySize nor LinearStepSize")
        phases: tuple[Phase, ...] = (Phase(0, wait, 1.0),)
    elif traffic_type == "CANARY":
        phases = _canary_phases(routing, wait, instance_count)
    else:
        phases = _linear_phases(routing, wait, instance_count)

    termination = _minutes(policy.get("TerminationWaitInSeconds", 0), "TerminationWaitInSeconds", 0, MAX_WAIT_SECONDS)
    timeout = None
    if "MaximumExecutionTimeoutInSeconds" in policy:
        timeout = _minutes(policy["MaximumExecutionTimeoutInSeconds"], "MaximumExecutionTimeoutInSeconds",
                           *TIMEOUT_RANGE_SECONDS)
        waits = sum(phase.minutes for phase in phases) + termination
        if timeout <= waits:
            raise RolloutConfigError(
                f"MaximumExecutionTimeoutInSeconds ({timeout * 60:,}) must be larger than the waits it has to "
                f"cover ({waits * 60:,} s of baking and termination wait)"
            )
    return DeploymentPlan(traffic_type, phases, _alarm_names(deployment_config), termination, timeout)


def _alarm_names(deployment_config: Mapping) -> tuple[str, ...]:
    rollback = deployment_config.get("AutoRollbackConfiguration")
    if rollback is None:
        raise RolloutConfigError(
            "DeploymentConfig has no AutoRollbackConfiguration: without alarms nothing is watched during the "
            "baking periods and nothing rolls back; add 1-10 alarms"
        )
    _check_keys(rollback, {"Alarms"}, "AutoRollbackConfiguration")
    alarms = rollback.get("Alarms")
    low, high = ALARM_COUNT_RANGE
    if not isinstance(alarms, Sequence) or isinstance(alarms, str) or not low <= len(alarms) <= high:
        count = len(alarms) if isinstance(alarms, Sequence) else alarms
        raise RolloutConfigError(f"AutoRollbackConfiguration.Alarms must list 1-10 alarms, got {count!r}")
    names = []
    for alarm in alarms:
        if not isinstance(alarm, Mapping) or set(alarm) != {"AlarmName"} or not alarm["AlarmName"]:
            raise RolloutConfigError(f"each entry of Alarms is {{'AlarmName': '<name>'}}, got {alarm!r}")
        names.append(str(alarm["AlarmName"]))
    return tuple(names)


# ----------------------------------------------------------------------------------------------
# CloudWatch alarms
#
# "Datapoints to Alarm" (M) of the last "Evaluation Periods" (N) datapoints must breach, and they
# need not be consecutive: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
# ("Evaluating an alarm"). Lab 09 shows the two functions below in a #@save cell; keep them identical.


def m_of_n_alarm(breaching: ArrayLike, datapoints_to_alarm: int, evaluation_periods: int) -> np.ndarray:
    """CloudWatch's "M out of N": after each period, True (ALARM) when at least M of the last N periods breach.

    `breaching` holds one True/False per period, oldest first, or one such row per simulated alarm.
    Periods before the first one count as not breaching (as with TreatMissingData = notBreaching).
    """
    breaching = np.asarray(breaching)
    if breaching.dtype != bool or breaching.ndim == 0:
        raise TypeError("breaching must hold True/False per period (e.g. rates > threshold), not the values")
    if not 1 <= datapoints_to_alarm <= evaluation_periods:
        raise ValueError(
            f"an M out of N alarm needs 1 <= M <= N, got DatapointsToAlarm={datapoints_to_alarm}, "
            f"EvaluationPeriods={evaluation_periods}"
        )
    so_far = np.cumsum(breaching, axis=-1)  # breaching periods up to and including each period
    before_window = np.zeros_like(so_far)
    before_window[..., evaluation_periods:] = so_far[..., :-evaluation_periods]  # ... up to N periods earlier
    return so_far - before_window >= datapoints_to_alarm


def false_rollback_chance(
    healthy_rates: ArrayLike,
    threshold: float,
    datapoints_to_alarm: int,
    evaluation_periods: int,
    minutes: int,
    rng: np.random.Generator,
    releases: int = 20_000,
) -> float:
    """Share of simulated healthy releases that the alarm rolls back by chance within `minutes` of baking.

    Each simulated release draws one datapoint a minute at random from `healthy_rates` (per-minute
    values of the metric measured on a healthy model) and counts as a false rollback when the
    M-out-of-N alarm on "datapoint > threshold" goes to ALARM in any of its minutes.
    """
    rates = np.asarray(healthy_rates, dtype=float)
    if rates.ndim != 1 or rates.size == 0 or minutes < 1 or releases < 1:
        raise ValueError("pass a non-empty 1-D array of healthy rates, and at least 1 minute and 1 release")
    minutes_drawn = rng.choice(rates, size=(releases, minutes))
    alarm = m_of_n_alarm(minutes_drawn > threshold, datapoints_to_alarm, evaluation_periods)
    return float(alarm.any(axis=1).mean())


@dataclass(frozen=True)
class AlarmRule:
    """A CloudWatch metric alarm with one-minute datapoints: ALARM when M of the last N datapoints breach."""

    name: str
    metric_name: str
    threshold: float
    comparison: str
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str = "notBreaching"

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise AlarmDefinitionError(
                f"ComparisonOperator must be one of {sorted(COMPARISONS)}, got {self.comparison!r}"
            )
        for field_name, value in (("EvaluationPeriods", self.evaluation_periods),
                                  ("DatapointsToAlarm", self.datapoints_to_alarm)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise AlarmDefinitionError(f"{field_name} must be a whole number of at least 1, got {value!r}")
        if self.datapoints_to_alarm > self.evaluation_periods:
            raise AlarmDefinitionError(
                f"DatapointsToAlarm ({self.datapoints_to_alarm}) cannot exceed EvaluationPeriods "
                f"({self.evaluation_periods}): M out of N needs M <= N"
            )
        if self.treat_missing_data not in MISSING_DATA_TREATMENTS:
            raise AlarmDefinitionError(
                f"TreatMissingData must be one of {MISSING_DATA_TREATMENTS} in this simulator, "
                f"got {self.treat_missing_data!r}"
            )
        number = isinstance(self.threshold, int | float) and not isinstance(self.threshold, bool)
        if not number or math.isnan(self.threshold):
            raise AlarmDefinitionError(f"Threshold must be a number, got {self.threshold!r}")

    @classmethod
    def from_cloudwatch(cls, definition: Mapping) -> AlarmRule:
        """Build the rule from a ``PutMetricAlarm``-style dictionary (``Period`` must be 60)."""
        if not isinstance(definition, Mapping):
            raise AlarmDefinitionError(f"an alarm definition is a dictionary, got {type(definition).__name__}")
        unknown = sorted(set(definition) - _ALARM_KEYS - _IGNORED_ALARM_KEYS)
        if unknown:
            raise AlarmDefinitionError(f"unknown alarm field(s) {unknown}")
        missing = [key for key in ("AlarmName", "MetricName", "Threshold", "ComparisonOperator", "EvaluationPeriods")
                   if key not in definition]
        if missing:
            raise AlarmDefinitionError(f"the alarm definition lacks {missing}")
        if definition.get("Period", SECONDS_PER_MINUTE) != SECONDS_PER_MINUTE:
            raise AlarmDefinitionError(f"Period must be 60 seconds in this simulator, got {definition['Period']!r}")
        periods = definition["EvaluationPeriods"]
        return cls(
            name=str(definition["AlarmName"]),
            metric_name=str(definition["MetricName"]),
            threshold=definition["Threshold"],
            comparison=definition["ComparisonOperator"],
            evaluation_periods=periods,
            datapoints_to_alarm=definition.get("DatapointsToAlarm", periods),  # CloudWatch's default: M = N
            treat_missing_data=definition.get("TreatMissingData", "notBreaching"),
        )

    def breaches(self, value: float | None) -> bool:
        """Whether one datapoint counts as breaching (a missing one per ``TreatMissingData``)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.treat_missing_data == "breaching"
        return COMPARISONS[self.comparison](float(value), self.threshold)

    def states(self, datapoints: Sequence[float | None]) -> list[str]:
        """``ALARM`` or ``OK`` after each of `datapoints` (one per minute, oldest first).

        The N - 1 minutes before the first datapoint count as missing, so they breach only when
        ``TreatMissingData`` is ``breaching``.
        """
        before = [self.breaches(None)] * (self.evaluation_periods - 1)
        breaching = before + [self.breaches(value) for value in datapoints]
        alarm = m_of_n_alarm(breaching, self.datapoints_to_alarm, self.evaluation_periods)[len(before):]
        return [ALARM if on else OK for on in alarm]

    def state(self, datapoints: Sequence[float | None]) -> str:
        """``ALARM`` or ``OK`` after the last of `datapoints` (one per minute, oldest first)."""
        window = list(datapoints[-self.evaluation_periods:])
        return self.states(window)[-1] if window else OK


# ----------------------------------------------------------------------------------------------
# Traffic and the simulated fleet


def replay_traffic(n_rows: int, minutes: int, requests_per_minute: float,
                   rng: np.random.Generator) -> list[np.ndarray]:
    """Requests per minute as arrays of row numbers: Poisson counts, rows replayed in seeded order.

    Rows are taken from a random permutation of ``range(n_rows)``; when it runs out, a new
    permutation starts, so every row is replayed equally often.
    """
    if isinstance(n_rows, bool) or not isinstance(n_rows, int | np.integer) or n_rows < 1:
        raise ValueError(f"n_rows must be a positive whole number, got {n_rows!r}")
    if isinstance(minutes, bool) or not isinstance(minutes, int | np.integer) or minutes < 1:
        raise ValueError(f"minutes must be a positive whole number, got {minutes!r}")
    if not requests_per_minute > 0:
        raise ValueError(f"requests_per_minute must be positive, got {requests_per_minute!r}")
    counts = rng.poisson(requests_per_minute, size=minutes)
    passes = max(1, math.ceil(counts.sum() / n_rows))
    order = np.concatenate([rng.permutation(n_rows) for _ in range(passes)])[: counts.sum()]
    return np.split(order, np.cumsum(counts)[:-1])


@dataclass(frozen=True)
class RolloutResult:
    """What happened in one simulated deployment."""

    plan: DeploymentPlan
    outcome: str  # "completed" or "rolled back"
    minutes_elapsed: int  # to the end of the last baking period, or to the rollback
    alarm: str | None  # the alarm that fired, if any
    timeline: pd.DataFrame  # one row per simulated minute
    green_rows: np.ndarray  # the requests (row numbers) the new variant answered

    @property
    def green_requests(self) -> int:
        """How many requests the new variant answered."""
        return len(self.green_rows)

    @property
    def blue_terminated_at(self) -> int | None:
        """Minute at which the old fleet is deleted (None after a rollback: blue keeps serving)."""
        if self.outcome != COMPLETED:
            return None
        return self.minutes_elapsed + self.plan.termination_wait_minutes


def simulate_rollout(
    plan: DeploymentPlan,
    alarms: Mapping[str, AlarmRule],
    traffic: Sequence[np.ndarray],
    metrics: Callable[[np.ndarray], Mapping[str, float | None]],
    rng: np.random.Generator,
) -> RolloutResult:
    """Run `plan` on `traffic`, minute by minute, and roll back when an alarm fires.

    Each minute, every request goes to the new (green) variant with probability equal to the
    schedule's share, otherwise to the old (blue) one. ``metrics(green_rows)`` returns that minute's
    datapoint for each metric name (computed from the new variant's requests only, like an alarm on
    the new endpoint configuration's dimension); each alarm in ``plan.alarm_names`` reads its metric.
    When any alarm is in ``ALARM`` at the end of a minute, all traffic goes back to blue from the
    next minute on and the deployment ends as rolled back.
    """
    missing = [name for name in plan.alarm_names if name not in alarms]
    if missing:
        raise UnknownAlarmError(
            f"AutoRollbackConfiguration names alarm(s) {missing} that are not defined; defined: {sorted(alarms)}"
        )
    if len(traffic) < plan.bake_minutes:
        raise ValueError(f"traffic covers {len(traffic)} minutes but the plan bakes for {plan.bake_minutes}")
    watched = [alarms[name] for name in plan.alarm_names]
    datapoints: dict[str, list[float | None]] = {rule.name: [] for rule in watched}
    records, served = [], []
    outcome, fired, elapsed = COMPLETED, None, plan.bake_minutes
    for minute in range(plan.bake_minutes):
        rows = np.asarray(traffic[minute])
        share = plan.share_at(minute)
        green = rows[rng.random(len(rows)) < share]
        served.append(green)
        values = dict(metrics(green)) if len(green) else {}
        record = {"minute": minute, "green_share": share, "requests": len(rows), "green_requests": len(green)}
        for rule in watched:
            datapoints[rule.name].append(values.get(rule.metric_name))
            record[rule.metric_name] = values.get(rule.metric_name)
            record[f"{rule.name} state"] = rule.state(datapoints[rule.name])
            if fired is None and record[f"{rule.name} state"] == ALARM:
                fired = rule.name
        records.append(record)
        if fired is not None:
            outcome, elapsed = ROLLED_BACK, minute + 1
            break
    timeline = pd.DataFrame.from_records(records)
    green_rows = np.concatenate(served) if served else np.array([], dtype=int)
    return RolloutResult(plan, outcome, elapsed, fired, timeline, green_rows)


@dataclass(frozen=True)
class ShadowResult:
    """A shadow test: production answers every request; the shadow answers copies, into a log."""

    request_rows: np.ndarray  # every request (a row number), in arrival order
    responses: np.ndarray  # what each caller received, in the same order
    shadow_rows: np.ndarray  # the requests copied to the shadow variant
    shadow_log: np.ndarray  # the shadow variant's answers to those copies, which no caller receives


def shadow_test(
    traffic: Sequence[np.ndarray],
    sampling_percentage: int,
    rng: np.random.Generator,
    *,
    production: Callable[[np.ndarray], np.ndarray],
    shadow: Callable[[np.ndarray], np.ndarray],
) -> ShadowResult:
    """Serve `traffic` with `production` and copy ``SamplingPercentage`` percent of it to `shadow`.

    `production` and `shadow` each take an array of request rows and return one answer per row.
    Callers receive production's answers; the shadow's answers are logged, so a lab can check what
    reached the callers by comparing the responses with each variant's own answers.
    """
    _whole_number(sampling_percentage, "SamplingPercentage", 1, 100)
    if not (callable(production) and callable(shadow)):
        raise TypeError("production and shadow must be functions from an array of request rows to answers")
    requests = np.concatenate([np.asarray(rows) for rows in traffic]) if len(traffic) else np.array([], dtype=int)
    responses = np.asarray(production(requests))
    if len(responses) != len(requests):
        raise ValueError(f"production returned {len(responses)} answers for {len(requests)} requests")
    copied = requests[rng.random(len(requests)) < sampling_percentage / 100]
    shadow_log = np.asarray(shadow(copied))
    if len(shadow_log) != len(copied):
        raise ValueError(f"shadow returned {len(shadow_log)} answers for {len(copied)} copied requests")
    return ShadowResult(request_rows=requests, responses=responses, shadow_rows=copied, shadow_log=shadow_log)
