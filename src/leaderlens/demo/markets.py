"""Bar grids on real trading calendars, day-0 assignment, and price bars from planted returns.

Returns follow the market model of MacKinlay (1997), *Event Studies in Economics and Finance*,
J. Econ. Lit. 35(1): ``R_t = alpha + beta R_mt + e_t`` with Student-t(5) innovations scaled to
the stated volatility (fat tails like real daily returns), plus the planted abnormal returns on
their day-0 bars. Returns are simple returns; ``adj_close`` equals ``close`` (no dividends or
splits are planted).
"""

from __future__ import annotations

from dataclasses import dataclass

import exchange_calendars as xcals
import numpy as np
import pandas as pd

US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR


@dataclass(frozen=True)
class Grid:
    """The bars of one calendar at one frequency.

    Attributes
    ----------
    calendar: ``XNYS``, ``XHKG`` or ``24/7``.
    freq: ``1d`` or ``1h``.
    labels: bar labels, tz-aware UTC: the session date at 00:00 UTC for daily bars, the bar's
        start for hourly bars; shape (n,).
    closes: the instant each bar closes, microseconds since the epoch (UTC), strictly
        increasing; shape (n,). For sessions these are the exchange's closes, early closes
        included.
    """

    calendar: str
    freq: str
    labels: pd.DatetimeIndex
    closes: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def to_micros(ts: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    """UTC instants as int64 microseconds since the epoch."""
    index = pd.DatetimeIndex(ts)
    return np.asarray(index.tz_convert("UTC").as_unit("us").asi8, dtype=np.int64)


def from_micros(micros: np.ndarray) -> pd.DatetimeIndex:
    """Int64 microseconds since the epoch as tz-aware UTC instants (unit ``us``)."""
    return pd.DatetimeIndex(np.asarray(micros, dtype="datetime64[us]")).tz_localize("UTC")


def session_grid(calendar: str, start: str, end: str) -> Grid:
    """Daily sessions of an exchange calendar (``exchange_calendars``) between two dates."""
    cal = xcals.get_calendar(calendar, start=start, end=end)
    labels = pd.DatetimeIndex(cal.sessions).tz_localize("UTC").as_unit("us")
    return Grid(calendar, "1d", labels, to_micros(pd.DatetimeIndex(cal.closes.array)))


def utc_grid(start: str, end: str, freq: str) -> Grid:
    """A 24/7 grid of UTC days (``1d``) or hours (``1h``) from ``start`` to the end of ``end``."""
    step = US_PER_DAY if freq == "1d" else US_PER_HOUR
    first = to_micros(pd.DatetimeIndex([pd.Timestamp(start, tz="UTC")]))[0]
    last = to_micros(pd.DatetimeIndex([pd.Timestamp(end, tz="UTC")]))[0] + US_PER_DAY
    starts = np.arange(first, last, step, dtype=np.int64)
    return Grid("24/7", freq, from_micros(starts), starts + step)


def bar_of(grid: Grid, instants: np.ndarray) -> np.ndarray:
    """Index of each instant's day-0 bar: the first bar whose close is strictly after it.

    This is METHODS.md section 1: a statement during a session belongs to that session; one
    at or after the close, at a weekend or on a holiday, to the next session. On a 24/7 grid it
    is the bar that contains the instant. Instants after the last close get ``len(grid)``.
    """
    return np.searchsorted(grid.closes, instants, side="right")


def market_returns(rng: np.random.Generator, n: int, mean: float, sigma: float) -> np.ndarray:
    """``n`` simple returns: ``mean`` plus Student-t(5) shocks with standard deviation ``sigma``."""
    return mean + sigma * rng.standard_t(5, n) * np.sqrt(3.0 / 5.0)


def ohlcv(
    rng: np.random.Generator,
    labels: pd.DatetimeIndex,
    returns: np.ndarray,
    *,
    start_price: float,
    sigma: float,
    volume: float,
    activity: np.ndarray,
    gaps: bool,
) -> pd.DataFrame:
    """Price bars whose close-to-close simple returns are exactly ``returns``.

    ``gaps`` draws an opening gap from the previous close (exchange sessions); without it each
    bar opens at the previous close (continuous 24/7 trading). ``activity`` multiplies the
    typical ``volume`` (planted events trade more).
    """
    n = len(returns)
    close = start_price * np.cumprod(1.0 + returns)
    previous = np.concatenate([[start_price], close[:-1]])
    gap = np.exp(rng.normal(0.0, 0.3 * sigma, n)) if gaps else np.ones(n)
    open_ = previous * gap
    wick_up = np.exp(np.abs(rng.normal(0.0, 0.5 * sigma, n)))
    wick_down = np.exp(-np.abs(rng.normal(0.0, 0.5 * sigma, n)))
    shares = np.round(volume * np.exp(rng.normal(0.0, 0.3, n)) * activity)
    return pd.DataFrame(
        {
            "ts": pd.Series(labels, dtype="datetime64[us, UTC]"),
            "open": open_,
            "high": np.maximum(open_, close) * wick_up,
            "low": np.minimum(open_, close) * wick_down,
            "close": close,
            "adj_close": close,
            "volume": shares,
        }
    )


def daily_from_hourly(hourly: pd.DataFrame) -> pd.DataFrame:
    """UTC-day bars from complete hourly bars (24 per day, starting at 00:00 UTC)."""
    days = len(hourly) // 24
    block = {c: hourly[c].to_numpy()[: days * 24].reshape(days, 24) for c in hourly.columns}
    labels = pd.Series(block["ts"][:, 0], dtype="datetime64[us, UTC]")
    return pd.DataFrame(
        {
            "ts": labels,
            "open": block["open"][:, 0],
            "high": block["high"].max(axis=1),
            "low": block["low"].min(axis=1),
            "close": block["close"][:, -1],
            "adj_close": block["adj_close"][:, -1],
            "volume": block["volume"].sum(axis=1),
        }
    )


def activity(planted: np.ndarray, sigma: float) -> np.ndarray:
    """Volume multiplier of a bar with planted abnormal return ``planted`` (more when larger)."""
    return 1.0 + 0.5 * np.abs(planted) / sigma
