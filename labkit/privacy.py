"""De-identify personal columns of a DataFrame: masking, keyed pseudonyms, generalisation.

Every function returns a new frame and leaves the input untouched:

- `mask_digits` hides all but the last few digits of a value (phone or card numbers);
- `mask_email` keeps the first character of the local part and the domain;
- `pseudonymise` replaces values with an HMAC-SHA256 token: the same value and key always give the
  same token (so joins still work), and without the key nobody can recompute it;
- `generalise_age` replaces an exact age with an age band.

Pseudonymised data is still personal data: whoever holds the key can re-link it, and the other
columns may single a person out. Keep the key outside the data (a secrets store or a KMS key).
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
from collections.abc import Sequence

import pandas as pd

from labkit.errors import MessageKeyError

MIN_KEY_BYTES = 16
DEFAULT_AGE_EDGES = (18, 25, 35, 45, 55, 65, 120)


class PrivacyError(Exception):
    """Base class of the errors this module raises."""


class UnknownColumnError(PrivacyError, MessageKeyError):
    """A column to transform is not in the frame."""


class KeyTooWeakError(PrivacyError, ValueError):
    """The pseudonymisation key is empty or too short."""


class PrivacyArgumentError(PrivacyError, ValueError):
    """Another argument is out of range (e.g. a negative keep_last, unsorted age edges)."""


def _columns(frame: pd.DataFrame, columns: str | Sequence[str]) -> list[str]:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"Expected a pandas DataFrame, got {type(frame).__name__}.")
    names = [columns] if isinstance(columns, str) else list(columns)
    if not names:
        raise PrivacyArgumentError("No columns given; name at least one column to transform.")
    known = [str(column) for column in frame.columns]
    for name in names:
        if name not in frame.columns:
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UnknownColumnError(f"Column {name!r} is not in the frame.{hint} Columns: {', '.join(known)}.")
    return names


def _mask_value(value: str, keep_last: int, mask_char: str) -> str:
    digits_seen = 0
    total_digits = sum(character.isdigit() for character in value)
    masked = []
    for character in value:
        if character.isdigit():
            digits_seen += 1
            masked.append(character if digits_seen > total_digits - keep_last else mask_char)
        else:
            masked.append(character)  # keep separators so the format stays readable
    return "".join(masked)


def mask_digits(
    frame: pd.DataFrame, columns: str | Sequence[str], keep_last: int = 4, mask_char: str = "*"
) -> pd.DataFrame:
    """Replace every digit but the last `keep_last` with `mask_char`; separators are kept.

    "+34 612-345-678" with keep_last=4 becomes "+** ***-**5-678". Missing values stay missing.
    """
    if not isinstance(keep_last, int) or keep_last < 0:
        raise PrivacyArgumentError(f"keep_last must be a non-negative integer, got {keep_last!r}.")
    names = _columns(frame, columns)
    masked = frame.copy()
    for name in names:
        masked[name] = frame[name].map(
            lambda value: value if pd.isna(value) else _mask_value(str(value), keep_last, mask_char)
        )
    return masked


def _mask_email_value(value: str, mask_char: str) -> str:
    local, at, domain = value.partition("@")
    if not at:
        return mask_char * len(value)  # not an address: hide it all rather than leak it
    return local[:1] + mask_char * max(len(local) - 1, 1) + "@" + domain


def mask_email(frame: pd.DataFrame, columns: str | Sequence[str], mask_char: str = "*") -> pd.DataFrame:
    """Keep the first character of the local part and the domain: "maria.lopez@x.org" -> "m**********@x.org"."""
    names = _columns(frame, columns)
    masked = frame.copy()
    for name in names:
        masked[name] = frame[name].map(
            lambda value: value if pd.isna(value) else _mask_email_value(str(value), mask_char)
        )
    return masked


def _key_bytes(key: bytes | str) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes):
        raise TypeError(f"key must be bytes or str, got {type(key).__name__}.")
    if not key:
        raise KeyTooWeakError(
            "The pseudonymisation key is empty. Load a secret key (e.g. from AWS Secrets Manager) into a variable."
        )
    if len(key) < MIN_KEY_BYTES:
        raise KeyTooWeakError(
            f"The pseudonymisation key has {len(key)} bytes; use at least {MIN_KEY_BYTES} random bytes "
            "(secrets.token_bytes(32) makes a good one)."
        )
    return key


def pseudonym(value: object, key: bytes | str, length: int = 16) -> str:
    """The HMAC-SHA256 token of one value: the first `length` hex characters of the tag."""
    if not isinstance(length, int) or not 8 <= length <= 64:
        raise PrivacyArgumentError(f"length must be an integer from 8 to 64 hex characters, got {length!r}.")
    tag = hmac.new(_key_bytes(key), str(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return tag[:length]


def pseudonymise(frame: pd.DataFrame, columns: str | Sequence[str], key: bytes | str, length: int = 16) -> pd.DataFrame:
    """Replace each value in `columns` with its keyed HMAC-SHA256 token (missing values stay missing).

    The same value and key always give the same token, so a pseudonymised column can still join
    two tables; a different key gives unrelated tokens.
    """
    key = _key_bytes(key)
    names = _columns(frame, columns)
    pseudonymised = frame.copy()
    for name in names:
        pseudonymised[name] = frame[name].map(lambda value: value if pd.isna(value) else pseudonym(value, key, length))
    return pseudonymised


def _band_labels(edges: Sequence[int]) -> list[str]:
    labels = [f"{low}-{high - 1}" for low, high in zip(edges[:-2], edges[1:-1], strict=True)]
    return labels + [f"{edges[-2]}+"]


def generalise_age(frame: pd.DataFrame, column: str, edges: Sequence[int] = DEFAULT_AGE_EDGES) -> pd.DataFrame:
    """Replace exact ages with bands [edges[i], edges[i+1]) labelled "25-34"; the last band reads "65+".

    Ages outside [edges[0], edges[-1]) raise an error rather than silently becoming missing.
    """
    if not isinstance(column, str):
        raise PrivacyArgumentError(f"generalise_age takes one column name, got {column!r}.")
    (name,) = _columns(frame, column)
    edges = list(edges)
    if len(edges) < 3 or any(low >= high for low, high in zip(edges, edges[1:], strict=False)):
        raise PrivacyArgumentError(f"edges must hold at least three strictly increasing ages, got {edges}.")
    ages = pd.to_numeric(frame[name], errors="raise")
    present = ages.dropna()
    outside = present[(present < edges[0]) | (present >= edges[-1])]
    if len(outside):
        raise PrivacyArgumentError(
            f"{len(outside)} values of {name!r} fall outside [{edges[0]}, {edges[-1]}), e.g. {outside.iloc[0]}; "
            "widen the edges or clean the column first."
        )
    generalised = frame.copy()
    generalised[name] = pd.cut(ages, bins=edges, right=False, labels=_band_labels(edges))
    return generalised
