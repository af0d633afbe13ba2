"""Cost arithmetic for SageMaker inference and training, driven by a price table kept as data.

Every price comes from `labkit/prices.yml`, where each entry carries its Region, unit, the date it
was checked and the AWS page it comes from. The functions below are the billing formulas of each
option; they take rates as arguments, so the same code prices a workload in dollars or, as Lab 07
does, in units of an instance's On-Demand hourly rate.

Bad input raises a `CostInputError` (a `ValueError`) or a `MissingPriceError` (a `KeyError`) that
says what is wrong and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from labkit.errors import MessageKeyError

PRICES_FILE = Path(__file__).with_name("prices.yml")
REQUIRED_FIELDS = ("item", "region", "unit", "price", "checked", "url")
AWS_HOSTS = ("aws.amazon.com",)
HOURS_PER_DAY = 24
SECONDS_PER_HOUR = 3600
# ProductionVariantServerlessConfig: MemorySizeInMB is 1024 to 6144 in 1 GB steps; concurrency 1-200.
SERVERLESS_MEMORY_SIZES_MB = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_MAX_CONCURRENCY = 200
# StoppingCondition: MaxRuntimeInSeconds is at most 28 days.
MAX_RUNTIME_LIMIT_S = 28 * 24 * SECONDS_PER_HOUR


class CostInputError(ValueError):
    """An argument of a cost function is out of range or of the wrong kind."""


class UnknownInstanceTypeError(CostInputError):
    """The name is not a SageMaker instance type."""


class MissingPriceError(MessageKeyError):
    """The price table has no entry for this item in this Region."""


class PriceTableError(ValueError):
    """An entry of the price file lacks a field, its source or its date."""


# --- the price table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceEntry:
    """One price with its provenance."""

    item: str
    region: str
    unit: str
    price: float
    checked: dt.date
    url: str
    source_note: str = ""


def validate_entry(raw: dict, position: int) -> PriceEntry:
    """Check one raw entry of the price file and turn it into a `PriceEntry`.

    Raises PriceTableError naming the entry and the missing or malformed field.
    """
    where = f"prices.yml entry {position} ({raw.get('item', 'no item name')!r})"
    missing = [name for name in REQUIRED_FIELDS if raw.get(name) in (None, "")]
    if missing:
        raise PriceTableError(
            f"{where} lacks {', '.join(missing)}. Every price needs its item, region, unit, price, "
            "the date it was checked and the AWS page it comes from."
        )
    price = raw["price"]
    if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
        raise PriceTableError(f"{where}: price must be a non-negative number, got {price!r}.")
    checked = raw["checked"]
    if isinstance(checked, str):
        try:
            checked = dt.date.fromisoformat(checked)
        except ValueError as exc:
            raise PriceTableError(f"{where}: checked must be a date YYYY-MM-DD, got {checked!r}.") from exc
    if not isinstance(checked, dt.date):
        raise PriceTableError(f"{where}: checked must be a date YYYY-MM-DD, got {checked!r}.")
    url = str(raw["url"])
    host = url.split("://", 1)[-1].split("/", 1)[0]
    if not url.startswith("https://") or not any(host == h or host.endswith("." + h) for h in AWS_HOSTS):
        raise PriceTableError(f"{where}: url must be an https page on aws.amazon.com, got {url!r}.")
    return PriceEntry(
        item=str(raw["item"]),
        region=str(raw["region"]),
        unit=str(raw["unit"]),
        price=float(price),
        checked=checked,
        url=url,
        source_note=str(raw.get("source_note", "")),
    )


class PriceTable:
    """Prices keyed by (item, region), each with its source and the date it was checked."""

    def __init__(self, entries: Sequence[PriceEntry]):
        self.entries = list(entries)
        self._by_key: dict[tuple[str, str], PriceEntry] = {}
        for entry in self.entries:
            key = (entry.item, entry.region)
            if key in self._by_key:
                raise PriceTableError(f"prices.yml lists {entry.item!r} in {entry.region} twice; keep one entry.")
            self._by_key[key] = entry

    @classmethod
    def from_yaml(cls, path: Path | None = None) -> PriceTable:
        """Read and validate a price file (the course's `labkit/prices.yml` by default)."""
        path = path or PRICES_FILE
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        raw_entries = document.get("prices")
        if not isinstance(raw_entries, list) or not raw_entries:
            raise PriceTableError(f"{Path(path).name} needs a non-empty list under 'prices:'.")
        return cls([validate_entry(raw, i) for i, raw in enumerate(raw_entries, start=1)])

    def entry(self, item: str, region: str = "us-east-1") -> PriceEntry:
        """The entry of `item` in `region`, or a MissingPriceError that lists what is priced."""
        if (item, region) in self._by_key:
            return self._by_key[(item, region)]
        regions = sorted(r for (i, r) in self._by_key if i == item)
        if regions:
            raise MissingPriceError(
                f"No price for {item!r} in {region}; it is priced in {', '.join(regions)}. Add an entry for "
                f"{region} to labkit/prices.yml with its source URL and the date you checked it."
            )
        close = difflib.get_close_matches(item, sorted({i for (i, _) in self._by_key}), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise MissingPriceError(
            f"No price for {item!r} in any Region.{hint} Add it to labkit/prices.yml with its source URL "
            "and the date you checked it."
        )

    def price(self, item: str, region: str = "us-east-1") -> float:
        """The price of `item` in `region` (in the entry's unit)."""
        return self.entry(item, region).price

    def instance_rate(self, instance_type: str, use: str = "hosting", region: str = "us-east-1") -> float:
        """Hourly rate of a SageMaker instance type for `use` ('hosting' or 'training') in `region`."""
        if use not in ("hosting", "training"):
            raise CostInputError(f"use must be 'hosting' or 'training', got {use!r}.")
        check_instance_type(instance_type, use)
        return self.price(f"sagemaker.{use}.{instance_type}", region)


def load_prices(path: Path | None = None) -> PriceTable:
    """The course's price table, validated (see `PriceTable.from_yaml`)."""
    return PriceTable.from_yaml(path)


@cache
def known_instance_types(use: str = "hosting") -> tuple[str, ...]:
    """SageMaker instance types of the installed botocore API model (hosting or training)."""
    import botocore.session

    shape = {"hosting": "ProductionVariantInstanceType", "training": "TrainingInstanceType"}[use]
    model = botocore.session.get_session().get_service_model("sagemaker")
    return tuple(model.shape_for(shape).enum)


def check_instance_type(instance_type: str, use: str = "hosting") -> str:
    """Return `instance_type` if SageMaker knows it, else raise with the closest names."""
    known = known_instance_types(use)
    if instance_type in known:
        return instance_type
    close = difflib.get_close_matches(str(instance_type), known, n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(close)}?" if close else " Instance types look like 'ml.m5.large'."
    raise UnknownInstanceTypeError(f"{instance_type!r} is not a SageMaker {use} instance type.{hint}")


# --- argument checks -----------------------------------------------------------------------------


def _non_negative(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise CostInputError(f"{name} must be a number, got {type(value).__name__}.")
    if not math.isfinite(value) or value < 0:
        raise CostInputError(f"{name} must be a finite number >= 0, got {value}. Traffic and times cannot be negative.")
    return float(value)


def _positive(name: str, value: float) -> float:
    value = _non_negative(name, value)
    if value == 0:
        raise CostInputError(f"{name} must be > 0, got 0.")
    return value


def _hourly_array(name: str, values: Sequence[float]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise CostInputError(f"{name} must be a non-empty sequence of hourly values.")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        bad = int(np.argmax(~np.isfinite(array) | (array < 0)))
        raise CostInputError(f"{name}[{bad}] is {array[bad]}; hourly traffic must be finite and >= 0.")
    return array


# --- real-time endpoints -------------------------------------------------------------------------


def autoscaling_schedule(
    peak_requests_per_hour: Sequence[float], requests_per_instance_hour: float, min_instances: int = 1
) -> np.ndarray:
    """Instances to run in each hour of the day: enough for that hour's peak, never below the minimum."""
    peaks = _hourly_array("peak_requests_per_hour", peak_requests_per_hour)
    if len(peaks) != HOURS_PER_DAY:
        raise CostInputError(f"peak_requests_per_hour needs 24 values (one per hour of day), got {len(peaks)}.")
    capacity = _positive("requests_per_instance_hour", requests_per_instance_hour)
    if not isinstance(min_instances, int) or min_instances < 1:
        raise CostInputError(f"min_instances must be an integer >= 1, got {min_instances!r}.")
    return np.maximum(min_instances, np.ceil(peaks / capacity)).astype(int)


def realtime_cost(schedule: Sequence[int], hourly_rate: float, days: float = 30) -> float:
    """Real-time endpoint: instances x hours x hourly rate, following an hour-of-day schedule."""
    counts = _hourly_array("schedule", schedule)
    if len(counts) != HOURS_PER_DAY or np.any(counts != np.round(counts)):
        raise CostInputError("schedule needs 24 whole instance counts, one per hour of day.")
    return float(counts.sum()) * _non_negative("hourly_rate", hourly_rate) * _non_negative("days", days)


# --- serverless inference ------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerlessRates:
    """Serverless Inference rates: compute per GB-second, data processed per GB, provisioned concurrency."""

    compute_per_gb_second: float
    data_per_gb: float
    provisioned_per_gb_second: float = 0.0

    def __post_init__(self) -> None:
        for name in ("compute_per_gb_second", "data_per_gb", "provisioned_per_gb_second"):
            _non_negative(name, getattr(self, name))


def serverless_cost(
    requests: float,
    duration_ms: float,
    memory_mb: int,
    rates: ServerlessRates,
    payload_kb: float = 0.0,
    provisioned_concurrency: int = 0,
    provisioned_hours: float = 0.0,
) -> float:
    """Serverless endpoint: compute billed by memory and duration (rounded up to the millisecond),
    plus data processed (in and out), plus provisioned concurrency kept warm.
    """
    requests = _non_negative("requests", requests)
    duration_ms = _non_negative("duration_ms", duration_ms)
    if memory_mb not in SERVERLESS_MEMORY_SIZES_MB:
        raise CostInputError(
            f"memory_mb must be one of {', '.join(map(str, SERVERLESS_MEMORY_SIZES_MB))} (MemorySizeInMB), "
            f"got {memory_mb!r}."
        )
    if not isinstance(provisioned_concurrency, int) or not 0 <= provisioned_concurrency <= SERVERLESS_MAX_CONCURRENCY:
        raise CostInputError(
            f"provisioned_concurrency must be an integer from 0 to {SERVERLESS_MAX_CONCURRENCY}, "
            f"got {provisioned_concurrency!r}."
        )
    memory_gb = memory_mb / 1024
    billed_seconds = math.ceil(duration_ms) / 1000  # billed by the millisecond
    compute = requests * billed_seconds * memory_gb * rates.compute_per_gb_second
    data = requests * _non_negative("payload_kb", payload_kb) / (1024 * 1024) * rates.data_per_gb
    warm_seconds = _non_negative("provisioned_hours", provisioned_hours) * SECONDS_PER_HOUR
    provisioned = provisioned_concurrency * memory_gb * warm_seconds * rates.provisioned_per_gb_second
    return compute + data + provisioned


# --- asynchronous inference and batch transform --------------------------------------------------


def async_instance_hours(hourly_requests: Sequence[float], requests_per_instance_hour: float) -> float:
    """Expected instance-hours of an asynchronous endpoint that scales to zero between requests.

    Requests arrive at random (Poisson) within each hour, so an hour with a mean of `lam` requests
    holds at least one with probability 1 - exp(-lam); a busy hour needs lam / capacity instances.
    """
    lam = _hourly_array("hourly_requests", hourly_requests)
    capacity = _positive("requests_per_instance_hour", requests_per_instance_hour)
    return float(np.maximum(-np.expm1(-lam), lam / capacity).sum())


def async_cost(
    hourly_requests: Sequence[float], requests_per_instance_hour: float, hourly_rate: float, days: float = 1
) -> float:
    """Asynchronous endpoint with auto scaling down to 0 instances: instance-hours x hourly rate x days."""
    hours = async_instance_hours(hourly_requests, requests_per_instance_hour)
    return hours * _non_negative("hourly_rate", hourly_rate) * _non_negative("days", days)


def batch_transform_cost(
    records: float, records_per_instance_hour: float, instances: int, hourly_rate: float, startup_minutes: float = 0
) -> float:
    """Batch transform job: instances x (start-up + scoring time) x hourly rate."""
    if not isinstance(instances, int) or instances < 1:
        raise CostInputError(f"instances must be an integer >= 1, got {instances!r}.")
    throughput = _positive("records_per_instance_hour", records_per_instance_hour) * instances
    scoring_hours = _non_negative("records", records) / throughput
    job_hours = _non_negative("startup_minutes", startup_minutes) / 60 + scoring_hours
    return instances * job_hours * _non_negative("hourly_rate", hourly_rate)


# --- multi-model endpoints -----------------------------------------------------------------------


def single_model_endpoints_cost(n_models: int, instances_per_endpoint: int, hourly_rate: float, hours: float) -> float:
    """N separate real-time endpoints, each always on."""
    if not isinstance(n_models, int) or n_models < 1:
        raise CostInputError(f"n_models must be an integer >= 1, got {n_models!r}.")
    if not isinstance(instances_per_endpoint, int) or instances_per_endpoint < 1:
        raise CostInputError(f"instances_per_endpoint must be an integer >= 1, got {instances_per_endpoint!r}.")
    return n_models * instances_per_endpoint * _non_negative("hourly_rate", hourly_rate) * _non_negative("hours", hours)


def mme_instances(
    n_models: int,
    total_requests_per_hour: float,
    requests_per_instance_hour: float,
    model_memory_mb: float,
    instance_memory_mb: float,
    min_instances: int = 1,
) -> int:
    """Instances one multi-model endpoint needs: enough for the summed traffic and for the hot models' memory."""
    if not isinstance(n_models, int) or n_models < 1:
        raise CostInputError(f"n_models must be an integer >= 1, got {n_models!r}.")
    for_traffic = math.ceil(
        _non_negative("total_requests_per_hour", total_requests_per_hour)
        / _positive("requests_per_instance_hour", requests_per_instance_hour)
    )
    if _non_negative("model_memory_mb", model_memory_mb) > _positive("instance_memory_mb", instance_memory_mb):
        raise CostInputError("model_memory_mb exceeds instance_memory_mb: one model must fit on one instance.")
    for_memory = math.ceil(n_models * model_memory_mb / instance_memory_mb)
    return max(min_instances, for_traffic, for_memory)


# --- training: On-Demand against managed Spot ----------------------------------------------------


@dataclass(frozen=True)
class SpotRun:
    """What `DescribeTrainingJob` would report after a simulated managed Spot training job."""

    status: str
    training_time_s: float
    billable_time_s: float
    wall_clock_s: float
    interruptions: int
    lost_work_s: float

    @property
    def reported_savings(self) -> float:
        """SageMaker's formula: 1 - BillableTimeInSeconds / TrainingTimeInSeconds."""
        return 1 - self.billable_time_s / self.training_time_s if self.training_time_s else 0.0


def validate_stopping_condition(max_runtime_s: float, max_wait_s: float) -> None:
    """MaxWaitTimeInSeconds must be >= MaxRuntimeInSeconds, and the runtime at most 28 days."""
    max_runtime_s = _positive("max_runtime_s", max_runtime_s)
    max_wait_s = _positive("max_wait_s", max_wait_s)
    if max_runtime_s > MAX_RUNTIME_LIMIT_S:
        raise CostInputError(
            f"max_runtime_s is {max_runtime_s:.0f}; MaxRuntimeInSeconds is at most 28 days ({MAX_RUNTIME_LIMIT_S} s)."
        )
    if max_wait_s < max_runtime_s:
        raise CostInputError(
            f"max_wait_s ({max_wait_s:.0f}) is below max_runtime_s ({max_runtime_s:.0f}). With managed Spot "
            "training MaxWaitTimeInSeconds must be at least MaxRuntimeInSeconds; make it larger, to leave "
            "time for waiting on Spot capacity."
        )


def simulate_spot_training(
    compute_needed_s: float,
    spot_price_fraction: float,
    interruptions_per_hour: float,
    mean_wait_s: float,
    checkpoint_every_s: float | None,
    max_runtime_s: float,
    max_wait_s: float,
    seed: int,
) -> SpotRun:
    """Simulate one managed Spot training job, its interruptions drawn from `seed`.

    The job waits for capacity (exponential, mean `mean_wait_s`), runs until it finishes or is
    interrupted (a Poisson process at `interruptions_per_hour`), and on restart resumes from its last
    checkpoint (or from zero without checkpoints). Time run is training time; Spot bills it at
    `spot_price_fraction` of the On-Demand rate, which the model reports as billable seconds.
    """
    validate_stopping_condition(max_runtime_s, max_wait_s)
    needed = _positive("compute_needed_s", compute_needed_s)
    fraction = _non_negative("spot_price_fraction", spot_price_fraction)
    if fraction > 1:
        raise CostInputError(f"spot_price_fraction must be between 0 and 1, got {fraction}.")
    rate = _non_negative("interruptions_per_hour", interruptions_per_hour)
    wait_mean = _non_negative("mean_wait_s", mean_wait_s)
    if checkpoint_every_s is not None:
        _positive("checkpoint_every_s", checkpoint_every_s)
    rng = np.random.default_rng(seed)
    progress = trained = wall = lost = 0.0
    interruptions = 0
    status = "Completed"
    while progress < needed:
        wall += rng.exponential(wait_mean) if wait_mean else 0.0
        until_interruption = rng.exponential(SECONDS_PER_HOUR / rate) if rate else math.inf
        run = min(until_interruption, needed - progress)
        trained += run
        wall += run
        if trained > max_runtime_s:
            status, trained = "MaxRuntimeExceeded", max_runtime_s
            break
        if wall > max_wait_s:
            status = "MaxWaitTimeExceeded"
            break
        if run >= needed - progress:
            progress = needed
            break
        interruptions += 1
        reached = progress + run
        saved = math.floor(reached / checkpoint_every_s) * checkpoint_every_s if checkpoint_every_s else 0.0
        lost += reached - saved
        progress = saved
    return SpotRun(status, trained, trained * fraction, wall, interruptions, lost)


def on_demand_training_cost(compute_needed_s: float, instances: int, hourly_rate: float) -> float:
    """On-Demand training: instances x hours run x hourly rate (no interruptions)."""
    if not isinstance(instances, int) or instances < 1:
        raise CostInputError(f"instances must be an integer >= 1, got {instances!r}.")
    return (
        instances
        * _non_negative("compute_needed_s", compute_needed_s)
        / SECONDS_PER_HOUR
        * _non_negative("hourly_rate", hourly_rate)
    )


# --- SageMaker Savings Plans ---------------------------------------------------------------------


@dataclass(frozen=True)
class SavingsPlanResult:
    """A month (or any period) under a Savings Plan, against paying On-Demand for the same usage."""

    cost: float
    on_demand_cost: float
    utilisation: float  # share of the commitment used
    coverage: float  # share of the On-Demand-equivalent usage the plan covered

    @property
    def saving(self) -> float:
        return 1 - self.cost / self.on_demand_cost if self.on_demand_cost else 0.0


def savings_plan_cost(hourly_usage: Sequence[float], commitment_per_hour: float, discount: float) -> SavingsPlanResult:
    """Cost of hourly usage (On-Demand equivalent) under a $/hour commitment at a given discount.

    Each hour the commitment is paid in full; it buys usage at the discounted rate, so it covers up to
    commitment / (1 - discount) of On-Demand-equivalent usage; usage beyond that is billed On-Demand.
    """
    usage = _hourly_array("hourly_usage", hourly_usage)
    commitment = _non_negative("commitment_per_hour", commitment_per_hour)
    discount = _non_negative("discount", discount)
    if discount >= 1:
        raise CostInputError(f"discount must be a fraction below 1 (0.3 = 30 % off), got {discount}.")
    covers = commitment / (1 - discount)
    covered = np.minimum(usage, covers)
    cost = commitment * len(usage) + float((usage - covered).sum())
    on_demand = float(usage.sum())
    utilisation = float(covered.sum() * (1 - discount) / (commitment * len(usage))) if commitment else 0.0
    coverage = float(covered.sum() / on_demand) if on_demand else 0.0
    return SavingsPlanResult(cost, on_demand, utilisation, coverage)


# --- S3 storage ----------------------------------------------------------------------------------


def s3_cost(gb_months: float, puts: float, gets: float, prices: PriceTable, region: str = "us-east-1") -> float:
    """S3 Express One Zone: storage x GB-month price, plus PUT and GET requests per 1,000."""
    storage = _non_negative("gb_months", gb_months) * prices.price("s3.express_one_zone.storage", region)
    requests = (
        _non_negative("puts", puts) * prices.price("s3.express_one_zone.put_requests", region)
        + _non_negative("gets", gets) * prices.price("s3.express_one_zone.get_requests", region)
    ) / 1000
    return storage + requests


# --- break-even points ---------------------------------------------------------------------------


def break_even(
    cost_a: Callable[[float], float], cost_b: Callable[[float], float], low: float, high: float, tolerance: float = 0.01
) -> float:
    """Traffic level in [low, high] where two cost curves cross, found on a log scale.

    Raises CostInputError if the curves do not cross in the interval, or if they jump past each other
    (a step in instance count) instead of meeting within `tolerance`.
    """
    from scipy.optimize import brentq

    low, high = _positive("low", low), _positive("high", high)
    if low >= high:
        raise CostInputError(f"low ({low}) must be below high ({high}).")

    def gap(log_x: float) -> float:
        x = math.exp(log_x)
        return cost_a(x) - cost_b(x)

    lo_gap, hi_gap = gap(math.log(low)), gap(math.log(high))
    if lo_gap * hi_gap > 0:
        cheaper = "first" if lo_gap < 0 else "second"
        raise CostInputError(
            f"The costs do not cross between {low:g} and {high:g}: the {cheaper} option is "
            "cheaper throughout. Widen the interval."
        )
    root = math.exp(brentq(gap, math.log(low), math.log(high), xtol=1e-12, rtol=1e-12))
    if abs(cost_a(root) - cost_b(root)) > tolerance:
        raise CostInputError(
            f"The costs jump past each other near {root:.4g} (a step in instance count) "
            "instead of crossing; there is no exact break-even there."
        )
    return root
