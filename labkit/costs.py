"""Cost arithmetic for SageMaker inference and training, driven by a price table kept as data.

Every price comes from `labkit/prices.yml`, where each entry carries its Region, unit, the date it
was checked, the AWS page a learner checks it on, and its basis: read on that AWS page, confirmed by
at least two independent dated sources when the page could not be read, or a labelled assumption.
The billing formulas (`realtime_cost`, `serverless_cost`, `batch_transform_cost`) are shown in
Lab 07; they take rates as arguments and read in a few lines because the input checks live in the
small `check_*` helpers they call.

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
# How an entry's price is known: read on the AWS page at `url`; not readable there but confirmed by
# at least two independent dated sources (listed under `sources`); or an assumption the lab labels.
BASES = ("aws-page", "independent-sources", "assumption")
MIN_INDEPENDENT_SOURCES = 2
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
class PriceSource:
    """A dated source that states a price, named so that a reader can find it."""

    name: str
    date: dt.date
    says: str


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
    basis: str = "aws-page"
    sources: tuple[PriceSource, ...] = ()


def _as_date(value: object, what: str) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise PriceTableError(f"{what} must be a date YYYY-MM-DD, got {value!r}.") from exc
    if not isinstance(value, dt.date):
        raise PriceTableError(f"{what} must be a date YYYY-MM-DD, got {value!r}.")
    return value


def _sources(raw: dict, where: str) -> tuple[PriceSource, ...]:
    listed = raw.get("sources") or []
    if not isinstance(listed, list):
        raise PriceTableError(f"{where}: sources must be a list of {{name, date, says}}.")
    found = []
    for number, source in enumerate(listed, start=1):
        if not isinstance(source, dict) or any(source.get(k) in (None, "") for k in ("name", "date", "says")):
            raise PriceTableError(f"{where}: source {number} needs a name, a date and what it says.")
        found.append(PriceSource(str(source["name"]), _as_date(source["date"], f"{where}: source {number} date"),
                                 str(source["says"])))
    return tuple(found)


def validate_entry(raw: dict, position: int) -> PriceEntry:
    """Check one raw entry of the price file and turn it into a `PriceEntry`.

    Raises PriceTableError naming the entry and the missing or malformed field: every entry needs its
    item, region, unit, price, date and AWS page; an entry whose `basis` is `independent-sources`
    needs at least two dated sources, and an `assumption` needs a `source_note` saying what is assumed.
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
    checked = _as_date(raw["checked"], f"{where}: checked")
    url = str(raw["url"])
    host = url.split("://", 1)[-1].split("/", 1)[0]
    if not url.startswith("https://") or not any(host == h or host.endswith("." + h) for h in AWS_HOSTS):
        raise PriceTableError(f"{where}: url must be an https page on aws.amazon.com, got {url!r}.")
    basis = str(raw.get("basis", "aws-page"))
    if basis not in BASES:
        raise PriceTableError(f"{where}: basis must be one of {', '.join(BASES)}, got {basis!r}.")
    sources = _sources(raw, where)
    if basis == "independent-sources" and len(sources) < MIN_INDEPENDENT_SOURCES:
        raise PriceTableError(
            f"{where}: a price not read on the AWS page needs at least {MIN_INDEPENDENT_SOURCES} independent "
            f"dated sources that agree; {len(sources)} listed."
        )
    if basis == "assumption" and not str(raw.get("source_note", "")).strip():
        raise PriceTableError(f"{where}: an assumption needs a source_note that says what is assumed and why.")
    return PriceEntry(
        item=str(raw["item"]),
        region=str(raw["region"]),
        unit=str(raw["unit"]),
        price=float(price),
        checked=checked,
        url=url,
        source_note=str(raw.get("source_note", "")),
        basis=basis,
        sources=sources,
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
        """Hourly rate of a SageMaker instance type for `use` ('hosting', 'training' or 'batch') in `region`."""
        if use not in INSTANCE_USES:
            raise CostInputError(f"use must be one of {', '.join(map(repr, INSTANCE_USES))}, got {use!r}.")
        check_instance_type(instance_type, use)
        return self.price(f"sagemaker.{use}.{instance_type}", region)

    def serverless_rates(self, region: str = "us-east-1") -> ServerlessRates:
        """Serverless Inference's compute rate (per GB-second) and data rate (per GB processed) in `region`."""
        return ServerlessRates(
            compute_per_gb_second=self.price("sagemaker.serverless.compute", region),
            data_per_gb=self.price("sagemaker.serverless.data", region),
        )


def load_prices(path: Path | None = None) -> PriceTable:
    """The course's price table, validated (see `PriceTable.from_yaml`)."""
    return PriceTable.from_yaml(path)


INSTANCE_USES = ("hosting", "training", "batch")


@cache
def known_instance_types(use: str = "hosting") -> tuple[str, ...]:
    """SageMaker instance types of the installed botocore API model (hosting, training or batch)."""
    import botocore.session

    shape = {"hosting": "ProductionVariantInstanceType", "training": "TrainingInstanceType",
             "batch": "TransformInstanceType"}[use]
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


# --- argument checks (the billing formulas call these, so that each formula reads in a few lines) --


def check_number(name: str, value: float) -> float:
    """`value` as a float if it is a finite number >= 0, else a CostInputError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise CostInputError(f"{name} must be a number, got {type(value).__name__}.")
    if not math.isfinite(value) or value < 0:
        raise CostInputError(f"{name} must be a finite number >= 0, got {value}. Traffic and times cannot be negative.")
    return float(value)


def check_positive(name: str, value: float) -> float:
    """`value` as a float if it is a finite number > 0."""
    value = check_number(name, value)
    if value == 0:
        raise CostInputError(f"{name} must be > 0, got 0.")
    return value


def check_count(name: str, value: int, low: int = 1, high: int | None = None) -> int:
    """`value` if it is a whole number from `low` to `high` (no upper bound when `high` is None)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low or (
        high is not None and value > high
    ):
        bounds = f"from {low} to {high}" if high is not None else f">= {low}"
        raise CostInputError(f"{name} must be an integer {bounds}, got {value!r}.")
    return int(value)


def check_hourly(name: str, values: Sequence[float]) -> np.ndarray:
    """A non-empty 1-D array of finite values >= 0 (hourly traffic or usage)."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise CostInputError(f"{name} must be a non-empty sequence of hourly values.")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        bad = int(np.argmax(~np.isfinite(array) | (array < 0)))
        raise CostInputError(f"{name}[{bad}] is {array[bad]}; hourly traffic must be finite and >= 0.")
    return array


def check_day_schedule(schedule: Sequence[int]) -> np.ndarray:
    """An hour-of-day schedule: 24 whole instance counts >= 0."""
    counts = check_hourly("schedule", schedule)
    if len(counts) != HOURS_PER_DAY or np.any(counts != np.round(counts)):
        raise CostInputError("schedule needs 24 whole instance counts, one per hour of day.")
    return counts


def check_memory_gb(memory_mb: int) -> float:
    """A serverless memory size in GB, if `memory_mb` is one of the sizes `MemorySizeInMB` accepts."""
    if isinstance(memory_mb, bool) or memory_mb not in SERVERLESS_MEMORY_SIZES_MB:
        raise CostInputError(
            f"memory_mb must be one of {', '.join(map(str, SERVERLESS_MEMORY_SIZES_MB))} (MemorySizeInMB), "
            f"got {memory_mb!r}."
        )
    return memory_mb / 1024


# --- real-time endpoints -------------------------------------------------------------------------


def autoscaling_schedule(
    peak_requests_per_hour: Sequence[float], requests_per_instance_hour: float, min_instances: int = 1
) -> np.ndarray:
    """Instances to run in each hour of the day: enough for that hour's peak, never below the minimum."""
    peaks = check_hourly("peak_requests_per_hour", peak_requests_per_hour)
    if len(peaks) != HOURS_PER_DAY:
        raise CostInputError(f"peak_requests_per_hour needs 24 values (one per hour of day), got {len(peaks)}.")
    capacity = check_positive("requests_per_instance_hour", requests_per_instance_hour)
    min_instances = check_count("min_instances", min_instances)
    return np.maximum(min_instances, np.ceil(peaks / capacity)).astype(int)


def realtime_cost(schedule: Sequence[int], hourly_rate: float, days: float = 30) -> float:
    """Real-time endpoint: the day's instance-hours x the hourly rate x days, busy or idle."""
    instance_hours_per_day = float(check_day_schedule(schedule).sum())
    return instance_hours_per_day * check_number("hourly_rate", hourly_rate) * check_number("days", days)


# --- serverless inference ------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerlessRates:
    """Serverless Inference rates: compute per GB-second, data processed per GB, provisioned concurrency."""

    compute_per_gb_second: float
    data_per_gb: float
    provisioned_per_gb_second: float = 0.0

    def __post_init__(self) -> None:
        for name in ("compute_per_gb_second", "data_per_gb", "provisioned_per_gb_second"):
            check_number(name, getattr(self, name))


def serverless_cost(
    requests: float,
    duration_ms: float,
    memory_mb: int,
    rates: ServerlessRates,
    payload_kb: float = 0.0,
    provisioned_concurrency: int = 0,
    provisioned_hours: float = 0.0,
) -> float:
    """Serverless endpoint: GB-seconds of compute (each request rounded up to the millisecond), plus the
    GB of data processed in and out, plus any provisioned concurrency kept warm."""
    requests, memory_gb = check_number("requests", requests), check_memory_gb(memory_mb)
    gb_seconds = requests * math.ceil(check_number("duration_ms", duration_ms)) / 1000 * memory_gb
    gb_processed = requests * check_number("payload_kb", payload_kb) / 1024**2
    warm_gb_seconds = (check_count("provisioned_concurrency", provisioned_concurrency, 0, SERVERLESS_MAX_CONCURRENCY)
                       * memory_gb * check_number("provisioned_hours", provisioned_hours) * SECONDS_PER_HOUR)
    return (gb_seconds * rates.compute_per_gb_second + gb_processed * rates.data_per_gb
            + warm_gb_seconds * rates.provisioned_per_gb_second)


# --- asynchronous inference and batch transform --------------------------------------------------


def async_instance_hours(hourly_requests: Sequence[float], requests_per_instance_hour: float) -> float:
    """Expected instance-hours of an asynchronous endpoint that scales to zero between requests.

    Requests arrive at random (Poisson) within each hour, so an hour with a mean of `lam` requests
    holds at least one with probability 1 - exp(-lam); a busy hour needs lam / capacity instances.
    """
    lam = check_hourly("hourly_requests", hourly_requests)
    capacity = check_positive("requests_per_instance_hour", requests_per_instance_hour)
    return float(np.maximum(-np.expm1(-lam), lam / capacity).sum())


def async_cost(
    hourly_requests: Sequence[float], requests_per_instance_hour: float, hourly_rate: float, days: float = 1
) -> float:
    """Asynchronous endpoint with auto scaling down to 0 instances: instance-hours x hourly rate x days."""
    hours = async_instance_hours(hourly_requests, requests_per_instance_hour)
    return hours * check_number("hourly_rate", hourly_rate) * check_number("days", days)


def batch_transform_cost(
    records: float, records_per_instance_hour: float, instances: int, hourly_rate: float, startup_minutes: float = 0
) -> float:
    """Batch transform job: instances x (start-up + scoring hours) x hourly rate; nothing runs after it."""
    instances = check_count("instances", instances)
    scoring_hours = check_number("records", records) / (
        check_positive("records_per_instance_hour", records_per_instance_hour) * instances)
    job_hours = check_number("startup_minutes", startup_minutes) / 60 + scoring_hours
    return instances * job_hours * check_number("hourly_rate", hourly_rate)


# --- multi-model endpoints -----------------------------------------------------------------------


def single_model_endpoints_cost(n_models: int, instances_per_endpoint: int, hourly_rate: float, hours: float) -> float:
    """N separate real-time endpoints, each always on."""
    n_models = check_count("n_models", n_models)
    instances_per_endpoint = check_count("instances_per_endpoint", instances_per_endpoint)
    return n_models * instances_per_endpoint * check_number("hourly_rate", hourly_rate) * check_number("hours", hours)


def mme_instances(
    n_models: int,
    total_requests_per_hour: float,
    requests_per_instance_hour: float,
    model_memory_mb: float,
    instance_memory_mb: float,
    min_instances: int = 1,
) -> int:
    """Instances one multi-model endpoint needs: enough for the summed traffic and for the hot models' memory."""
    n_models = check_count("n_models", n_models)
    for_traffic = math.ceil(
        check_number("total_requests_per_hour", total_requests_per_hour)
        / check_positive("requests_per_instance_hour", requests_per_instance_hour)
    )
    if check_number("model_memory_mb", model_memory_mb) > check_positive("instance_memory_mb", instance_memory_mb):
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
    max_runtime_s = check_positive("max_runtime_s", max_runtime_s)
    max_wait_s = check_positive("max_wait_s", max_wait_s)
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
    needed = check_positive("compute_needed_s", compute_needed_s)
    fraction = check_number("spot_price_fraction", spot_price_fraction)
    if fraction > 1:
        raise CostInputError(f"spot_price_fraction must be between 0 and 1, got {fraction}.")
    rate = check_number("interruptions_per_hour", interruptions_per_hour)
    wait_mean = check_number("mean_wait_s", mean_wait_s)
    if checkpoint_every_s is not None:
        check_positive("checkpoint_every_s", checkpoint_every_s)
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
    instances = check_count("instances", instances)
    return (
        instances
        * check_number("compute_needed_s", compute_needed_s)
        / SECONDS_PER_HOUR
        * check_number("hourly_rate", hourly_rate)
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
    usage = check_hourly("hourly_usage", hourly_usage)
    commitment = check_number("commitment_per_hour", commitment_per_hour)
    discount = check_number("discount", discount)
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
    storage = check_number("gb_months", gb_months) * prices.price("s3.express_one_zone.storage", region)
    requests = (
        check_number("puts", puts) * prices.price("s3.express_one_zone.put_requests", region)
        + check_number("gets", gets) * prices.price("s3.express_one_zone.get_requests", region)
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

    low, high = check_positive("low", low), check_positive("high", high)
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
