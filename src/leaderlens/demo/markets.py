"""Bar grids on real trading calendars, day-0 assignment, and price bars from planted returns.

Returns follow the market model of MacKinlay (1997), *Event Studies in Economics and Finance*,
J. Econ. Lit. 35(1): ``R_t = alpha + beta R_mt + e_t`` with Student-t(5) innovations scaled to
the stated volatility (fat tails like real daily returns), plus the planted abnormal returns on
their day-0 bars. Returns are simple returns; ``adj_close`` equals ``close`` (no dividends or
splits are planted).

Every random draw is made on a fixed grid (every weekday for exchange-traded assets, every hour
for the coin) before any calendar is read, and sessions sample that latent path
(:func:`session_bars`): a session added to or removed from a calendar changes that exchange's
bars on that day and the next session only, never another asset's or another day's draws.
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


def weekday_grid(start: str, end: str) -> pd.DatetimeIndex:
    """Every weekday (Monday to Friday) from ``start`` to ``end``, at 00:00 UTC: the fixed grid
    on which the exchange-traded assets' latent paths are drawn, whatever the calendars say."""
    return pd.date_range(start, end, freq="B", tz="UTC", unit="us")


def nominal_closes(dates: pd.DatetimeIndex, timezone: str, hour: int) -> np.ndarray:
    """``hour`` o'clock local time in ``timezone`` on each of ``dates``, microseconds UTC: an
    exchange's regular close without asking its calendar (no holidays, no early closes)."""
    local = pd.DatetimeIndex(dates.date) + pd.Timedelta(hours=hour)
    return to_micros(local.tz_localize(timezone))


@dataclass(frozen=True)
class Latent:
    """One asset's random draws on a fixed grid (weekdays, or hours for the coin), drawn
    before any calendar is consulted; all of shape (n,).

    Attributes
    ----------
    returns: simple returns of the latent path (market model, without planted effects).
    gap: opening gap factor of a session.
    wick_up, wick_down: high and low as factors of the bar's body.
    volume: volume noise factor.
    """

    returns: np.ndarray
    gap: np.ndarray
    wick_up: np.ndarray
    wick_down: np.ndarray
    volume: np.ndarray


def draw_latent(
    rng: np.random.Generator, n: int, mean: float, sigma: float, *, gaps: bool
) -> Latent:
    """``n`` draws of every random part of an asset's bars, in a fixed order.

    Returns are ``mean`` plus Student-t(5) shocks with standard deviation ``sigma``; ``gaps``
    draws opening gaps (exchange sessions), without it a bar opens at the previous close.
    """
    returns = mean + sigma * rng.standard_t(5, n) * np.sqrt(3.0 / 5.0)
    gap = np.exp(rng.normal(0.0, 0.3 * sigma, n)) if gaps else np.ones(n)
    wick_up = np.exp(np.abs(rng.normal(0.0, 0.5 * sigma, n)))
    wick_down = np.exp(-np.abs(rng.normal(0.0, 0.5 * sigma, n)))
    volume = np.exp(rng.normal(0.0, 0.3, n))
    return Latent(returns, gap, wick_up, wick_down, volume)


def session_bars(
    latent: Latent,
    days: pd.DatetimeIndex,
    grid: Grid,
    planted_at: np.ndarray,
    planted_ar: np.ndarray,
    *,
    start_price: float,
    sigma: float,
    volume: float,
) -> pd.DataFrame:
    """Price bars of ``grid``'s sessions sampled from a latent path on ``days``.

    The latent close on day ``d`` is ``start_price * prod_{e <= d} (1 + returns_e)``; each
    planted effect (at instant ``planted_at``, abnormal simple return ``planted_ar``) multiplies
    every close strictly after its instant by ``1 + planted_ar``, which puts it on its day-0
    session (METHODS.md section 1). A session's close is the latent close of its date times
    the planted factors before its close, so a day without a session folds its return (and the
    effects planted on it) into the next session, as a real closure does, and no other close
    changes: the bars depend on the calendar only on the days it changes.

    The day-0 simple return is ``(1 + R_normal) * (1 + planted_ar) - 1``, ``planted_ar`` plus
    ``planted_ar * R_normal`` (mean ``planted_ar`` to within ``|alpha + beta E[R_m]|``, about
    0.1 % of it). Volume grows with the planted move: ``1 + 0.5 |move| / sigma`` times the
    typical ``volume``.
    """
    at = days.searchsorted(grid.labels)
    if (at >= len(days)).any() or not (days[np.minimum(at, len(days) - 1)] == grid.labels).all():
        raise ValueError(f"{grid.calendar} has sessions outside the latent grid")
    order = np.argsort(planted_at, kind="stable")
    factor = np.concatenate([[0.0], np.cumsum(np.log1p(planted_ar[order]))])
    planted = factor[np.searchsorted(planted_at[order], grid.closes, side="left")]
    latent_close = start_price * np.cumprod(1.0 + latent.returns)
    close = latent_close[at] * np.exp(planted)
    previous = np.concatenate([[start_price], close[:-1]])
    open_ = previous * latent.gap[at]
    move = np.expm1(np.diff(planted, prepend=0.0))
    return pd.DataFrame(
        {
            "ts": pd.Series(grid.labels, dtype="datetime64[us, UTC]"),
            "open": open_,
            "high": np.maximum(open_, close) * latent.wick_up[at],
            "low": np.minimum(open_, close) * latent.wick_down[at],
            "close": close,
            "adj_close": close,
            "volume": np.round(volume * latent.volume[at] * (1.0 + 0.5 * np.abs(move) / sigma)),
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
