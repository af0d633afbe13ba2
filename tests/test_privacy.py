"""labkit.privacy: masking, keyed pseudonyms, age bands, and their errors."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest

from labkit.privacy import (
    KeyTooWeakError,
    PrivacyArgumentError,
    UnknownColumnError,
    generalise_age,
    mask_digits,
    mask_email,
    pseudonym,
    pseudonymise,
)

KEY = b"a-test-key-of-32-bytes-0123456789"


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "email": ["maria.lopez@example.org", "jo@example.com", None],
            "phone": ["+34 612-345-678", "600123456", np.nan],
            "age": [24, 35, 67],
        }
    )


def test_mask_digits_keeps_the_last_digits_and_the_separators(people):
    masked = mask_digits(people, "phone")
    assert masked["phone"].tolist()[:2] == ["+** ***-**5-678", "*****3456"]
    assert pd.isna(masked.loc[2, "phone"])
    assert mask_digits(people, ["phone"], keep_last=0).loc[1, "phone"] == "*********"
    assert mask_digits(people, "phone", keep_last=20).loc[1, "phone"] == "600123456"


def test_mask_email_keeps_the_first_character_and_the_domain(people):
    masked = mask_email(people, "email")
    assert masked["email"].tolist()[:2] == ["m**********@example.org", "j*@example.com"]
    assert pd.isna(masked.loc[2, "email"])
    not_an_address = mask_email(pd.DataFrame({"email": ["nobody"]}), "email")
    assert not_an_address.loc[0, "email"] == "******"


def test_pseudonym_is_hmac_sha256_truncated():
    expected = hmac.new(KEY, b"maria.lopez@example.org", hashlib.sha256).hexdigest()[:16]
    assert pseudonym("maria.lopez@example.org", KEY) == expected
    assert len(pseudonym("x", KEY, length=64)) == 64


def test_pseudonymise_is_deterministic_per_key_and_keeps_joins_working(people):
    first = pseudonymise(people, "email", KEY)
    again = pseudonymise(people, ["email"], KEY.decode())
    other_key = pseudonymise(people, "email", KEY + b"!")
    assert first["email"].tolist()[:2] == again["email"].tolist()[:2]
    assert first["email"].iloc[0] != other_key["email"].iloc[0]
    assert pd.isna(first.loc[2, "email"])
    orders = pd.DataFrame({"email": ["jo@example.com", "maria.lopez@example.org"], "amount": [5, 7]})
    joined = first.merge(pseudonymise(orders, "email", KEY), on="email")
    assert sorted(joined["amount"]) == [5, 7]


def test_generalise_age_uses_half_open_bands(people):
    banded = generalise_age(people, "age")
    assert banded["age"].astype(str).tolist() == ["18-24", "35-44", "65+"]
    custom = generalise_age(people, "age", edges=(0, 30, 200))
    assert custom["age"].astype(str).tolist() == ["0-29", "30+", "30+"]


def test_functions_do_not_modify_their_input(people):
    before = people.copy()
    mask_digits(people, "phone")
    mask_email(people, "email")
    pseudonymise(people, ["email", "phone"], KEY)
    generalise_age(people, "age")
    pd.testing.assert_frame_equal(people, before)


@pytest.mark.parametrize(
    "call",
    [
        lambda frame: mask_digits(frame, "Phone"),
        lambda frame: mask_email(frame, ["email", "mail"]),
        lambda frame: pseudonymise(frame, "e-mail", KEY),
        lambda frame: generalise_age(frame, "Age"),
    ],
)
def test_unknown_column_is_a_key_error_naming_it(people, call):
    with pytest.raises(UnknownColumnError, match="is not in the frame") as caught:
        call(people)
    assert isinstance(caught.value, KeyError)
    assert "Columns: email, phone, age" in str(caught.value)


def test_unknown_column_suggests_a_close_name(people):
    with pytest.raises(UnknownColumnError, match="Did you mean 'phone'"):
        mask_digits(people, "phon")


@pytest.mark.parametrize("key", [b"", ""])
def test_empty_key_is_an_error(people, key):
    with pytest.raises(KeyTooWeakError, match="key is empty"):
        pseudonymise(people, "email", key)


def test_short_or_wrongly_typed_key_is_an_error(people):
    with pytest.raises(KeyTooWeakError, match="has 5 bytes; use at least 16"):
        pseudonymise(people, "email", b"short")
    with pytest.raises(TypeError, match="key must be bytes or str"):
        pseudonymise(people, "email", 12345)


def test_argument_errors(people):
    with pytest.raises(PrivacyArgumentError, match="keep_last"):
        mask_digits(people, "phone", keep_last=-1)
    with pytest.raises(PrivacyArgumentError, match="No columns given"):
        mask_digits(people, [])
    with pytest.raises(PrivacyArgumentError, match="length"):
        pseudonym("x", KEY, length=4)
    with pytest.raises(PrivacyArgumentError, match="strictly increasing"):
        generalise_age(people, "age", edges=(18, 18, 65))
    with pytest.raises(PrivacyArgumentError, match="fall outside"):
        generalise_age(people, "age", edges=(18, 30, 60))
    with pytest.raises(PrivacyArgumentError, match="one column name"):
        generalise_age(people, ["age"])
    with pytest.raises(TypeError, match="Expected a pandas DataFrame"):
        mask_email(people.to_dict(), "email")
