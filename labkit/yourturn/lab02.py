"""Self-checks of Lab 02's "Your turn" tasks whose expected answer would show in the notebook.

Like every check in `labkit.yourturn`, these never raise on the learner's input: they print one
line that starts with ``Correct``, ``Not yet`` or ``Not quite`` and return True or False.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from labkit.formats import measure_scan
from labkit.yourturn import _not_yet, _say, not_written

__all__ = ["ROW_GROUP_CHOICES", "check_projection", "check_row_group_choice"]

ROW_GROUP_CHOICES = {
    "more": "the filtered read pulls more bytes",
    "fewer": "the filtered read pulls fewer bytes",
    "same": "the filtered read pulls about the same bytes",
}


def check_projection(frame: object, path: Path | str, columns: Sequence[str], *, name: str) -> bool:
    """Check that `frame` holds exactly `columns` of the Parquet file at `path`, every row, read as stored."""
    wanted = list(columns)
    if not_written(frame):
        return _not_yet(name, f"Write the one call that reads only {wanted} from the file.")
    if not isinstance(frame, pd.DataFrame):
        return _say(False, f"Not yet: `{name}` should be the DataFrame that pd.read_parquet returns, "
                           f"got {type(frame).__name__}.")
    got = list(frame.columns)
    if sorted(got) != sorted(wanted):
        extra = [c for c in got if c not in wanted]
        missing = [c for c in wanted if c not in got]
        detail = f"{len(extra)} column(s) too many" if extra else ""
        detail += (" and " if extra and missing else "") + (f"missing {missing}" if missing else "")
        return _say(False, f"Not yet: `{name}` has {len(got)} columns ({detail}). "
                           "Ask the reader for the columns you need, and only those.")
    rows = pq.read_metadata(path).num_rows
    if len(frame) != rows:
        return _say(False, f"Not yet: `{name}` has {len(frame):,} rows; the file has {rows:,}. "
                           "This task reads every row: no filter.")
    stored = pq.read_table(path, columns=wanted).to_pandas()
    try:
        pd.testing.assert_frame_equal(frame[wanted].reset_index(drop=True), stored, check_dtype=False)
    except AssertionError:
        return _say(False, f"Not yet: `{name}` has the right shape but not the values stored in the file.")
    projected = measure_scan(lambda fs: pd.read_parquet(str(path), columns=wanted, filesystem=fs))
    share = projected.bytes_scanned / Path(path).stat().st_size
    return _say(True, f"Correct: {len(wanted)} columns x {rows:,} rows. A reader asked for them pulls "
                      f"{projected.bytes_scanned:,} bytes, {share:.0%} of the file.")


def check_row_group_choice(
    answer: str | None,
    row_group_rows: object,
    *,
    table: pd.DataFrame,
    columns: Sequence[str],
    filters: list[tuple[str, str, object]],
    baseline_rows: int,
    baseline_bytes: int,
) -> bool:
    """Rewrite `table` with `row_group_rows` rows per row group and compare the filtered read with the baseline.

    The answer is judged against the measurement: "more" or "fewer" when the bytes the filtered
    read pulls move by more than 5 % from `baseline_bytes`, "same" otherwise.
    """
    if not_written(answer):
        listed = ", ".join(f"{key!r} ({text})" for key, text in ROW_GROUP_CHOICES.items())
        return _not_yet("expect", f"Set it to one of {listed}, then change row_group_rows.")
    if answer not in ROW_GROUP_CHOICES:
        return _say(False, f"Not yet: {answer!r} is not one of the options {sorted(ROW_GROUP_CHOICES)}.")
    if isinstance(row_group_rows, bool) or not isinstance(row_group_rows, int) or row_group_rows < 1:
        return _say(False, "Not yet: row_group_rows should be a positive whole number of rows, "
                           f"got {row_group_rows!r}.")
    if row_group_rows == baseline_rows:
        return _say(False, f"Not yet: row_group_rows is still {baseline_rows:,}, the size the lab used. "
                           "Change it (for example to 1_000_000), then run both cells again.")
    with tempfile.TemporaryDirectory(prefix="lab02-turn-") as folder:
        path = Path(folder) / "bookings.parquet"
        table.to_parquet(path, compression="zstd", row_group_size=row_group_rows, index=False)
        groups = pq.read_metadata(path).num_row_groups
        scan = measure_scan(lambda fs: pd.read_parquet(str(path), columns=list(columns), filters=filters,
                                                       filesystem=fs))
    ratio = scan.bytes_scanned / baseline_bytes
    measured = "more" if ratio > 1.05 else "fewer" if ratio < 0.95 else "same"
    groups_text = "1 row group" if groups == 1 else f"{groups} row groups"
    shown = (f"With {row_group_rows:,} rows per group ({groups_text}) the filtered read pulled "
             f"{scan.bytes_scanned:,} bytes, against {baseline_bytes:,} with {baseline_rows:,} rows per group.")
    if answer == measured:
        return _say(True, f"Correct: {shown} The reader skips whole row groups only, so the size of a "
                          "group sets how finely a filter can skip.")
    return _say(False, f"Not quite: {shown} So {ROW_GROUP_CHOICES[measured]}; open the solution for why.")
