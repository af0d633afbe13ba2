"""labkit.lab: reproducible starts."""

from __future__ import annotations

import pytest

from labkit.lab import machine, python_version, start, versions


def test_start_returns_the_same_stream_for_the_same_seed():
    first = start(seed=7).integers(0, 1_000_000, size=5)
    second = start(seed=7).integers(0, 1_000_000, size=5)
    assert (first == second).all()


def test_start_limits_thread_pools_to_one():
    from threadpoolctl import threadpool_info

    start()
    assert all(pool["num_threads"] == 1 for pool in threadpool_info())


@pytest.mark.parametrize("kwargs, message", [({"seed": -1}, "seed"), ({"threads": 0}, "threads")])
def test_start_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        start(**kwargs)


def test_versions_reports_missing_packages():
    found = versions(["pandas", "no-such-package-here"])
    assert found["no-such-package-here"] == "not installed"
    assert found["pandas"][0].isdigit()


def test_python_and_machine():
    assert python_version() == "3.11"
    assert machine()["cores"] >= 1
