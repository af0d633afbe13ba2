"""Lab 07's conclusions hold under other seeds (and its "Your turn" checkers say the right thing).

The Summary concludes: serverless is cheaper than a tracking real-time endpoint below about 720,000
requests a day and the crossing barely depends on which days were recorded; halving an instance's
capacity raises it a lot; Spot's reported saving overstates the real one and checkpoints recover a
part that is larger than the luck of the nights; a Savings Plan pays best when it commits to the
baseline instance; one multi-model endpoint costs less than separate endpoints. Each is recomputed
here with `labkit.costs` and the lab's traffic shape, under seeds 1 and 2 instead of the lab's 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from labkit import costs
from labkit.datasets import load_dataset
from labkit.yourturn import lab07

SEEDS = (1, 2)
DAYS, DURATION_MS, MEMORY_MB, PAYLOAD_KB = 30, 100, 2048, 5
PER_INSTANCE_HOUR = 40 * 0.5 * 3600
PRICES = costs.load_prices()
HOST_RATE = PRICES.instance_rate("ml.m5.large")
TRAIN_RATE = PRICES.instance_rate("ml.m5.large", use="training")
RATES = PRICES.serverless_rates()


@pytest.fixture(scope="module")
def traffic():
    hotel = load_dataset("hotel_rates")
    arrivals = hotel.groupby("arrival_date").size()
    hours = np.arange(24)
    share = 0.15 + np.clip(np.sin(np.pi * (hours - 7) / 16), 0, None)
    return (arrivals / arrivals.mean()).to_numpy(), share / share.sum(), hotel


def _serverless(level):
    return costs.serverless_cost(level * DAYS, DURATION_MS, MEMORY_MB, RATES, PAYLOAD_KB)


def _tracking(level, days, share, capacity=PER_INSTANCE_HOUR):
    instances = np.maximum(1, np.ceil(level * days[:, None] * share[None, :] / capacity))
    return float(instances.sum(axis=1).mean()) * HOST_RATE * DAYS


@pytest.mark.parametrize("seed", SEEDS)
def test_the_break_even_stays_near_720_thousand_requests_a_day_for_resampled_days(traffic, seed):
    factor, share, _ = traffic
    days = np.random.default_rng(seed).choice(factor, size=len(factor))
    days = days / days.mean()
    point = costs.break_even(_serverless, lambda level: _tracking(level, days, share), 1e4, 2e7)
    assert 6.5e5 < point < 8e5, point
    assert _serverless(point * 0.9) < _tracking(point * 0.9, days, share)
    assert _serverless(point * 1.1) > _tracking(point * 1.1, days, share)
    half = costs.break_even(_serverless, lambda level: _tracking(level, days, share, PER_INSTANCE_HOUR / 2), 1e4, 2e7)
    assert half > 1.5 * point


@pytest.mark.parametrize("seed", SEEDS)
def test_spot_reports_more_than_it_saves_and_checkpoints_help_beyond_chance(seed):
    spot = dict(compute_needed_s=7200, spot_price_fraction=0.3, interruptions_per_hour=0.5, mean_wait_s=600,
                max_runtime_s=4 * 3600, max_wait_s=8 * 3600)
    nights = 30
    on_demand = nights * costs.on_demand_training_cost(7200, 1, TRAIN_RATE)
    runs = {every: [costs.simulate_spot_training(checkpoint_every_s=every, seed=seed * 1000 + n, **spot)
                    for n in range(nights)] for every in (600, None)}
    bills = {every: np.array([r.billable_time_s for r in nights_]) / 3600 * TRAIN_RATE
             for every, nights_ in runs.items()}
    for every, nights_ in runs.items():
        assert 1 - bills[every].sum() / on_demand < np.mean([r.reported_savings for r in nights_])
    rng = np.random.default_rng(seed)
    gain = [(rng.choice(bills[None], nights).sum() - rng.choice(bills[600], nights).sum()) / on_demand
            for _ in range(2000)]
    assert np.percentile(gain, 2.5) > 0
    assert sum(r.status == "Completed" for r in runs[600]) >= sum(r.status == "Completed" for r in runs[None])


@pytest.mark.parametrize("seed", SEEDS)
def test_a_savings_plan_pays_best_on_the_baseline_instance(traffic, seed):
    factor, share, _ = traffic
    first = int(np.random.default_rng(seed).integers(0, len(factor) - 30))
    hourly = 2_000_000 * factor[first:first + 30, None] * share[None, :]
    usage = np.concatenate([costs.autoscaling_schedule(day, PER_INSTANCE_HOUR) for day in hourly]) * HOST_RATE
    discount = 0.3
    saving = {worth: costs.savings_plan_cost(usage, worth * HOST_RATE * (1 - discount), discount).saving
              for worth in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)}
    assert max(saving, key=saving.get) == 1.0 and saving[3.0] < 0


def test_one_multi_model_endpoint_costs_less_than_separate_endpoints(traffic):
    factor, share, hotel = traffic
    bookings = hotel["country"].value_counts()
    n_models = int((bookings >= 200).sum())
    peak = (300_000 * factor[:, None] * share[None, :]).max()
    single = costs.single_model_endpoints_cost(n_models, 1, HOST_RATE, hours=24 * DAYS)
    shared = costs.realtime_cost([costs.mme_instances(n_models, peak, PER_INSTANCE_HOUR, 300, 6000)] * 24,
                                 HOST_RATE, DAYS)
    assert shared < single / 2


# --- the "Your turn" checkers of labkit.yourturn.lab07 ----------------------------------------------


def test_the_serverless_bill_checker(capsys):
    right = costs.serverless_cost(100_000 * DAYS, DURATION_MS, MEMORY_MB, RATES, PAYLOAD_KB)
    assert lab07.check_serverless_month(right) is True and capsys.readouterr().out.startswith("Correct")
    assert lab07.check_serverless_month(None) is False and capsys.readouterr().out.startswith("Not yet")
    assert lab07.check_serverless_month(right / DAYS) is False
    assert "requests a day times DAYS" in capsys.readouterr().out
    assert lab07.check_serverless_month(right * 4) is False and "too high" in capsys.readouterr().out
    assert lab07.check_serverless_month("12") is False and "number" in capsys.readouterr().out


def test_the_break_even_guess_checker(capsys):
    assert lab07.check_break_even_guess(None, 7e5) is False and capsys.readouterr().out.startswith("Not yet")
    assert lab07.check_break_even_guess(5e5, 7e5) is True and "Correct" in capsys.readouterr().out
    assert lab07.check_break_even_guess(7e4, 7e5) is False and "10.0 times too low" in capsys.readouterr().out
    assert lab07.check_break_even_guess(-1, 7e5) is False and "positive" in capsys.readouterr().out
    with pytest.raises(ValueError, match="measured"):
        lab07.check_break_even_guess(1.0, 0.0)
