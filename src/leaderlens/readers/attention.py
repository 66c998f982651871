"""Reading attention series (search interest, mention counts, ...) into ``COLUMNS["attention"]``.

Layouts (:data:`ATTENTION_FORMATS`):

``google-trends``
    The raw ``multiTimeline.csv`` export of trends.google.com (a ``Category: ...`` banner, a
    blank line, then ``Month|Week|Day|Time,<term>: (<geo>)[,<term2>: (<geo>)]``), and tables
    written by pytrends (``date,<term>[,isPartial]``; ``dailydata`` adds ``<term>_unscaled``,
    ``<term>_monthly`` and ``scale`` beside the rescaled ``<term>``). ``<1`` means "interest
    below 1 on the 0-100 scale" and is read as 0.5. Buckets are dates in the time zone of
    whoever made the query (Google Trends help, "FAQ about Google Trends data"; pytrends
    ``TrendReq(tz=...)``), which the file does not record: they are stored as labels at 00:00
    UTC and their boundaries are approximate.
``generic``
    A time column and a value column (chosen with ``column=``, or the only numeric one).

Dates without a time of day are bucket labels at 00:00 UTC; times of day make instants (a naive
one needs ``tz``). The frequency (``1h``, ``1d``, ``1w``, ``1mo``) comes from the Google header or
from the spacing of the points.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, check_choice
from leaderlens.options import ATTENTION_FORMATS
from leaderlens.readers.base import (
    COLUMNS,
    KEYS,
    ON_BAD_ROWS,
    ReadResult,
    RowChecker,
    check_time_zone,
    dedupe,
    fail_out_of_range,
    numbers,
    parse_dates,
)
from leaderlens.readers.fields import as_text, blank, fail_values, parse_times
from leaderlens.readers.records import RawTable, fail_broken
from leaderlens.readers.tables import load_table, missing_column, normalize_name

TIME_NAMES: tuple[str, ...] = (
    "ts", "date", "time", "timestamp", "datetime", "day", "week", "month", "hour", "period",
)  # fmt: skip
LESS_THAN_ONE = 0.5
_BANNER = re.compile(r"^\s*Category:")
_TERM = re.compile(r"^(?P<term>.+?):\s*\((?P<geo>[^()]*)\)\s*$")
_HEADER_FREQ = {"month": "1mo", "week": "1w", "day": "1d", "time": "1h"}
_BUCKET = {"1h": "hour", "1d": "day", "1w": "week", "1mo": "month"}
_DATE_ONLY = re.compile(
    r"^(?:\d{4}-\d{1,2}(?:-\d{1,2})?|\d{1,2}/\d{1,2}/\d{4}|\d{4}/\d{1,2}/\d{1,2})"
    r"(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
)
GOOGLE_TIME_ZONE = (
    "Google Trends buckets are dates in the requester's time zone (not recorded in the file), "
    "stored as labels at 00:00 UTC; bucket boundaries are approximate (up to a day)"
)
GOOGLE_HOURLY_TIME_ZONE = (
    "Google Trends hours are in the requester's time zone (not recorded in the file; pass --tz "
    "to convert them), stored as if in UTC"
)
LABEL_TIME_ZONE = "dates are bucket labels at 00:00 UTC (not instants)"


def read_attention(
    source: str | Path | Any,
    *,
    format: str | None = None,
    tz: str | None = None,
    column: str | None = None,
    on_bad_rows: str = "error",
    encoding: str = "utf-8",
) -> ReadResult:
    """Read one attention series from a file or a DataFrame.

    Parameters
    ----------
    source: a path (CSV/TSV, JSON Lines, Parquet; gzip allowed) or a pandas / polars DataFrame
        (a ``DatetimeIndex`` is taken as the time column).
    format: ``"google-trends"`` or ``"generic"`` (:data:`ATTENTION_FORMATS`); ``None`` detects.
    tz: IANA zone of times of day written without offset (dates need none).
    column: the value column, by its name or, for a Google export, by its term (``iPod``);
        needed when the file holds several series.
    on_bad_rows: ``"error"`` or ``"skip"`` (bad rows listed in ``rejects``).
    encoding: text encoding of the file.

    Returns
    -------
    ReadResult with ``frame`` columns ``ts`` and ``value`` (float64), sorted by ``ts``, one row
    per bucket, ``freq`` one of ``1h``, ``1d``, ``1w``, ``1mo``. Rows without a value are left
    out with a note (not rejected): a series may start later than its file.
    """
    if format is not None:
        check_choice("format", format, ATTENTION_FORMATS)
    check_choice("on_bad_rows", on_bad_rows, ON_BAD_ROWS)
    if tz is not None:
        check_time_zone(tz)
    table = load_table(source, format=None, formats=(), encoding=encoding, banner=_BANNER)
    layout = format or detect_layout(table)
    names = [str(c) for c in table.frame.columns]
    time_at = _time_position(table, names)
    value_at, value_note = _value_position(table, names, time_at, layout, column)
    checker = RowChecker(table.source, table.n, table.lines, on_bad_rows)
    fail_broken(table, checker)
    notes = [*(f"skipped banner: {line}" for line in table.preamble), value_note]

    header_freq = (
        _HEADER_FREQ.get(normalize_name(names[time_at])) if layout == "google-trends" else None
    )
    ts, time_zone, labels = _times(
        table.frame.iloc[:, time_at],
        tz=tz,
        checker=checker,
        layout=layout,
        hourly=header_freq == "1h",
    )
    values, empty, value_notes = _values(table.frame.iloc[:, value_at], layout, checker)
    notes += value_notes
    notes += _partial_note(table, names)

    usable = ~checker.bad & ~empty
    if (empty & ~checker.bad).any():
        skipped = empty & ~checker.bad
        k = int(skipped.sum())
        notes.append(
            f"{k:,} row{'s' if k != 1 else ''} without a value left out ({_span(ts[skipped])})"
        )
    freq = header_freq or _infer_freq(ts[usable], table)
    if freq == "1w" and labels:
        notes += _week_note(ts[usable])
    out = pd.DataFrame({"ts": ts, "value": values}, columns=list(COLUMNS["attention"]))
    positions = np.flatnonzero(usable)
    kept, dup_note = dedupe(
        out.iloc[positions], KEYS["attention"], checker, positions, _BUCKET[freq]
    )
    _, rejects = checker.finish()  # raises under "error"; bad rows are not in ``kept``
    if dup_note:
        notes.append(dup_note)
    return ReadResult(
        kind="attention",
        frame=kept.sort_values("ts", kind="stable"),
        source=table.source,
        format=layout,
        time_zone=time_zone,
        freq=freq,
        rejects=rejects,
        notes=tuple(notes),
        lines=table.lines,
    )


def detect_layout(table: RawTable) -> str:
    """``google-trends`` for a Trends export or a pytrends table, else ``generic``."""
    names = [str(c) for c in table.frame.columns]
    if any(_BANNER.match(line) for line in table.preamble):
        return "google-trends"
    if any(_TERM.match(n) for n in names[1:]):
        return "google-trends"
    if "isPartial" in names or any(n.endswith("_unscaled") for n in names):
        return "google-trends"
    return "generic"


def _time_position(table: RawTable, names: list[str]) -> int:
    """The time column: a common name, else the first column whose values read as dates."""
    normalized = [normalize_name(n) if n else "" for n in names]
    for wanted in TIME_NAMES:
        if wanted in normalized:
            return normalized.index(wanted)
    for position in range(len(names)):
        text = as_text(table.frame.iloc[:, position]).str.strip()
        sample = text[~blank(text)].head(50)
        if len(sample) and not sample.str.fullmatch(r"-?\d+(?:\.\d+)?").any():
            parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
            if parsed.notna().all():
                return position
    raise missing_column(table, "ts", TIME_NAMES)


def _value_position(
    table: RawTable, names: list[str], time_at: int, layout: str, column: str | None
) -> tuple[int, str]:
    """The value column and a note saying which it is and why."""
    candidates = [i for i, n in enumerate(names) if i != time_at and n and n != "isPartial"]
    shown = ", ".join(repr(names[i]) for i in candidates)
    if column is not None:
        wanted = normalize_name(column)
        if not wanted:
            raise BadInputError("column must name a column", field="column")
        for match in (
            lambda n: n == column,
            lambda n: normalize_name(n) == wanted,
            lambda n: normalize_name(_term_and_geo(n)[0]) == wanted,
        ):
            hits = [i for i in candidates if match(names[i])]
            if hits:
                return hits[0], f"values from column {names[hits[0]]!r} (column=)"
        raise BadInputError(
            f"no value column {column!r}; the choices are {shown}",
            file=table.source,
            line=table.header_line,
            field="column",
        )
    if layout == "google-trends":
        terms = [i for i in candidates if _TERM.match(names[i])]
        if len(terms) == 1:
            term, geo = _term_and_geo(names[terms[0]])
            return terms[0], (
                f"values from column {names[terms[0]]!r} (term {term!r}, region {geo!r})"
            )
        if len(terms) > 1:
            raise _choose(table, f"the export holds {len(terms)} terms", terms, names)
        rescaled = [i for i in candidates if f"{names[i]}_unscaled" in names]
        if len(rescaled) == 1:
            others = ", ".join(repr(names[i]) for i in candidates if i != rescaled[0])
            return rescaled[0], (
                f"values from column {names[rescaled[0]]!r}, the series rescaled across query "
                f"windows (also in the file: {others}; pass column= to use another)"
            )
    numeric = [i for i in candidates if _is_numeric(table.frame.iloc[:, i])]
    if len(numeric) == 1:
        return numeric[0], f"values from column {names[numeric[0]]!r} (the only numeric one)"
    if not numeric:
        raise BadInputError(
            f"no numeric value column (columns: {shown})",
            file=table.source,
            line=table.header_line,
            field="column",
        )
    raise _choose(table, f"{len(numeric)} numeric columns", numeric, names)


def _term_and_geo(name: str) -> tuple[str, str]:
    """``("iPod", "Worldwide")`` from a Google export header ``iPod: (Worldwide)``."""
    found = _TERM.match(name)
    return (found.group("term"), found.group("geo")) if found else ("", "")


def _choose(table: RawTable, what: str, choices: list[int], names: list[str]) -> BadInputError:
    return BadInputError(
        f"{what}: choose the series with --value-column (Python: column=); the choices are "
        f"{', '.join(repr(names[i]) for i in choices)}",
        file=table.source,
        line=table.header_line,
        field="column",
    )


def _is_numeric(raw: pd.Series) -> bool:
    if raw.dtype.kind in "if":
        return True
    text = as_text(raw).str.strip().replace("<1", "0.5")
    values, bad = numbers(text)
    return bool(not bad.any() and (~np.isnan(values)).any())


def _times(
    raw: pd.Series, *, tz: str | None, checker: RowChecker, layout: str, hourly: bool
) -> tuple[pd.Series, str, bool]:
    """Bucket times, how they were read, and whether they are date labels."""
    raw = raw.reset_index(drop=True)
    if not isinstance(raw.dtype, pd.DatetimeTZDtype) and raw.dtype.kind not in "iufb":
        text = as_text(raw).str.strip()
        present = ~blank(text)
        dated = text.str.fullmatch(_DATE_ONLY).fillna(False).to_numpy(dtype=bool)
        if not hourly and 2 * dated.sum() > present.sum():  # a column of dates (mostly)
            labels, bad = parse_dates(text.mask(~dated))
            fail_values(
                checker, bad | (present & ~dated), "ts", text,
                lambda v: f"unparseable date {v!r}", "unparseable date",
            )  # fmt: skip
            checker.fail(~present, "ts", "empty date")
            how = GOOGLE_TIME_ZONE if layout == "google-trends" else LABEL_TIME_ZONE
            labels = labels.reset_index(drop=True)
            fail_out_of_range(checker, labels, "ts")
            return labels, how, True
        if hourly and tz is None:
            # Hourly Trends exports are naive and in the requester's zone; with no --tz we
            # keep them as UTC labels and say so.
            ts, _ = parse_times(raw, tz="UTC", field="ts", checker=checker)
            return (
                ts,
                GOOGLE_HOURLY_TIME_ZONE,
                False,
            )
    ts, how = parse_times(raw, tz=tz, field="ts", checker=checker)
    return ts, how, False


def _values(
    raw: pd.Series, layout: str, checker: RowChecker
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Values (float64), which rows are empty, and notes."""
    notes: list[str] = []
    text = as_text(raw).str.strip()
    if layout == "google-trends":
        below = (text == "<1").fillna(False).to_numpy(dtype=bool)
        if below.any():
            text = text.mask(below, str(LESS_THAN_ONE))
            notes.append(
                f"{int(below.sum()):,} values '<1' (interest below 1 on Google's 0-100 scale) "
                f"read as {LESS_THAN_ONE}"
            )
    values, bad = numbers(text)
    fail_values(
        checker, bad, "value", text, lambda v: f"unparseable value {v!r}", "unparseable value"
    )
    finite = np.isfinite(values)
    checker.fail(~finite & ~np.isnan(values), "value", "value is not finite")
    checker.fail(finite & (values < 0), "value", "negative value")
    empty = np.isnan(values) & ~bad
    return np.where(finite, values, np.nan), empty, notes


def _partial_note(table: RawTable, names: list[str]) -> list[str]:
    if "isPartial" not in names:
        return []
    flags = as_text(table.frame["isPartial"]).str.strip().str.lower() == "true"
    n = int(flags.fillna(False).sum())
    return (
        [f"{n} bucket{'s' if n != 1 else ''} flagged isPartial (period not complete when queried)"]
        if n
        else []
    )


def _infer_freq(ts: pd.Series, table: RawTable) -> str:
    """``1h``, ``1d``, ``1w`` or ``1mo`` from the typical spacing of the points."""
    unique = np.unique(ts.dropna().to_numpy(dtype="datetime64[us]"))
    if unique.size < 2:
        raise BadInputError(
            "fewer than two points: the bucket frequency cannot be told",
            file=table.source,
        )
    hours = float(np.median(np.diff(unique)) / np.timedelta64(1, "h"))
    for freq, low, high in (("1h", 1, 1), ("1d", 24, 24), ("1w", 168, 168), ("1mo", 672, 744)):
        if low <= hours <= high:
            return freq
    raise BadInputError(
        f"points are {hours:g} hours apart: leaderlens reads hourly, daily, weekly or monthly "
        f"series",
        file=table.source,
    )


def _week_note(ts: pd.Series) -> list[str]:
    days = ts.dropna().dt.day_name().unique()
    return [f"weeks are labelled by their first day, a {days[0]}"] if len(days) == 1 else []


def _span(ts: pd.Series) -> str:
    known = ts.dropna()
    if known.empty:
        return "no dates"
    first, last = known.min(), known.max()
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
