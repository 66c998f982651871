"""Gather a response and its controls from a workspace onto the response's calendar, and align
moments to that calendar as event studies do (METHODS section 1).

Names: an asset id (``1810.HK``, ``^HSI``) means the asset's daily closes (adjusted when
stored); ``BRAND:METRIC`` (``tesla:search_interest``) means the brand's attention series.
Every series is laid on the response's bars: a control's value at a bar is its last value
available by that bar's end (its session close on its own calendar, the end of the UTC day for
24/7 assets and attention), so a control never looks ahead of the response.

Values: prices become simple returns by default (``values="returns"``; a return is stationary,
a moment's effect on it is transient, and the cumulative effect over a window is then the
abnormal return an event study reports), or log prices (``values="log_prices"``; the effect is
then a level shift). Attention becomes log(1 + value), as in the event study of attention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.align.calendars import get_calendar
from leaderlens.align.daily import align_daily
from leaderlens.errors import BadInputError, MissingDataError

DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Gathered:
    """The response (first column) and controls on the response's bars, indexed by bar label;
    what the values are; the response's calendar; and where each moment landed."""

    frame: pd.DataFrame
    values: str
    calendar: str
    moment_rows: np.ndarray
    moment_how: tuple[str, ...]


def gather(
    ws: Any, series: str, controls: Sequence[str], moments: Sequence[Any], values: str
) -> Gathered:
    """Read ``series`` and ``controls`` from the workspace ``ws`` and align ``moments``."""
    names = [series, *controls]
    if len(set(names)) != len(names):
        raise BadInputError("the series and the controls must all differ", field="controls")
    raw = [_read(ws, name) for name in names]
    base = raw[0]
    frame = pd.DataFrame(index=pd.DatetimeIndex(base.label))
    for name, part in zip(names, raw, strict=True):
        frame[name] = _as_of(base, part)
    frame = frame.dropna()
    if len(frame) < len(base.label) // 2:
        raise MissingDataError(
            "the controls cover less than half of the series' bars", field="controls"
        )
    levels = [
        _transform(frame[name], part.kind, values) for name, part in zip(names, raw, strict=True)
    ]
    out = pd.concat(levels, axis=1).dropna()
    rows, how = _align(ws, series, base, out.index, moments)
    label = {"price": "simple returns" if values == "returns" else "log prices"}
    return Gathered(
        frame=out,
        values=label.get(base.kind, "log(1 + value)"),
        calendar=base.calendar,
        moment_rows=rows,
        moment_how=how,
    )


@dataclass(frozen=True)
class _Raw:
    kind: str  # "price" or "attention"
    calendar: str
    label: pd.DatetimeIndex  # bar labels (session dates at 00:00 UTC, or UTC days)
    available: np.ndarray  # int64 ns UTC: when each value is known (the bar's end)
    value: np.ndarray


def _read(ws: Any, name: str) -> _Raw:
    if ":" in name:
        brand, _, metric = name.partition(":")
        data = ws.attention(metric, brand=brand)
        if data.empty:
            raise MissingDataError(f"no attention {metric!r} for brand {brand!r}", field="series")
        label = pd.DatetimeIndex(data["ts"]).tz_convert("UTC").as_unit("ns")
        return _Raw("attention", "24/7", label, (label + DAY).asi8, data["value"].to_numpy(float))
    assets = ws.assets()
    row = assets[assets["asset_id"] == name]
    if row.empty:
        raise MissingDataError(f"no asset {name!r} in the workspace", asset=name)
    calendar = str(row.iloc[0]["calendar"] or "24/7")
    bars = ws.bars(name, freq="1d")
    label = pd.DatetimeIndex(bars["ts"]).tz_convert("UTC").as_unit("ns")
    adj = bars["adj_close"].to_numpy(dtype=float)
    price = np.where(np.isfinite(adj), adj, bars["close"].to_numpy(dtype=float))
    return _Raw("price", calendar, label, _closes(calendar, label), price)


def _closes(calendar: str, label: pd.DatetimeIndex) -> np.ndarray:
    """Each session's close (UTC ns); the end of the UTC day on 24/7 or off the calendar."""
    end_of_day = (label + DAY).asi8
    cal = get_calendar(calendar)
    if cal.is_24_7:
        return end_of_day
    days = label.tz_localize(None).to_numpy().astype("datetime64[D]")
    pos = np.clip(np.searchsorted(cal.sessions, days), 0, max(cal.sessions.size - 1, 0))
    known = cal.sessions.size > 0
    on_cal = known & (cal.sessions[pos] == days) if known else np.zeros(days.size, dtype=bool)
    closes = cal.closes.view(np.int64)[pos] if known else end_of_day
    return np.where(on_cal, closes, end_of_day)


def _as_of(base: _Raw, part: _Raw) -> np.ndarray:
    """``part``'s last value available by the end of each of ``base``'s bars."""
    order = np.argsort(part.available, kind="stable")
    pos = np.searchsorted(part.available[order], base.available, side="right") - 1
    return np.where(pos >= 0, part.value[order][np.maximum(pos, 0)], np.nan)


def _transform(column: pd.Series, kind: str, values: str) -> pd.Series:
    x = column.to_numpy(dtype=float)
    if kind == "attention":
        if (x < 0).any():
            raise BadInputError(f"{column.name} has negative values", field="series")
        out = np.log1p(x)
    elif (x <= 0).any():
        raise BadInputError(f"{column.name} has prices <= 0", field="series")
    elif values == "returns":
        out = np.concatenate([[np.nan], x[1:] / x[:-1] - 1])
    else:
        out = np.log(x)
    return pd.Series(out, index=column.index, name=column.name)


def _align(
    ws: Any, series: str, base: _Raw, index: pd.DatetimeIndex, moments: Sequence[Any]
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Row of each moment's day 0 in ``index`` and how it got there."""
    instants = pd.DatetimeIndex([_instant(m) for m in moments])
    if base.kind == "attention":  # UTC days: the day containing the instant
        days = instants.floor("D")
        hows = ["UTC day"] * len(days)
    else:
        aligned = align_daily(instants, base.calendar)
        days = pd.DatetimeIndex(aligned.day0.astype("datetime64[ns]")).tz_localize("UTC")
        hows = [str(h) for h in aligned.how]
    rows = np.searchsorted(index.as_unit("ns").asi8, days.as_unit("ns").asi8)
    out = []
    for moment, day, row, how in zip(moments, days, rows, hows, strict=True):
        if pd.isna(day) or row >= len(index):
            raise MissingDataError(
                f"moment {moment} falls after the data of {series!r}", field="moment"
            )
        moved = "" if index[row] == day else " (no bar that day: next bar)"
        out.append(f"{how} -> {index[row].date()}{moved}")
    return rows.astype(np.int64), tuple(out)


def _instant(moment: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is None:
        raise BadInputError(
            f"moment {moment!r} has no time zone; give an offset (e.g. 2024-03-28T19:00+08:00)",
            field="moment",
        )
    return stamp.tz_convert("UTC")
