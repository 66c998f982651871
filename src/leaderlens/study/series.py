"""Return series of many assets on their bar grids: the input of the gather step.

The *grid* of an asset is the sequence of bars an event window counts in, so that "bar -1"
means the previous trading session even when the price file lacks it:

* daily, exchange calendar: every session of the calendar between the asset's first and last
  bar (plus any bar on a date the calendar says was closed, kept rather than dropped);
* daily, 24/7: every UTC day; intraday, 24/7: every bar start at the frequency's step;
* intraday, exchange calendar: the bars of the data (trading minutes and hours follow session
  hours the data already respect).

A return on the grid is ``p_k / p_{k-1} - 1`` (simple) or ``log(p_k / p_{k-1})`` (log), with
``p`` the adjusted close where the data have one and the close otherwise; NaN when either price
is missing. Intraday on an exchange, the first bar of each trading period (after the night, a
weekend, the lunch break or a missing bar) has no previous bar in its period: its return is its
own ``close / open`` (the gap is not an ordinary bar; METHODS section 1).

All assets' grids are laid end to end in one *global* index, each followed by ``gap`` empty
positions, so that one relational join gathers every event of every asset and no window of one
asset ever reaches another's bars.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leaderlens.align import TradingCalendar
from leaderlens.align.calendars import trading_periods
from leaderlens.errors import check_choice
from leaderlens.options import RETURN_TYPES

STEP_NS = {"1m": 60 * 10**9, "1h": 3600 * 10**9, "1d": 86400 * 10**9}


@dataclass(frozen=True)
class Grid:
    """Returns of several assets on one global index (arrays of shape (K,)).

    assets: the asset ids, in code order. start, stop: (A,) each asset's first and one-past-last
    global position. code: asset code of each position (-1 in gaps). ts: UTC ns of each bar
    (daily: the session date at 00:00 UTC; -1 in gaps). price, r: price used and return ending
    at each bar (NaN where absent). kind: ``"simple"`` or ``"log"``.
    """

    assets: tuple[str, ...]
    start: np.ndarray
    stop: np.ndarray
    code: np.ndarray
    ts: np.ndarray
    price: np.ndarray
    r: np.ndarray
    kind: str

    def positions(self, asset_codes: np.ndarray, ts: np.ndarray) -> np.ndarray:
        """Global position of each (asset code, instant) pair; -1 where the grid lacks it."""
        out = np.full(ts.size, -1, dtype=np.int64)
        for code in np.unique(asset_codes):
            sel = np.flatnonzero(asset_codes == code)
            lo, hi = self.start[code], self.stop[code]
            seg = self.ts[lo:hi]
            pos = np.searchsorted(seg, ts[sel])
            hit = (pos < seg.size) & (seg[np.minimum(pos, seg.size - 1)] == ts[sel])
            out[sel] = np.where(hit, lo + pos, -1)
        return out

    def segment(self, code: int) -> slice:
        return slice(int(self.start[code]), int(self.stop[code]))

    def values_at(self, code: int, ts: np.ndarray) -> np.ndarray:
        """Returns of asset ``code`` at the given instants (NaN where it has no such bar)."""
        seg = self.segment(code)
        keys = self.ts[seg]
        if keys.size == 0:
            return np.full(ts.size, np.nan)
        pos = np.clip(np.searchsorted(keys, ts), 0, keys.size - 1)
        return np.where(keys[pos] == ts, self.r[seg][pos], np.nan)


def asset_grid(bar_ts: np.ndarray, calendar: TradingCalendar, freq: str) -> np.ndarray:
    """The grid (UTC ns, ascending) spanning one asset's bars (module docstring)."""
    if bar_ts.size == 0:
        return bar_ts
    if freq == "1d" and not calendar.is_24_7:
        sessions = calendar.sessions.astype("datetime64[ns]").view(np.int64)
        lo, hi = np.searchsorted(sessions, [bar_ts[0], bar_ts[-1]], side="left")
        return np.union1d(sessions[lo : hi + 1], bar_ts)
    if calendar.is_24_7:
        step = STEP_NS[freq]
        first = bar_ts[0] - (bar_ts[0] % step)
        return np.arange(first, bar_ts[-1] + 1, step, dtype=np.int64)
    return bar_ts


def asset_grid_is_regular(grid: np.ndarray, calendar: TradingCalendar) -> bool:
    """Whether a daily grid is exactly the calendar's sessions (or UTC days) between its ends,
    so that a day's position on it follows from the calendar alone."""
    if grid.size == 0 or calendar.is_24_7:
        return True
    sessions = calendar.sessions.astype("datetime64[ns]").view(np.int64)
    lo, hi = np.searchsorted(sessions, [grid[0], grid[-1]])
    return bool(hi - lo + 1 == grid.size and np.array_equal(sessions[lo : hi + 1], grid))


def build_grid(
    bars: pd.DataFrame,
    calendars: dict[str, TradingCalendar],
    freq: str,
    kind: str = "simple",
    gap: int = 1,
) -> Grid:
    """Lay the assets of ``bars`` (columns asset_id, ts, open, close, adj_close; sorted by
    asset_id then ts) on one global grid and form their returns."""
    check_choice("returns", kind, RETURN_TYPES)
    assets = tuple(pd.unique(bars["asset_id"]))
    ts_all = pd.DatetimeIndex(bars["ts"]).tz_convert("UTC").as_unit("ns").asi8
    bounds = np.searchsorted(bars["asset_id"].to_numpy(), assets, side="left")
    ends = np.append(bounds[1:], len(bars))
    grids = [
        asset_grid(ts_all[a:b], calendars[asset], freq)
        for asset, a, b in zip(assets, bounds, ends, strict=True)
    ]  # one NumPy call per asset, not per bar or event
    sizes = np.array([g.size for g in grids], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(sizes + gap)[:-1]]).astype(np.int64)
    stop = start + sizes
    total = int(stop[-1] + gap) if len(assets) else 0
    code = np.full(total, -1, dtype=np.int64)
    ts = np.full(total, -1, dtype=np.int64)
    for i, g in enumerate(grids):
        code[start[i] : stop[i]] = i
        ts[start[i] : stop[i]] = g
    bar_code = np.repeat(np.arange(len(assets)), ends - bounds)
    where = Grid(assets, start, stop, code, ts, np.empty(0), np.empty(0), kind).positions(
        bar_code, ts_all
    )
    adj = bars["adj_close"].to_numpy(dtype=float)
    close = np.where(np.isfinite(adj), adj, bars["close"].to_numpy(dtype=float))
    price = np.full(total, np.nan)
    price[where] = close
    previous = np.concatenate([[np.nan], price[:-1]])
    intraday_exchange = [
        i for i, a in enumerate(assets) if freq != "1d" and not calendars[a].is_24_7
    ]
    if intraday_exchange:
        opens = np.full(total, np.nan)
        opens[where] = bars["open"].to_numpy(dtype=float)
        for i in intraday_exchange:
            seg = slice(int(start[i]), int(stop[i]))
            first = _first_of_period(ts[seg], calendars[assets[i]], freq)
            previous[seg] = np.where(first, opens[seg], previous[seg])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = price / previous
        r = np.log(ratio) if kind == "log" else ratio - 1.0
    return Grid(assets, start, stop, code, ts, price, r, kind)


def _first_of_period(grid: np.ndarray, calendar: TradingCalendar, freq: str) -> np.ndarray:
    """Whether each intraday bar is the first of its trading period (or follows a gap)."""
    periods = trading_periods(calendar)
    period = np.searchsorted(periods.starts, grid, side="right") - 1
    first = np.ones(grid.size, dtype=bool)
    first[1:] = (period[1:] != period[:-1]) | (np.diff(grid) != STEP_NS[freq])
    return first
