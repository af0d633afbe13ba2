"""Lab 14's conclusions hold for other seeds: the notebook's own code, re-run with SEED = 1 and 2.

The seed draws other synthetic people, attaches them to other applications and picks another
opt-in sample. The lab's code cells run in order with `SEED` replaced (the "Your turn"
self-checks are skipped), then this test asserts what the lab's Summary concludes. The checks of
the "Your turn" tasks are exercised here too, with right and wrong answers.
"""

from __future__ import annotations

import pytest

from labkit.privacy import pseudonymise
from labkit.yourturn import lab14
from tests.conftest import REPO_ROOT
from tests.lab_runner import run_lab_with_seed

LAB = REPO_ROOT / "labs" / "14-privacy-masking-and-pseudonyms.ipynb"


def run_lab(seed: int) -> dict:
    return run_lab_with_seed(LAB, seed)


@pytest.fixture(scope="module", params=[1, 2], ids=lambda seed: f"seed{seed}")
def lab(request):
    return run_lab(request.param)


def test_masking_shows_no_full_value(lab):
    view, applications = lab["support_view"], lab["applications"]
    assert not view["email"].isin(applications["email"]).any()
    assert not view["phone"].isin(applications["phone"]).any()


def test_keyed_pseudonyms_keep_joins(lab):
    plain, pseudonymous = lab["plain_join"], lab["pseudonymous_join"]
    assert len(plain) == len(pseudonymous) > 0
    tokens = pseudonymise(plain[["email"]], "email", key=lab["PSEUDONYM_KEY"])["email"]
    assert set(pseudonymous["email"]) == set(tokens)


def test_an_unkeyed_hash_is_reversed_and_hmac_holds_until_the_key_leaks(lab):
    attack, everyone = lab["attack"], len(lab["applications"])
    assert attack["unkeyed SHA-256"] == everyone
    assert attack["HMAC, attacker guesses a key"] == 0
    assert attack["HMAC, attacker holds the real key"] == everyone


def test_generalising_age_singles_out_fewer_but_not_none(lab):
    singled_out = lab["singled_out"]
    assert 0 < singled_out["age band"] < singled_out["exact age"] / 3


def test_the_your_turn_checks(lab, capsys):
    applications, key = lab["applications"], lab["PSEUDONYM_KEY"]
    assert lab14.check_phone_tokens(pseudonymise(applications, "phone", key=key), applications, key)
    assert not lab14.check_phone_tokens(pseudonymise(applications, "phone", key=key)["phone"], applications, key)
    assert not lab14.check_phone_tokens(None, applications, key)
    assert "Not yet" in capsys.readouterr().out
    clean, columns, share_unique = lab["clean"], lab["quasi_identifiers"], lab["share_unique"]
    assert lab14.check_wider_bands((18, 35, 55, 120), "down", clean, columns, share_unique)
    assert not lab14.check_wider_bands((18, 35, 55, 120), "up", clean, columns, share_unique)
    assert not lab14.check_wider_bands((18, 40), "down", clean, columns, share_unique)  # leaves ages out
    assert not lab14.check_wider_bands(list(range(18, 120, 5)), "down", clean, columns, share_unique)
    out = capsys.readouterr().out
    assert "Correct" in out and "Not quite" in out and "do not work" in out and "no fewer" in out
