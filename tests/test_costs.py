"""labkit.costs: the price table's provenance, each billing formula, its errors, and its properties."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from labkit import costs
from labkit.costs import (
    CostInputError,
    MissingPriceError,
    PriceTable,
    PriceTableError,
    ServerlessRates,
    UnknownInstanceTypeError,
)

RATES = ServerlessRates(compute_per_gb_second=0.5 / 3600, data_per_gb=0.1, provisioned_per_gb_second=0.2 / 3600)
FLAT_DAY = np.full(24, 1 / 24)


# --- the price table -----------------------------------------------------------------------------


def test_every_price_entry_has_its_source_and_date():
    raw = yaml.safe_load(costs.PRICES_FILE.read_text(encoding="utf-8"))["prices"]
    assert raw, "prices.yml lists no price"
    for entry in raw:
        for field in ("item", "region", "unit", "price", "checked", "url"):
            assert entry.get(field) not in (None, ""), f"{entry.get('item')}: missing {field}"
        assert isinstance(entry["checked"], dt.date), f"{entry['item']}: checked is not a date"
        assert isinstance(entry["price"], int | float) and entry["price"] >= 0, entry["item"]
        host = entry["url"].split("://", 1)[1].split("/", 1)[0]
        assert entry["url"].startswith("https://") and host.endswith("aws.amazon.com"), entry["url"]
    assert len(PriceTable.from_yaml().entries) == len(raw)


def test_every_sagemaker_price_is_in_dollars_with_its_basis():
    for entry in PriceTable.from_yaml().entries:
        if not entry.item.startswith("sagemaker."):
            continue
        assert entry.unit.startswith("USD") and entry.region == "us-east-1", entry.item
        assert entry.basis in costs.BASES, entry.item
        if entry.basis == "independent-sources":
            names = {source.name for source in entry.sources}
            assert len(names) >= 2 and all(s.date <= entry.checked for s in entry.sources), entry.item
            assert "not read on aws's page" in entry.source_note.lower(), entry.item
        if entry.basis == "assumption":
            assert "ASSUMPTION" in entry.source_note, entry.item


def test_the_table_gives_the_serverless_rates_and_the_three_instance_uses():
    prices = costs.load_prices()
    rates = prices.serverless_rates()
    assert rates.compute_per_gb_second > 0 and rates.data_per_gb > 0
    for use in costs.INSTANCE_USES:
        assert prices.instance_rate("ml.m5.large", use=use) > 0


def _write(tmp_path, entries):
    path = tmp_path / "prices.yml"
    path.write_text(yaml.safe_dump({"prices": entries}), encoding="utf-8")
    return path


GOOD = {
    "item": "x",
    "region": "us-east-1",
    "unit": "USD per GB",
    "price": 0.5,
    "checked": "2026-11-29",
    "url": "https://aws.amazon.com/s3/pricing/",
}


@pytest.mark.parametrize("field", ["url", "checked", "region", "unit", "price"])
def test_a_price_without_its_source_or_date_fails(tmp_path, field):
    entry = {k: v for k, v in GOOD.items() if k != field}
    with pytest.raises(PriceTableError, match=field):
        PriceTable.from_yaml(_write(tmp_path, [entry]))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "https://example.com/pricing", "aws.amazon.com"),
        ("checked", "29/11/2026", "YYYY-MM-DD"),
        ("price", -1, "non-negative"),
        ("url", "http://aws.amazon.com/s3/pricing/", "https"),
    ],
)
def test_a_malformed_entry_fails_with_what_to_fix(tmp_path, field, value, message):
    with pytest.raises(PriceTableError, match=message):
        PriceTable.from_yaml(_write(tmp_path, [{**GOOD, field: value}]))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"basis": "a guess"}, "basis must be one of"),
        ({"basis": "independent-sources", "sources": [{"name": "a", "date": "2026-01-01", "says": "0.5"}]},
         "at least 2 independent"),
        ({"basis": "independent-sources", "sources": [{"name": "a", "says": "0.5"}, {"name": "b"}]},
         "needs a name, a date"),
        ({"basis": "independent-sources", "sources": "a and b"}, "must be a list"),
        ({"basis": "assumption"}, "source_note"),
    ],
)
def test_a_price_not_read_on_the_aws_page_needs_its_sources_or_its_assumption(tmp_path, extra, message):
    with pytest.raises(PriceTableError, match=message):
        PriceTable.from_yaml(_write(tmp_path, [{**GOOD, **extra}]))


def test_two_dated_sources_are_read_with_their_dates(tmp_path):
    sources = [{"name": "a", "date": "2026-03-07", "says": "0.5"}, {"name": "b", "date": "2026-07-30", "says": "0.5"}]
    entry = PriceTable.from_yaml(_write(tmp_path, [{**GOOD, "basis": "independent-sources", "sources": sources}]))
    assert entry.entries[0].sources[1].date == dt.date(2026, 7, 30)


def test_duplicate_entries_fail(tmp_path):
    with pytest.raises(PriceTableError, match="twice"):
        PriceTable.from_yaml(_write(tmp_path, [GOOD, GOOD]))


def test_a_price_missing_for_a_region_names_the_regions_that_have_it():
    prices = costs.load_prices()
    with pytest.raises(MissingPriceError, match="priced in us-east-1") as info:
        prices.instance_rate("ml.m5.large", region="eu-west-1")
    assert "prices.yml" in str(info.value) and not str(info.value).startswith("'")


def test_a_valid_instance_type_without_a_price_says_to_add_it():
    with pytest.raises(MissingPriceError, match="Add it to labkit/prices.yml"):
        costs.load_prices().instance_rate("ml.c5.xlarge")


def test_an_unknown_instance_type_lists_close_matches():
    with pytest.raises(UnknownInstanceTypeError, match="Did you mean ml.m5.large"):
        costs.load_prices().instance_rate("ml.m5.lrge")
    with pytest.raises(UnknownInstanceTypeError, match="look like"):
        costs.check_instance_type("banana")


def test_use_must_be_hosting_training_or_batch():
    with pytest.raises(CostInputError, match="hosting"):
        costs.load_prices().instance_rate("ml.m5.large", use="inference")


# --- formulas against hand computations ----------------------------------------------------------


def test_realtime_cost_is_instances_times_hours_times_rate():
    schedule = [1] * 8 + [3] * 12 + [2] * 4  # 8 + 36 + 8 = 52 instance-hours a day
    assert costs.realtime_cost(schedule, hourly_rate=0.5, days=30) == pytest.approx(52 * 0.5 * 30)


def test_autoscaling_schedule_covers_each_hour_and_keeps_the_minimum():
    peaks = [0] * 6 + [100] * 6 + [250] * 6 + [99] * 6
    assert costs.autoscaling_schedule(peaks, 100, min_instances=2).tolist() == [2] * 6 + [2] * 6 + [3] * 6 + [2] * 6


def test_serverless_cost_by_hand():
    # 1,000 requests of 120.4 ms (billed 121 ms) at 2 GB, 10 KB each, plus 1 warm copy for 5 hours.
    compute = 1000 * 0.121 * 2 * RATES.compute_per_gb_second
    data = 1000 * 10 / 1024**2 * RATES.data_per_gb
    warm = 1 * 2 * 5 * 3600 * RATES.provisioned_per_gb_second
    got = costs.serverless_cost(1000, 120.4, 2048, RATES, payload_kb=10, provisioned_concurrency=1, provisioned_hours=5)
    assert got == pytest.approx(compute + data + warm)


def test_async_instance_hours_by_hand():
    # An idle hour costs nothing; 1 request expected -> 1 - e^-1; 500 at 100 per instance-hour -> 5.
    hours = costs.async_instance_hours([0, 1, 500], requests_per_instance_hour=100)
    assert hours == pytest.approx((1 - math.exp(-1)) + 5)


def test_batch_transform_by_hand():
    # 2 instances, 10 min start-up, 120,000 records at 30,000 per instance-hour: 2 x (1/6 + 2) h.
    assert costs.batch_transform_cost(120_000, 30_000, 2, hourly_rate=1.0, startup_minutes=10) == pytest.approx(
        2 * (10 / 60 + 2)
    )


def test_mme_instances_by_hand():
    assert costs.mme_instances(20, 50_000, 20_000, model_memory_mb=300, instance_memory_mb=4000) == 3
    assert costs.mme_instances(20, 10, 20_000, model_memory_mb=600, instance_memory_mb=4000) == 3  # memory bound
    assert costs.single_model_endpoints_cost(20, 1, hourly_rate=1.0, hours=720) == 14_400


def test_savings_plan_by_hand():
    # Commit 0.6/h at 40 % off: covers 1.0/h of On-Demand usage. Usage 1.0 then 0.5 then 2.0.
    result = costs.savings_plan_cost([1.0, 0.5, 2.0], commitment_per_hour=0.6, discount=0.4)
    assert result.cost == pytest.approx(0.6 * 3 + 1.0)
    assert result.on_demand_cost == pytest.approx(3.5)
    assert result.utilisation == pytest.approx((1.0 + 0.5 + 1.0) * 0.6 / 1.8)
    assert result.coverage == pytest.approx(2.5 / 3.5)


def test_s3_cost_by_hand_with_the_faq_prices():
    prices = costs.load_prices()
    # The S3 FAQ's example: 10 GB-month, 1,000,000 PUTs and 9,000,000 GETs -> 1.10 + 1.13 + 0.27.
    assert costs.s3_cost(10, 1_000_000, 9_000_000, prices) == pytest.approx(1.10 + 1.13 + 0.27)


def test_on_demand_training_by_hand():
    assert costs.on_demand_training_cost(7200, 2, hourly_rate=1.5) == pytest.approx(6.0)


def test_spot_without_interruptions_saves_exactly_the_discount():
    run = costs.simulate_spot_training(3600, 0.3, 0, 0, None, max_runtime_s=7200, max_wait_s=7200, seed=0)
    assert run.status == "Completed" and run.interruptions == 0
    assert run.reported_savings == pytest.approx(0.7)


def test_spot_is_reproducible_and_checkpoints_cut_lost_work():
    kwargs = dict(
        compute_needed_s=4 * 3600,
        spot_price_fraction=0.3,
        interruptions_per_hour=0.5,
        mean_wait_s=300,
        max_runtime_s=48 * 3600,
        max_wait_s=96 * 3600,
    )
    with_ckpt = [costs.simulate_spot_training(checkpoint_every_s=600, seed=s, **kwargs) for s in range(20)]
    without = [costs.simulate_spot_training(checkpoint_every_s=None, seed=s, **kwargs) for s in range(20)]
    assert with_ckpt[3] == costs.simulate_spot_training(checkpoint_every_s=600, seed=3, **kwargs)
    assert sum(r.lost_work_s for r in with_ckpt) < sum(r.lost_work_s for r in without)
    for run in with_ckpt:
        assert run.reported_savings == pytest.approx(1 - run.billable_time_s / run.training_time_s)
        assert run.training_time_s == pytest.approx(kwargs["compute_needed_s"] + run.lost_work_s)


def test_spot_stops_at_max_wait():
    run = costs.simulate_spot_training(
        3600, 0.3, 0, mean_wait_s=10_000, checkpoint_every_s=None, max_runtime_s=3600, max_wait_s=3700, seed=1
    )
    assert run.status == "MaxWaitTimeExceeded"


# --- errors --------------------------------------------------------------------------------------


def test_max_wait_below_max_runtime_is_refused():
    with pytest.raises(CostInputError, match="MaxWaitTimeInSeconds must be at least MaxRuntimeInSeconds"):
        costs.validate_stopping_condition(max_runtime_s=7200, max_wait_s=3600)
    with pytest.raises(CostInputError, match="28 days"):
        costs.validate_stopping_condition(max_runtime_s=30 * 86400, max_wait_s=31 * 86400)
    costs.validate_stopping_condition(7200, 7200)  # equal is accepted by the API


@pytest.mark.parametrize(
    "call",
    [
        lambda: costs.serverless_cost(-5, 100, 2048, RATES),
        lambda: costs.async_instance_hours([1, -2, 3], 100),
        lambda: costs.batch_transform_cost(-1, 100, 1, 1.0),
        lambda: costs.realtime_cost([1] * 24, hourly_rate=-1),
        lambda: costs.autoscaling_schedule([-1] * 24, 100),
        lambda: costs.savings_plan_cost([-1.0], 1, 0.2),
    ],
)
def test_negative_traffic_or_rates_are_refused(call):
    with pytest.raises(CostInputError, match=">= 0"):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: costs.serverless_cost(1, 100, 1500, RATES), "MemorySizeInMB"),
        (lambda: costs.serverless_cost(1, 100, 2048, RATES, provisioned_concurrency=201), "0 to 200"),
        (lambda: costs.autoscaling_schedule([1] * 23, 100), "24 values"),
        (lambda: costs.autoscaling_schedule([1] * 24, 0), "> 0"),
        (lambda: costs.savings_plan_cost([1.0], 1, 1.0), "below 1"),
        (lambda: costs.serverless_cost("10", 100, 2048, RATES), "must be a number"),
        (lambda: costs.simulate_spot_training(10, 1.5, 0, 0, None, 100, 100, 0), "between 0 and 1"),
        (lambda: costs.mme_instances(2, 1, 1, model_memory_mb=10, instance_memory_mb=5), "fit on one instance"),
        (lambda: costs.batch_transform_cost(10, 100, 0, 1.0), "instances must be an integer >= 1"),
        (lambda: costs.batch_transform_cost(10, 100, 1.5, 1.0), "instances must be an integer"),
        (lambda: costs.realtime_cost([1.5] * 24, 1.0), "24 whole instance counts"),
        (lambda: costs.serverless_cost(1, 100, True, RATES), "MemorySizeInMB"),
        (lambda: costs.check_count("n", -1, low=0, high=5), "from 0 to 5"),
    ],
)
def test_bad_arguments_say_what_to_fix(call, message):
    with pytest.raises(CostInputError, match=message):
        call()


def test_break_even_refuses_curves_that_do_not_cross_or_that_jump():
    with pytest.raises(CostInputError, match="do not cross"):
        costs.break_even(lambda x: x, lambda x: x + 1, 1, 10)
    with pytest.raises(CostInputError, match="jump past each other"):
        costs.break_even(lambda x: 5.0, lambda x: 0.0 if x < 3 else 10.0, 1, 10)


# --- properties ----------------------------------------------------------------------------------

traffic = st.floats(min_value=0, max_value=1e7, allow_nan=False)
shape = st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=24, max_size=24).filter(
    lambda xs: sum(xs) > 0
)


def _hourly(requests_per_day, weights):
    weights = np.asarray(weights) / np.sum(weights)
    return requests_per_day * weights


@settings(max_examples=60, deadline=None)
@given(a=traffic, b=traffic, weights=shape)
def test_more_traffic_never_costs_less(a, b, weights):
    low, high = sorted((a, b))
    assert costs.serverless_cost(low, 80, 2048, RATES, 4) <= costs.serverless_cost(high, 80, 2048, RATES, 4)
    assert (
        costs.async_instance_hours(_hourly(low, weights), 5000)
        <= costs.async_instance_hours(_hourly(high, weights), 5000) + 1e-9
    )
    schedule_low = costs.autoscaling_schedule(_hourly(low, weights), 5000)
    schedule_high = costs.autoscaling_schedule(_hourly(high, weights), 5000)
    assert costs.realtime_cost(schedule_low, 1.0) <= costs.realtime_cost(schedule_high, 1.0)
    assert costs.batch_transform_cost(low, 5000, 1, 1.0, 5) <= costs.batch_transform_cost(high, 5000, 1, 1.0, 5)
    usage_low, usage_high = _hourly(low, weights) / 1000, _hourly(high, weights) / 1000
    assert costs.savings_plan_cost(usage_low, 1, 0.3).cost <= costs.savings_plan_cost(usage_high, 1, 0.3).cost + 1e-9


@settings(max_examples=60, deadline=None)
@given(
    instances=st.integers(min_value=1, max_value=4),
    duration_ms=st.floats(min_value=5, max_value=2000),
    memory_mb=st.sampled_from(costs.SERVERLESS_MEMORY_SIZES_MB),
)
def test_break_even_costs_are_equal_within_a_cent_and_the_cheaper_option_flips(instances, duration_ms, memory_mb):
    days = 30

    def serverless(requests_per_day):
        return costs.serverless_cost(requests_per_day * days, duration_ms, memory_mb, RATES, payload_kb=4)

    def always_on(requests_per_day):
        return costs.realtime_cost([instances] * 24, hourly_rate=1.0, days=days)

    point = costs.break_even(serverless, always_on, 1, 1e12)
    assert abs(serverless(point) - always_on(point)) <= 0.01
    assert serverless(point * 0.9) < always_on(point * 0.9)
    assert serverless(point * 1.1) > always_on(point * 1.1)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000), checkpoint=st.sampled_from([None, 300.0, 900.0]))
def test_spot_reported_savings_follow_the_sagemaker_formula(seed, checkpoint):
    run = costs.simulate_spot_training(2 * 3600, 0.35, 0.4, 120, checkpoint, 72 * 3600, 144 * 3600, seed)
    if run.training_time_s:
        assert run.reported_savings == pytest.approx(1 - run.billable_time_s / run.training_time_s)
        assert run.reported_savings == pytest.approx(0.65)
