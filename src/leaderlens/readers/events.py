"""Events files: named moments to study (a health announcement, a launch keynote).

A CSV (or JSONL / Parquet / frame) with a ``time`` column (ISO 8601 with a UTC offset, so the
moment is unambiguous; or naive times and dates with the zone they are in) and a ``label``; an
optional ``asset`` column overrides the study's asset row by row. Rows that are not usable are
refused naming file, line and field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.readers.base import RowChecker
from leaderlens.readers.fields import as_text, blank, parse_times
from leaderlens.readers.tables import is_frame, load_table, missing_column, resolve_columns

ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "datetime", "date", "created_at", "ts"),
    "label": ("label", "event", "name", "title", "text"),
    "asset": ("asset", "asset_id", "ticker", "symbol"),
}


DEFAULT_TIME_OF_DAY = "12:00"
_DATE_ONLY = r"\d{4}-\d{2}-\d{2}"
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def read_events(
    source: str | Path | Any,
    *,
    encoding: str = "utf-8",
    time_column: str | None = None,
    label_column: str | None = None,
    tz: str | None = None,
    time_of_day: str = DEFAULT_TIME_OF_DAY,
) -> pd.DataFrame:
    """The events of a file or frame: ``time`` (UTC), ``label``, ``asset`` (None if absent),
    ``line`` (the file line, or the frame's own ``line`` column when it has one).

    The time and label columns are found by their common names or named with ``time_column``
    and ``label_column``. Times should carry an offset (``2011-08-24T18:00:00-04:00``,
    ``...Z``); naive times, and dates without a time, are read in ``tz`` (an IANA zone), a date
    at ``time_of_day`` local time (``HH:MM``, default 12:00: inside most exchanges' sessions,
    so day 0 is that date's session). Without ``tz`` they are refused, naming file, line and
    field, since an event study on the wrong day is worse than none. ``frame.attrs["times"]``
    says how the times were read.
    """
    clock = _CLOCK.fullmatch(time_of_day.strip()) if isinstance(time_of_day, str) else None
    if clock is None:
        raise BadInputError(
            f"time of day must be HH:MM (24-hour), e.g. 10:00; got {time_of_day!r}",
            field="time_of_day",
        )
    hhmm = f"{int(clock.group(1)):02d}:{clock.group(2)}"
    table = load_table(source, format=None, formats=("csv", "jsonl", "parquet"), encoding=encoding)
    mapping = {k: v for k, v in (("time", time_column), ("label", label_column)) if v}
    names = resolve_columns(table, ALIASES, mapping or None)
    for needed in ("time", "label"):
        if needed not in names:
            hint = f"name yours with --{needed}-column NAME (Python: {needed}_column=)"
            raise missing_column(table, needed, ALIASES[needed], hint=hint)
    frame = table.frame
    checker = RowChecker(table.source, len(frame), table.lines, "error")
    raw = frame[names["time"]].reset_index(drop=True)
    dates = pd.Series(False, index=raw.index)
    if pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object:
        text = as_text(raw).str.strip()
        dates = text.str.fullmatch(_DATE_ONLY).fillna(False).astype(bool)
        raw = text.where(~dates, text + f"T{hhmm}")
    if dates.any() and tz is None:
        first = int(np.flatnonzero(dates.to_numpy())[0])
        raise BadInputError(
            f"{int(dates.sum())} events have a date but no time (first: {raw[first][:10]!r}): "
            f"give the zone the dates are in with --tz (e.g. America/Los_Angeles); they are "
            f"then placed at {hhmm} local time (--time-of-day HH:MM to change it)",
            file=table.source,
            line=int(table.lines.lines()[first]),
            field=names["time"],
        )
    try:
        times, how = parse_times(raw, tz=tz, field=names["time"], checker=checker)
    except BadInputError as exc:
        if "--tz" not in exc.message:
            raise
        # Event times are read like every other time; name the Python argument too.
        raise BadInputError(
            f"{exc.message} (Python: leaderlens.read_events(path, tz=...), then pass the frame "
            "as events=; times with an offset such as 2011-08-24T18:00:00-04:00 need no zone)",
            file=table.source,
            line=exc.line,
            field=names["time"],
        ) from exc
    labels = as_text(frame[names["label"]]).str.strip()
    checker.fail(blank(labels), "label", "empty label")
    if "asset" in names:
        assets = as_text(frame[names["asset"]]).str.strip()
        assets = assets.mask(pd.Series(blank(assets), index=assets.index))
    else:
        assets = pd.Series([None] * len(frame), dtype=object)
    keep, _ = checker.finish()
    out = pd.DataFrame(
        {
            "time": times.to_numpy()[keep],
            "label": labels.to_numpy(dtype=object)[keep],
            "asset": assets.astype(object).to_numpy()[keep],
        }
    )
    out["time"] = pd.to_datetime(out["time"], utc=True)
    out["asset"] = out["asset"].astype(object).where(out["asset"].notna(), None)
    if out.empty:
        raise BadInputError("the events file holds no events", file=table.source)
    given = frame["line"] if is_frame(source) and "line" in frame else None
    lines = table.lines.lines() if given is None else given.to_numpy()
    out["line"] = np.asarray(lines)[np.flatnonzero(keep)]
    if dates.any():
        how += f"; {int(dates.sum())} date-only rows placed at {hhmm} {tz} (--time-of-day)"
    out.attrs["times"] = how
    if not is_frame(source):
        out.attrs["source"] = table.source
    return out
