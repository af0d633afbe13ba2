"""Poison a training table, measure which defence notices, and search for the smallest evasion.

Lab 16 shows `flip_labels`, `inject_rows` and `smallest_change` in its own cells (marked
``#@save labkit.poisoning``; a test keeps the two copies identical) and uses `detection_rates` as
its measurement harness::

    from labkit.poisoning import detection_rates, flip_labels, inject_rows, smallest_change

    poisoned = flip_labels(batch, 0.10, rng, only="bad")      # 10 % of the rows: bad relabelled good
    padded = inject_rows(batch, 0.05, rng)                     # 5 % more rows: copies of bad rows, relabelled good
    rates = detection_rates(pool, attacks, defences, shares=[0.02, 0.1], repeats=20, batch_size=1000, rng=rng)
    change = smallest_change(model, declined, "Income", threshold=0.5, limit=500)

A *defence* is a function of one batch (a DataFrame) that returns True when it raises an alarm; an
*attack* is a function ``(frame, share, rng) -> poisoned frame``. Every random draw comes from the
NumPy generator passed in, so a seed fixes every result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["PoisoningError", "check_share", "detection_rates", "flip_labels", "inject_rows", "smallest_change"]

Attack = Callable[[pd.DataFrame, float, np.random.Generator], pd.DataFrame]
Defence = Callable[[pd.DataFrame], bool]


class PoisoningError(ValueError):
    """An attack, a defence or the harness got arguments it cannot use; the message says which and why."""


def check_share(frame: pd.DataFrame, share: float, target: str) -> None:
    """Raise PoisoningError unless `frame` is a DataFrame with a two-class categorical `target` and 0 <= share <= 1."""
    if not isinstance(frame, pd.DataFrame):
        raise PoisoningError(f"frame must be a pandas DataFrame, got {type(frame).__name__}.")
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise PoisoningError(f"share must be a number between 0 and 1 (0.1 means 10 % of the rows), got {share!r}.")
    if target not in frame.columns:
        raise PoisoningError(
            f"the frame has no label column {target!r}; pass target= with one of {list(frame.columns)}."
        )
    if not isinstance(frame[target].dtype, pd.CategoricalDtype) or len(frame[target].cat.categories) != 2:
        raise PoisoningError(f"the label column {target!r} must be categorical with exactly two categories.")


def flip_labels(frame: pd.DataFrame, share: float, rng: np.random.Generator, *, target: str = "Status",
                only: str | None = None) -> pd.DataFrame:
    # A copy of `frame` in which round(share * len(frame)) labels are swapped to the other class.
    # only="bad" flips only rows labelled "bad": an attacker who wants bad applicants to look good.
    check_share(frame, share, target)
    labels = frame[target]
    rows = np.arange(len(frame)) if only is None else np.flatnonzero((labels == only).to_numpy())
    count = round(share * len(frame))
    if count > len(rows):
        raise PoisoningError(f"only {len(rows)} rows can be flipped; share {share} asks for {count}.")
    chosen = rng.choice(rows, size=count, replace=False)
    first, second = labels.cat.categories
    values = labels.to_numpy(dtype=object, copy=True)
    values[chosen] = np.where(values[chosen] == first, second, first)
    poisoned = frame.copy()
    poisoned[target] = pd.Categorical(values, categories=labels.cat.categories)
    return poisoned


def inject_rows(frame: pd.DataFrame, share: float, rng: np.random.Generator, *, target: str = "Status",
                copy_label: str = "bad", new_label: str = "good",
                columns: Sequence[str] = ("Income", "Assets", "Amount", "Price"),
                scale: tuple[float, float] = (0.95, 1.05)) -> pd.DataFrame:
    # `frame` plus round(share * len(frame)) crafted rows: copies of rows labelled `copy_label` whose
    # `columns` are multiplied by a random factor in `scale` (and rounded), relabelled `new_label`.
    check_share(frame, share, target)
    sources = np.flatnonzero((frame[target] == copy_label).to_numpy())
    count = round(share * len(frame))
    if count > len(sources):
        raise PoisoningError(f"only {len(sources)} rows are labelled {copy_label!r}; share {share} asks for {count}.")
    crafted = frame.iloc[rng.choice(sources, size=count, replace=False)].copy()
    factors = rng.uniform(scale[0], scale[1], size=(count, len(columns)))
    for position, column in enumerate(columns):
        nudged = (crafted[column].to_numpy(dtype=float) * factors[:, position]).round()
        crafted[column] = pd.Series(nudged, index=crafted.index).astype(frame[column].dtype)
    crafted[target] = pd.Categorical([new_label] * count, categories=frame[target].cat.categories)
    return pd.concat([frame, crafted], ignore_index=True)


def smallest_change(model, applicants: pd.DataFrame, column: str, *, threshold: float, limit: float,
                    steps: int = 20) -> pd.Series:
    # Per applicant (row), the smallest change of `column`, in its own units and with its sign, that
    # brings the model's P(bad) below `threshold`; NaN where no change within +-limit does.
    # A bisection on each side, valid for a model that is monotone in the column (a logistic regression is).
    def p_bad(change: np.ndarray) -> np.ndarray:
        moved = applicants.copy()
        moved[column] = (moved[column] + change).clip(lower=0)
        return model.predict_proba(moved)[:, 1]

    best = np.full(len(applicants), np.nan)
    for direction in (1.0, -1.0):
        low, high = np.zeros(len(applicants)), np.full(len(applicants), float(limit))
        reachable = p_bad(direction * high) < threshold
        for _ in range(steps):
            middle = (low + high) / 2
            flips = p_bad(direction * middle) < threshold
            low, high = np.where(flips, low, middle), np.where(flips, middle, high)
        found = np.where(reachable, direction * high, np.nan)
        closer = ~np.isnan(found) & (np.isnan(best) | (np.abs(found) < np.abs(best)))
        best = np.where(closer, found, best)
    return pd.Series(best, index=applicants.index, name=column)


def detection_rates(
    pool: pd.DataFrame,
    attacks: Mapping[str, Attack],
    defences: Mapping[str, Defence],
    *,
    shares: Sequence[float],
    repeats: int,
    batch_size: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """How often each defence raises an alarm on a batch, clean and under each attack and share.

    Each repeat draws a fresh batch of `batch_size` rows from `pool` without replacement, runs every
    defence on it clean (attack "none", share 0: the false-alarm rate), then poisons it with every
    attack at every share and runs every defence again. Returns one row per (attack, share) and one
    column per defence: the share of the `repeats` batches on which that defence raised an alarm.

    Raises PoisoningError for an empty mapping, a batch larger than the pool, fewer than one repeat,
    or a defence that does not return a bool.
    """
    if not attacks or not defences:
        raise PoisoningError("detection_rates needs at least one attack and one defence.")
    if not isinstance(repeats, int) or repeats < 1:
        raise PoisoningError(f"repeats must be a positive integer, got {repeats!r}.")
    if not isinstance(batch_size, int) or not 1 <= batch_size <= len(pool):
        raise PoisoningError(f"batch_size must be between 1 and the pool's {len(pool)} rows, got {batch_size!r}.")
    if not shares or any(not 0 < share <= 1 for share in shares):
        raise PoisoningError(f"shares must be numbers in (0, 1]; share 0 (clean) is always measured. Got {shares!r}.")
    alarms: dict[tuple[str, float], dict[str, int]] = {}

    def record(attack: str, share: float, batch: pd.DataFrame) -> None:
        counts = alarms.setdefault((attack, share), dict.fromkeys(defences, 0))
        for name, defence in defences.items():
            alarm = defence(batch)
            if not isinstance(alarm, bool | np.bool_):
                raise PoisoningError(f"defence {name!r} returned {type(alarm).__name__}; it must return True or False.")
            counts[name] += bool(alarm)

    for _ in range(repeats):
        batch = pool.iloc[np.sort(rng.choice(len(pool), size=batch_size, replace=False))].reset_index(drop=True)
        record("none", 0.0, batch)
        for attack_name, attack in attacks.items():
            for share in shares:
                record(attack_name, float(share), attack(batch, share, rng))
    table = pd.DataFrame.from_dict(alarms, orient="index") / repeats
    table.index = pd.MultiIndex.from_tuples(table.index, names=["attack", "share"])
    return table


class TableEncoder:
    """Numbers standardised (missing values filled with the median, plus a 0/1 "was missing" column);
    categories one-hot encoded (an unseen or missing category is all zeros).

    A small, fast stand-in for scikit-learn's ``ColumnTransformer`` of ``SimpleImputer``,
    ``StandardScaler`` and ``OneHotEncoder``: Lab 16 retrains and scores hundreds of models, and the
    general transformer's per-call overhead would dominate its run time. It follows the scikit-learn
    transformer protocol (``fit``, ``transform``, ``fit_transform``, ``get_params``), so it goes
    into ``make_pipeline`` like any other step. Columns of categorical dtype are categories, numeric
    columns are numbers; `drop` names columns to leave out (the label).
    """

    def __init__(self, drop: Sequence[str] = ("Status",)) -> None:
        self.drop = drop

    def get_params(self, deep: bool = True) -> dict:
        return {"drop": self.drop}

    def set_params(self, **params) -> TableEncoder:
        for key, value in params.items():
            if key != "drop":
                raise PoisoningError(f"TableEncoder has no parameter {key!r}; its only parameter is 'drop'.")
            self.drop = value
        return self

    def fit(self, frame: pd.DataFrame, y=None) -> TableEncoder:
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            raise PoisoningError("TableEncoder.fit needs a non-empty pandas DataFrame.")
        columns = [column for column in frame.columns if column not in set(self.drop)]
        self.categories_ = {
            column: list(frame[column].cat.categories)
            for column in columns
            if isinstance(frame[column].dtype, pd.CategoricalDtype)
        }
        self.numbers_ = [column for column in columns if pd.api.types.is_numeric_dtype(frame[column])
                         and column not in self.categories_]
        other = sorted(set(columns) - set(self.categories_) - set(self.numbers_))
        if other:
            raise PoisoningError(f"TableEncoder handles numeric and categorical columns only; drop or convert {other}.")
        numbers = frame[self.numbers_].astype(float)
        self.medians_ = numbers.median().to_numpy()
        filled = numbers.fillna(pd.Series(self.medians_, index=self.numbers_))
        self.means_ = filled.mean().to_numpy()
        self.scales_ = np.where(filled.std(ddof=0).to_numpy() > 0, filled.std(ddof=0).to_numpy(), 1.0)
        self.with_missing_ = [column for column in self.numbers_ if numbers[column].isna().any()]
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "numbers_"):
            raise PoisoningError("fit the TableEncoder before calling transform.")
        absent = [column for column in [*self.numbers_, *self.categories_] if column not in frame.columns]
        if absent:
            raise PoisoningError(f"the frame lacks column(s) {absent} that the encoder was fitted with.")
        numbers = frame[self.numbers_].to_numpy(dtype=float)
        missing = np.isnan(numbers)
        numbers = (np.where(missing, self.medians_, numbers) - self.means_) / self.scales_
        flags = missing[:, [self.numbers_.index(column) for column in self.with_missing_]]
        dummies = [
            (frame[column].to_numpy(dtype=object)[:, np.newaxis] == np.array(levels, dtype=object)[np.newaxis, :])
            for column, levels in self.categories_.items()
        ]
        return np.hstack([numbers, flags, *dummies]).astype(float)

    def fit_transform(self, frame: pd.DataFrame, y=None) -> np.ndarray:
        return self.fit(frame).transform(frame)
