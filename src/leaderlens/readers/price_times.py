"""Times of price bars: wall clock first, then either session dates or UTC instants.

Every time column is first read as a *wall clock* (the local date and time written in the
file) plus, where the file gives one, a UTC offset. Whether the bars are daily is decided on
the wall clock (all at midnight, or one day apart), so that a daily file never needs a time
zone: its dates are session labels, stored as the date at 00:00 UTC. Intraday bars become
UTC instants: a written offset converts exactly; a naive time is read in the user's ``--tz``
or in the zone the format defines (Binance and CryptoDataDownload: UTC); with neither the
file is refused (:class:`~leaderlens.readers.base.NaiveTimeError`).

Dates written ``a/b/YYYY`` are read without guessing row by row: if some ``a`` is above 12 the
column is day-first, if some ``b`` is, month-first; with no such proof the format's convention
decides (Yahoo: US month-first; semicolon files: day-first; other files: month-first, with a
note). A column that proves both orders is refused on the rows of the rarer order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.tseries.api import guess_datetime_format

from leaderlens.errors import BadInputError
from leaderlens.readers.base import (
    NaiveTimeError,
    RowChecker,
    epoch_to_instants,
    epoch_unit,
    fail_out_of_range,
)

DAY_US = 86_400_000_000
_OFFSET = r"(?:[zZ]|UTC|GMT|[+-]\d\d:?\d\d)$"
_OFFSET_PARTS = r"(?:(?P<zero>[zZ]|UTC|GMT)|(?P<sign>[+-])(?P<hh>\d\d):?(?P<mm>\d\d))$"
_SLASH = r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[ T]+(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$"
# A "mixed" (row by row) parse is slow; beyond this many rows unparsed by the vectorised
# attempts the remaining rows are reported as unparseable instead.
_MIXED_LIMIT = 10_000


@dataclass(frozen=True)
class Times:
    """Parsed bar times.

    Attributes
    ----------
    ts: ``datetime64[us, UTC]``, one per input row; NaT where the row failed (the failure is
        recorded in the row checker). Daily bars: the session date at 00:00 UTC (a label).
    daily: whether the bars were read as session dates.
    how: a sentence saying how the times were read (``ReadResult.time_zone``).
    notes: what a careful user should know (date order used, ``--tz`` not needed).
    """

    ts: pd.Series
    daily: bool
    how: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Clock:
    wall: np.ndarray  # datetime64[us], the local date and time as written; NaT where unusable
    offset: np.ndarray  # minutes east of UTC, NaN where the time carried no offset
    epoch: bool  # Unix epochs (UTC by definition)
    notes: tuple[str, ...]
    offsets_seen: tuple[str, ...]


def _blank(text: pd.Series) -> np.ndarray:
    return (text.isna() | (text == "")).to_numpy(dtype=bool)


def _show_offset(minutes: float) -> str:
    sign = "+" if minutes >= 0 else "-"
    m = abs(int(minutes))
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def fail_rows(
    checker: RowChecker,
    mask: np.ndarray,
    field: str,
    reason: str,
    first: Callable[[int], str] | None = None,
) -> None:
    """Fail ``mask`` rows on ``field``; ``first(position)`` words the first one's message
    (quoting its value), the others share ``reason``."""
    rows = np.flatnonzero(mask & ~checker.bad)
    if rows.size == 0:
        return
    if first is not None:
        one = np.zeros(mask.size, dtype=bool)
        one[rows[0]] = True
        checker.fail(one, field, first(int(rows[0])))
    checker.fail(mask, field, reason)


def quoted(values: pd.Series, reason: str) -> Callable[[int], str]:
    """``first`` for :func:`fail_rows`: the row's value, quoted, then ``reason``."""
    return lambda i: f"{values.iloc[i]!r} {reason}"


def _slash_dates(
    text: pd.Series, slash: np.ndarray, dayfirst: bool | None, field: str, checker: RowChecker
) -> tuple[np.ndarray, str]:
    """Parse ``a/b/YYYY[ HH:MM[:SS]]`` rows; returns wall times and a note on the order used."""
    parts = text[slash].str.extract(_SLASH)
    a = pd.to_numeric(parts[0]).to_numpy(dtype=np.int64)
    b = pd.to_numeric(parts[1]).to_numpy(dtype=np.int64)
    a_proves, b_proves = a > 12, b > 12
    rows = np.flatnonzero(slash)
    example = str(text.iloc[rows[0]])
    if a_proves.any() and b_proves.any():
        # Both orders proven: the column mixes them; refuse the rows of the rarer one.
        day_first = a_proves.sum() >= b_proves.sum()
        minority = np.zeros(slash.size, dtype=bool)
        minority[rows[b_proves if day_first else a_proves]] = True
        why_not = "puts day and month in the other order than most dates in the column"
        fail_rows(checker, minority, field, why_not, quoted(text, why_not))
        why = "most dates prove it (a number above 12 in that place)"
    elif a_proves.any():
        day_first, why = True, f"{text.iloc[rows[np.argmax(a_proves)]]!r} proves it"
    elif b_proves.any():
        day_first, why = False, f"{text.iloc[rows[np.argmax(b_proves)]]!r} proves it"
    elif dayfirst is None:
        day_first = False
        why = "no date settles the order, so the US convention was assumed; check it"
    else:
        day_first = dayfirst
        why = "the format's convention (no date in the file settles the order)"
    day, month = (a, b) if day_first else (b, a)
    dates = pd.to_datetime(
        pd.DataFrame({"year": pd.to_numeric(parts[2]).to_numpy(), "month": month, "day": day}),
        errors="coerce",
    )
    hhmm = parts[3].fillna("0:00")
    hhmm = hhmm.where(hhmm.str.count(":") != 1, hhmm + ":00")  # HH:MM -> HH:MM:SS
    clock = pd.to_timedelta(hhmm, errors="coerce").to_numpy()
    wall = (dates.to_numpy(dtype="datetime64[us]") + clock).astype("datetime64[us]")
    order = "day-first (D/M/YYYY)" if day_first else "month-first (M/D/YYYY)"
    return wall, f"dates like {example!r} read {order}: {why}"


def _text_clock(
    raw: pd.Series,
    field: str,
    checker: RowChecker,
    dayfirst: bool | None,
) -> _Clock:
    text = raw if raw.dtype == "str" else raw.astype("str")
    n = len(text)
    one = _arrow_one_offset(text)
    if one is not None:  # the usual export: ISO 8601, one offset, no blanks: done
        minutes = one[1]
        # One offset for every row: a read-only view of it, not an array of n copies.
        offset = np.broadcast_to(np.float64(minutes), (n,))
        return _Clock(one[0], offset, False, (), (_show_offset(minutes),))
    present = ~_blank(text)
    wall = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    offset = np.full(n, np.nan)
    seen: tuple[str, ...] = ()
    todo = present
    naive = _arrow_naive(text)
    if naive is not None:  # every time is naive ISO 8601: done
        wall[:] = naive
        parsed = None
        todo = present & np.isnat(wall)
    else:
        try:
            # One C-speed ISO 8601 pass settles the usual file: all naive, or one offset.
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        except ValueError:  # offsets differ between rows (daylight saving): row-wise below
            parsed = None
            todo = present
    if parsed is not None:
        done = parsed.notna().to_numpy()
        if isinstance(parsed.dtype, pd.DatetimeTZDtype) and done.any():
            minutes = parsed[done].iloc[0].utcoffset().total_seconds() / 60
            offset[done] = minutes
            seen = (_show_offset(minutes),)
            parsed = parsed.dt.tz_localize(None)
        wall[done] = parsed[done].to_numpy(dtype="datetime64[us]")
        todo = present & ~done
    notes: list[str] = []
    if todo.any():
        seen, notes = _rowwise_clock(text, todo, wall, offset, seen, field, checker, dayfirst)
    bad = present & np.isnat(wall)
    unreadable = "is not a time leaderlens can read"
    fail_rows(checker, bad, field, unreadable, quoted(text, unreadable))
    checker.fail(~present, field, "the time is missing")
    return _Clock(wall, offset, False, tuple(notes), seen)


def _arrow_naive(text: pd.Series) -> np.ndarray | None:
    """All times as naive ISO 8601, parsed by Arrow (several times faster than pandas), or
    ``None`` as soon as one value is anything else (an offset, padding, another layout)."""
    try:
        parsed = pc.cast(pa.array(text.array), pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        return None
    return np.asarray(parsed.to_numpy(zero_copy_only=False), dtype="datetime64[us]")


def _arrow_one_offset(text: pd.Series) -> tuple[np.ndarray, float] | None:
    """All times as ISO 8601 ending in one and the same UTC offset (``+00:00``, ``-05:00``,
    ``Z``): the wall clock parsed by Arrow and the offset in minutes, or ``None`` when any
    value is anything else (the usual export, read several times faster than by pandas)."""
    try:
        values = pa.array(text.array)
        if values.null_count or len(values) == 0:
            return None
        first = str(values[0].as_py())
        found = re.search(_OFFSET_PARTS, first)
        if found is None or found.group("zero") not in (None, "Z", "z"):
            return None
        if not pc.all(pc.ends_with(values, found.group(0))).as_py():
            return None
        # Arrow reads the offset itself (a zoned cast refuses a value without one); with one
        # offset throughout, the wall clock is the UTC instant plus that offset.
        instants = pc.cast(values, pa.timestamp("us", tz="UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        return None
    if found.group("sign") is None:
        minutes = 0.0
    else:
        sign = -1.0 if found.group("sign") == "-" else 1.0
        minutes = sign * (int(found.group("hh")) * 60 + int(found.group("mm")))
    utc = np.asarray(instants.to_numpy(zero_copy_only=False)).view(np.int64)
    wall = utc + int(minutes) * 60_000_000 if minutes else utc
    return wall.view("datetime64[us]"), minutes


def _rowwise_clock(
    text: pd.Series,
    todo: np.ndarray,
    wall: np.ndarray,
    offset: np.ndarray,
    seen: tuple[str, ...],
    field: str,
    checker: RowChecker,
    dayfirst: bool | None,
) -> tuple[tuple[str, ...], list[str]]:
    """Fill ``wall`` and ``offset`` (in place) for the ``todo`` rows the ISO pass left:
    offsets that vary by row, padded text, ``a/b/YYYY`` dates, other layouts."""
    local = text.copy()
    local[todo] = text[todo].str.strip()
    # Numbers among text (a column the parser kept as text for one bad cell): epochs or dates.
    digits = np.zeros(todo.size, dtype=bool)
    digits[todo] = local[todo].str.fullmatch(r"\d+(?:\.\d*)?", na=False).to_numpy(dtype=bool)
    if digits.any():
        wall[digits], offset[digits], _ = _number_clock(
            pd.to_numeric(local[digits]).to_numpy(np.float64)
        )
        todo = todo & ~digits
    aware = np.zeros(todo.size, dtype=bool)
    aware[todo] = local[todo].str.contains(_OFFSET, regex=True, na=False).to_numpy(dtype=bool)
    if aware.any():
        parts = local[aware].str.extract(_OFFSET_PARTS)
        sign = np.where(parts["sign"].to_numpy(dtype=object) == "-", -1.0, 1.0)
        minutes = sign * (
            pd.to_numeric(parts["hh"]).fillna(0).to_numpy() * 60
            + pd.to_numeric(parts["mm"]).fillna(0).to_numpy()
        )
        offset[aware] = minutes
        local[aware] = local[aware].str.replace(_OFFSET, "", regex=True).str.strip()
        seen = tuple(dict.fromkeys(seen + tuple(_show_offset(m) for m in np.unique(minutes))))
    notes: list[str] = []
    slash = np.zeros(todo.size, dtype=bool)
    slash[todo] = local[todo].str.match(_SLASH, na=False).to_numpy(dtype=bool)
    if slash.any():
        wall[slash], note = _slash_dates(local, slash, dayfirst, field, checker)
        notes.append(note)
    rest = todo & ~slash
    if rest.any():
        wall[rest] = _parse_wall(local[rest])
    return seen[:3], notes


def _parse_wall(text: pd.Series) -> np.ndarray:
    """ISO 8601 first (C speed), then a layout guessed from the first failure, then row by
    row (for at most ``_MIXED_LIMIT`` rows)."""
    out = pd.to_datetime(text, format="ISO8601", errors="coerce")
    todo = out.isna()
    if todo.any():
        guess = guess_datetime_format(str(text[todo].iloc[0]))
        if guess is not None:
            out[todo] = pd.to_datetime(text[todo], format=guess, errors="coerce")
            todo = out.isna()
    if todo.any() and int(todo.sum()) <= _MIXED_LIMIT:
        out[todo] = pd.to_datetime(text[todo], format="mixed", errors="coerce")
    return out.to_numpy(dtype="datetime64[us]")


def _number_clock(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Times written as numbers: ``(wall, offset, ymd)``.

    All integers in 10000101..29991231 are YYYYMMDD dates (epoch seconds there would fall in
    1970); anything else is a Unix epoch in s, ms or us, decided per value (UTC, offset 0).
    """
    ok = ~np.isnan(values)
    v = values[ok]
    if v.size and bool(np.all((v >= 1000_01_01) & (v <= 2999_12_31) & (v % 1 == 0))):
        digits = pd.Series(values).map("{:.0f}".format, na_action="ignore")
        wall = pd.to_datetime(digits, format="%Y%m%d", errors="coerce")
        return wall.to_numpy(dtype="datetime64[us]"), np.full(values.size, np.nan), True
    instants, _ = epoch_to_instants(pd.Series(values))
    wall = instants.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    return wall, np.where(ok, 0.0, np.nan), False


def _read_clock(raw: pd.Series, field: str, checker: RowChecker, dayfirst: bool | None) -> _Clock:
    n = len(raw)
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        zone = str(raw.dt.tz)
        utc = raw.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
        if zone == "UTC":  # the usual typed column: the wall clock is the UTC instant
            local, minutes = utc, np.zeros(n)
        else:
            local = raw.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
            minutes = (local.view(np.int64) - utc.view(np.int64)) / 60e6
        checker.fail(np.isnat(local), field, "the time is missing")
        return _Clock(local, minutes, False, (), (zone,) if zone != "UTC" else ())
    if raw.dtype.kind == "M":
        wall = raw.to_numpy(dtype="datetime64[us]")
        checker.fail(np.isnat(wall), field, "the time is missing")
        return _Clock(wall, np.full(n, np.nan), False, (), ())
    if raw.dtype.kind in "iuf":
        values = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        checker.fail(np.isnan(values), field, "the time is missing")
        wall, offset, ymd = _number_clock(values)
        not_ymd = "is not a YYYYMMDD date"
        fail_rows(checker, ~np.isnan(values) & np.isnat(wall), field, not_ymd, quoted(raw, not_ymd))
        notes = (
            ("dates written as YYYYMMDD numbers",)
            if ymd
            else (f"times are Unix epochs read in {epoch_unit(raw)}, the unit judged by size",)
        )
        return _Clock(wall, offset, not ymd, notes, ())
    return _text_clock(raw, field, checker, dayfirst)


def modal_step(values: np.ndarray) -> int | None:
    """The most common positive spacing of ``values`` (int64, any order, repeats ignored), or
    ``None`` when there is none."""
    d = np.diff(values)
    if d.size and not (d.min() >= 0 or d.max() <= 0):
        d = np.diff(np.sort(values))
    if d.size and d[0] != 0:
        # The usual series: its first spacing is the mode (a majority of the nonzero ones).
        nonzero = d.size - np.count_nonzero(d == 0)
        if 2 * np.count_nonzero(d == d[0]) > nonzero:
            return abs(int(d[0]))
    d = np.abs(d[d != 0])
    if d.size == 0:
        return None
    if 2 * np.count_nonzero(d == d[0]) > d.size:  # a majority is the mode: skip the count
        return int(d[0])
    return int(pd.Series(d).value_counts().index[0])


def _is_utc(zone: str) -> bool:
    stamps = pd.to_datetime(["2021-01-15", "2021-07-15"]).tz_localize(zone)
    return all(s.utcoffset() == pd.Timedelta(0) for s in stamps)


def parse_times(
    raw: pd.Series,
    *,
    field: str,
    checker: RowChecker,
    tz: str | None,
    zone_by_format: str | None = None,
    format_name: str = "generic",
    dayfirst: bool | None = None,
    freq: str | None = None,
) -> Times:
    """Read one time column (text, Unix epochs, or datetimes) as session dates or UTC instants.

    Rows whose time is missing, unparseable, or does not exist in the zone (a daylight-saving
    gap or repeat) are failed in ``checker``. ``freq`` (the user's) forces dates (``1d``) or
    instants (``1m``, ``1h``); it is refused when the wall clock plainly contradicts it.
    """
    clock = _read_clock(raw, field, checker, dayfirst)
    good = ~np.isnat(clock.wall)
    wall_us = clock.wall.view(np.int64)
    usable = wall_us if good.all() else wall_us[good]  # (a mask would copy every time)
    # (The first time settles intraday files without a pass over all of them.)
    midnight = bool(usable.size and usable[0] % DAY_US == 0 and np.all(usable % DAY_US == 0))
    step = modal_step(usable)
    dates_like = midnight or step == DAY_US
    if freq == "1d" and not dates_like and step is not None:
        raise BadInputError(
            f"freq '1d' contradicts the data: the bars are {describe_step(step)} apart",
            file=checker.source,
            field="freq",
        )
    if freq in ("1m", "1h") and dates_like and step is not None:
        raise BadInputError(
            f"freq {freq!r} contradicts the data: the times are dates {describe_step(step)} apart",
            file=checker.source,
            field="freq",
        )
    daily = freq == "1d" or (freq is None and dates_like)
    notes = list(clock.notes)
    if daily:
        labels = np.where(good, (wall_us // DAY_US) * DAY_US, np.iinfo(np.int64).min)
        ts = pd.Series(pd.to_datetime(labels.view("datetime64[us]")).tz_localize("UTC"))
        if tz is not None:
            notes.append(f"--tz {tz} not used: daily dates are session labels, not instants")
        fail_out_of_range(checker, ts, field)
        return Times(ts, True, _daily_how(clock), tuple(notes))

    aware = ~np.isnan(clock.offset) & good
    naive = good & ~aware
    if aware.all() and not clock.offset.any():  # all in UTC already: nothing to shift
        out = clock.wall
    elif aware.all():  # the usual file: every time carried its offset; no masked copies
        shift = np.round(clock.offset * 60e6).astype(np.int64).astype("timedelta64[us]")
        out = clock.wall - shift
    else:
        out = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[us]")
    if aware.any() and not aware.all():
        shift = np.round(clock.offset[aware] * 60e6).astype(np.int64).astype("timedelta64[us]")
        out[aware] = clock.wall[aware] - shift
    zone = None
    if naive.any():
        if zone_by_format is not None and tz is not None and not _is_utc(tz):
            raise BadInputError(
                f"{format_name} files are stamped in {zone_by_format} by format; drop --tz, "
                f"or pass --format generic --tz {tz} if this file was written in {tz}",
                file=checker.source,
                field="tz",
            )
        zone = tz or zone_by_format
        if zone is None:
            first = int(np.flatnonzero(naive)[0])
            checker.fail_naive(NaiveTimeError(first, field, str(raw.iloc[first])))
        local = pd.Series(clock.wall[naive]).dt.tz_localize(
            zone, ambiguous="NaT", nonexistent="NaT"
        )
        instants = local.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")
        out[naive] = instants
        dst = np.zeros(len(raw), dtype=bool)
        dst[np.flatnonzero(naive)[np.isnat(instants)]] = True
        gap = f"does not exist or is ambiguous in {zone} (a daylight-saving change)"
        fail_rows(checker, dst, field, gap, quoted(raw, gap))
    elif tz is not None:
        why = "the times are Unix epochs (UTC)" if clock.epoch else "every time carried its offset"
        notes.append(f"--tz {tz} not used: {why}")
    ts = pd.Series(pd.to_datetime(out).tz_localize("UTC"))
    fail_out_of_range(checker, ts, field)
    return Times(ts, False, _intraday_how(clock, aware, naive, zone, tz, format_name), tuple(notes))


def _daily_how(clock: _Clock) -> str:
    label = "ts is each date at 00:00 UTC, a label of the session, not an instant"
    if clock.epoch:
        return f"daily bars from Unix epoch times (UTC days); {label}"
    if clock.offsets_seen:
        return (
            "daily bars stamped at local midnight with UTC offset "
            f"{', '.join(clock.offsets_seen)}; the local date is kept as the session date; {label}"
        )
    return f"daily bars: dates are the file's session dates; {label}"


def _intraday_how(
    clock: _Clock,
    aware: np.ndarray,
    naive: np.ndarray,
    zone: str | None,
    tz: str | None,
    format_name: str,
) -> str:
    if clock.epoch:
        return "Unix epoch times (UTC by definition); bar start instants"
    parts = []
    if aware.any():
        parts.append("times with a UTC offset were converted exactly")
    if naive.any() and zone is not None:
        source = "--tz" if tz else f"the {format_name} convention"
        then = "" if _is_utc(zone) else " and converted to UTC"
        parts.append(f"times without offset were read in {zone} ({source}){then}")
    return "; ".join(parts) + "; ts is the bar start instant in UTC"


def describe_step(step_us: int) -> str:
    """A spacing in words: ``'1 h'``, ``'4 h'``, ``'5 min'``, ``'7 days'``."""
    seconds = step_us / 1e6
    if seconds % 86_400 == 0:
        days = int(seconds // 86_400)
        return f"{days} day{'s' if days != 1 else ''}"
    if seconds % 3_600 == 0:
        return f"{int(seconds // 3_600)} h"
    if seconds % 60 == 0:
        return f"{int(seconds // 60)} min"
    return f"{seconds:g} s"
