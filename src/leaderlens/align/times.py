"""Turning what users pass as instants and session dates into plain NumPy arrays, checked once.

Alignment works on integer nanoseconds since the Unix epoch in UTC (``int64``) so that every
rule is one ``np.searchsorted`` away. These helpers are the door: they accept pandas Series,
DatetimeIndex, NumPy ``datetime64`` arrays, lists of ``Timestamp``/``datetime`` objects, and
refuse what cannot be placed in time without guessing (naive pandas times, missing values).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError

NS_PER_SECOND = 1_000_000_000
NS_PER_HOUR = 3_600 * NS_PER_SECOND
NS_PER_DAY = 24 * NS_PER_HOUR


def _first_missing(values: pd.DatetimeIndex) -> int | None:
    missing = np.flatnonzero(np.asarray(values.isna()))
    return int(missing[0]) if missing.size else None


def utc_nanoseconds(values: Any, *, field: str) -> np.ndarray:
    """Instants as ``int64`` nanoseconds since the epoch, UTC.

    Time-zone-aware input is converted to UTC exactly. NumPy ``datetime64`` values carry no time
    zone and are, by NumPy's own convention, read as UTC. Naive pandas times and strings without
    an offset are refused (a naive wall-clock time cannot be placed without knowing its zone),
    as are missing values; the error names ``field`` and the first offending position.
    """
    if isinstance(values, np.ndarray) and np.issubdtype(values.dtype, np.datetime64):
        index = pd.DatetimeIndex(values.ravel()).tz_localize("UTC")
    else:
        try:
            index = pd.DatetimeIndex(pd.Series(values) if np.ndim(values) else [values])
        except (TypeError, ValueError) as exc:
            raise BadInputError(
                f"{field} must be date-times (tz-aware, UTC); could not read them: {exc}",
                field=field,
            ) from exc
        if index.size == 0:
            return np.empty(0, dtype=np.int64)
        if index.tz is None:
            raise BadInputError(
                f"{field} must be time-zone-aware (UTC); got naive date-times "
                f"(e.g. {index[0]!s}); localize them first, e.g. .dt.tz_localize('UTC')",
                field=field,
            )
        index = index.tz_convert("UTC")
    position = _first_missing(index)
    if position is not None:
        raise BadInputError(f"{field} has a missing date-time at position {position}", field=field)
    return np.asarray(index.as_unit("ns").asi8, dtype=np.int64)


def session_days(values: Any, *, field: str) -> np.ndarray:
    """Session labels as ``datetime64[D]``, strictly increasing.

    A session is a date, not an instant: tz-aware midnight stamps (``2024-04-02 00:00+08:00``,
    or the 00:00 UTC labels leaderlens readers write) keep their wall-clock date; a time of day
    other than midnight is refused because it would mean the caller passed instants.
    """
    try:
        index = pd.DatetimeIndex(pd.Series(values))
    except (TypeError, ValueError) as exc:
        raise BadInputError(f"{field} must be session dates: {exc}", field=field) from exc
    if index.tz is not None:
        index = index.tz_localize(None)
    position = _first_missing(index)
    if position is not None:
        raise BadInputError(f"{field} has a missing date at position {position}", field=field)
    not_midnight = np.flatnonzero(np.asarray(index != index.normalize()))
    if not_midnight.size:
        raise BadInputError(
            f"{field} must be dates (midnight labels); position {int(not_midnight[0])} is "
            f"{index[not_midnight[0]]!s}",
            field=field,
        )
    days = np.asarray(index.values.astype("datetime64[D]"))
    if days.size > 1:
        steps = np.diff(days.astype(np.int64))
        bad = np.flatnonzero(steps <= 0)
        if bad.size:
            raise BadInputError(
                f"{field} must be strictly increasing; position {int(bad[0]) + 1} "
                f"({days[bad[0] + 1]}) does not come after {days[bad[0]]}",
                field=field,
            )
    return days


def sorted_bar_starts(values: Any, *, field: str = "bar_starts") -> np.ndarray:
    """Bar start instants as UTC nanoseconds, refused unless strictly increasing."""
    starts = utc_nanoseconds(values, field=field)
    if starts.size > 1:
        bad = np.flatnonzero(np.diff(starts) <= 0)
        if bad.size:
            at = pd.Timestamp(int(starts[bad[0] + 1]), unit="ns", tz="UTC")
            raise BadInputError(
                f"{field} must be sorted and unique; position {int(bad[0]) + 1} ({at}) does "
                f"not come after the bar before it",
                field=field,
            )
    return starts


def as_datetime64(nanoseconds: np.ndarray) -> np.ndarray:
    """``int64`` UTC nanoseconds back to ``datetime64[ns]`` (NumPy's UTC convention).

    The sentinel ``np.iinfo(np.int64).min`` becomes ``NaT``, as NumPy defines it.
    """
    return np.asarray(nanoseconds, dtype=np.int64).view("datetime64[ns]")


def utc_index(nanoseconds: np.ndarray) -> pd.DatetimeIndex:
    """``int64`` UTC nanoseconds as a tz-aware pandas index (for ``to_frame``)."""
    return pd.DatetimeIndex(as_datetime64(nanoseconds)).tz_localize("UTC")


def local_days(nanoseconds: np.ndarray, tz: str) -> np.ndarray:
    """The wall-clock date (``datetime64[D]``) of each UTC instant in time zone ``tz``."""
    local = utc_index(nanoseconds).tz_convert(tz).tz_localize(None)
    return np.asarray(local.values.astype("datetime64[D]"))


def frozen(array: np.ndarray) -> np.ndarray:
    """The array made read-only, so results objects stay immutable all the way down.

    Only for arrays this package created: the flag is set on the array itself, not a copy.
    """
    out = np.asarray(array)
    out.flags.writeable = False
    return out
