"""Crypto bars from an exchange through ccxt (``leaderlens fetch crypto``).

ccxt's ``fetch_ohlcv(symbol, timeframe, since, limit)`` returns at most ``limit`` bars starting
at ``since`` as ``[open time ms, open, high, low, close, base volume]`` rows (ccxt manual,
"OHLCV Structure"). leaderlens pages forward from the first missing bar, stores each page as it
arrives (an interrupted fetch keeps whole pages; the next run starts after the last stored bar)
and stops at ``end`` or when the exchange has nothing newer.

Pacing: ccxt's own throttle (``rateLimit`` milliseconds times the endpoint's cost, e.g. Binance
weights ``klines`` by ``limit``) is kept and driven by leaderlens's clock, so the exchange's
published limit is honoured and tests need no real sleeping. An HTTP 429 (ccxt
``RateLimitExceeded`` / ``DDoSProtection``) is retried after the exchange's ``Retry-After``, or
an exponential wait, within :class:`~leaderlens.fetchers.common.Backoff`'s bounds.

Bars are stored with their open time in UTC on the asset's ``24/7`` calendar; the bar still
running when the fetch happens is left out.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, EngineError, check_choice
from leaderlens.fetchers.common import (
    Backoff,
    Clock,
    FetchReport,
    Progress,
    RateLimited,
    SystemClock,
    as_utc,
    missing_spans,
    require,
    stored_range,
    utc_now,
    with_backoff,
)
from leaderlens.options import PRICE_FREQS as CRYPTO_FREQS
from leaderlens.readers.base import COLUMNS

BAR = {"1d": pd.Timedelta(days=1), "1h": pd.Timedelta(hours=1), "1m": pd.Timedelta(minutes=1)}
PAGE = 1000  # Binance's largest kline page; ccxt clamps it for exchanges that allow fewer


def fetch_crypto(
    ws: Any,
    symbol: str,
    *,
    exchange: str = "binance",
    start: str | pd.Timestamp,
    end: str | pd.Timestamp | None = None,
    freq: str = "1h",
    asset: str | None = None,
    client: Any = None,
    clock: Clock | None = None,
    backoff: Backoff | None = None,
    page_size: int = PAGE,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch ``symbol`` bars (``DOGE/USDT``) from a ccxt exchange into the workspace ``ws``.

    Parameters
    ----------
    ws: an open :class:`~leaderlens.store.workspace.Workspace`.
    symbol: the exchange's unified market symbol, ``BASE/QUOTE``.
    exchange: a ccxt exchange id (``binance``, ``kraken``, ``coinbase``, ...).
    start, end: the range (naive values are UTC); ``end`` (exclusive) defaults to now.
    freq: ``1h``, ``1m`` or ``1d``.
    asset: the asset id to store under (default ``<BASE>-<QUOTE>``, e.g. ``DOGE-USDT``).
    client: a ccxt exchange object to use instead of a new one (its HTTP session, proxies).
    clock, backoff: how time is read and waited, and the rate-limit bounds.
    page_size: bars asked per request.
    progress: called after each stored page.
    """
    check_choice("freq", freq, CRYPTO_FREQS)
    if "/" not in symbol:
        raise BadInputError(
            f"symbol {symbol!r} is not a market symbol: write it as BASE/QUOTE, e.g. DOGE/USDT",
            field="symbol",
        )
    if page_size < 1:
        raise BadInputError("page_size must be at least 1", field="page_size")
    clock = clock or SystemClock()
    backoff = backoff or Backoff()
    first = as_utc(start, "start")
    assert first is not None  # required by the signature
    last = as_utc(end, "end") or utc_now(clock)
    if first >= last:
        raise BadInputError(f"start {first} is not before end {last}", field="start")
    ccxt = require("ccxt", "fetching crypto bars")
    ex = client if client is not None else _exchange(ccxt, exchange)
    name = str(getattr(ex, "id", exchange))
    asset_id = asset or symbol.replace("/", "-").upper()
    waited: list[float] = []
    _pace(ex, clock, waited)

    have_first, have_last = stored_range(
        ws, "SELECT min(ts), max(ts) FROM bars WHERE asset_id = ? AND freq = ?", [asset_id, freq]
    )
    spans = missing_spans(first, last, have_first, have_last, BAR[freq])
    bar_ms = int(BAR[freq] / pd.Timedelta(milliseconds=1))
    loads, requests = [], 0
    for span_start, span_end in spans:
        since = int(span_start.timestamp() * 1000)
        stop = int(span_end.timestamp() * 1000)
        expected = max(1, -(-(stop - since) // (bar_ms * page_size)))
        page_no = 0
        while since < stop:
            rows = with_backoff(
                partial(_page, ccxt, ex, name, symbol, freq, since, page_size),
                source=name,
                classify=lambda exc: _rate_limited(ccxt, ex, exc),
                backoff=backoff,
                clock=clock,
                waited=waited,
            )
            requests += 1
            page_no += 1
            bars, newest = _canonical(rows, name, symbol, since, stop, bar_ms, clock)
            if not bars.empty:
                loads.append(ws.ingest_prices(bars, asset=asset_id, calendar="24/7", freq=freq))
            if progress is not None:
                progress(f"{name} {symbol}", page_no, max(expected, page_no))
            if newest is None or newest + bar_ms <= since:
                break  # the exchange has nothing at or after ``since``
            since = newest + bar_ms
    notes = [
        f"{name} {symbol} {freq} bars, open time in UTC, volume in the base currency; "
        f"calendar 24/7",
        f"paced by ccxt's rateLimit ({getattr(ex, 'rateLimit', '?')} ms per unit of request cost)",
    ]
    return FetchReport(
        source=name,
        target=asset_id,
        spans=tuple(spans),
        requests=requests,
        loads=tuple(loads),
        waited=float(sum(waited)),
        notes=tuple(notes),
    )


def _exchange(ccxt: Any, exchange: str) -> Any:
    if exchange not in getattr(ccxt, "exchanges", ()):
        raise BadInputError(
            f"ccxt does not know the exchange {exchange!r}; use a ccxt exchange id such as "
            f"binance, kraken, coinbase, bybit, okx",
            field="exchange",
        )
    return getattr(ccxt, exchange)({"enableRateLimit": True})


def _pace(ex: Any, clock: Clock, waited: list[float]) -> None:
    """Drive ccxt's throttle (``rateLimit * cost`` between requests) with ``clock``."""
    state: dict[str, float | None] = {"last": None}

    def throttle(cost: float | None = None) -> None:
        now = clock.now()
        if state["last"] is not None:
            gap = float(ex.rateLimit) * (1.0 if cost is None else float(cost)) / 1000.0
            delay = gap - (now - float(state["last"]))
            if delay > 0:
                waited.append(delay)
                clock.sleep(delay)
        state["last"] = clock.now()

    ex.throttle = throttle


def _page(
    ccxt: Any, ex: Any, name: str, symbol: str, freq: str, since: int, limit: int
) -> list[Any]:
    try:
        rows = ex.fetch_ohlcv(symbol, freq, since=since, limit=limit)
    except (ccxt.RateLimitExceeded, ccxt.DDoSProtection):
        raise
    except ccxt.BadSymbol as exc:
        raise BadInputError(
            f"{name} has no market {symbol!r}; check the symbol on the exchange (e.g. DOGE/USDT)",
            field="symbol",
        ) from exc
    except ccxt.AuthenticationError as exc:
        raise BadInputError(f"{name} refused the credentials: {exc}", field="exchange") from exc
    except ccxt.NetworkError as exc:
        raise EngineError(
            f"cannot reach {name} ({type(exc).__name__}: {exc}); check the network connection and "
            f"run the same command again (pages already fetched are stored)"
        ) from exc
    except ccxt.BaseError as exc:
        raise EngineError(f"{name} refused the request for {symbol}: {exc}") from exc
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise _malformed(name, symbol, f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(rows, list):
        raise _malformed(name, symbol, f"a {type(rows).__name__} instead of a list of bars")
    if not rows:
        # ccxt answers [] both for "no bars" and for a body it could not parse: tell them apart.
        raw = getattr(ex, "last_http_response", None)
        try:
            body = json.loads(raw) if isinstance(raw, str | bytes) else []
        except ValueError:
            raise _malformed(name, symbol, "a body that is not complete JSON") from None
        if not isinstance(body, list | dict) or (isinstance(body, dict) and body):
            raise _malformed(name, symbol, f"{str(raw)[:80]!r} instead of a list of bars")
    return rows


def _malformed(name: str, symbol: str, what: str) -> EngineError:
    return EngineError(
        f"{name} sent a kline page for {symbol} that leaderlens cannot read ({what}); the "
        f"exchange's API may have changed: try again later or upgrade ccxt (pip install -U ccxt)"
    )


def _rate_limited(ccxt: Any, ex: Any, exc: Exception) -> RateLimited | None:
    if not isinstance(exc, ccxt.RateLimitExceeded | ccxt.DDoSProtection):
        return None
    headers = getattr(ex, "last_response_headers", None) or {}
    retry_after = {str(k).lower(): v for k, v in dict(headers).items()}.get("retry-after")
    try:
        return RateLimited(float(retry_after) if retry_after is not None else None)
    except ValueError:
        return RateLimited(None)


def _canonical(
    rows: list[Any], name: str, symbol: str, since: int, stop: int, bar_ms: int, clock: Clock
) -> tuple[pd.DataFrame, int | None]:
    """Canonical bars in ``[since, stop)`` that have finished, and the newest open time seen."""
    if not rows:
        return pd.DataFrame(columns=list(COLUMNS["prices"])), None
    if any(not isinstance(r, list | tuple) or len(r) < 6 for r in rows):
        raise _malformed(name, symbol, "a bar that is not [time, open, high, low, close, volume]")
    try:
        values = np.asarray([r[:6] for r in rows], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise _malformed(name, symbol, f"a non-numeric field ({exc})") from exc
    if not np.isfinite(values[:, :5]).all():
        raise _malformed(name, symbol, "a bar with a missing time or price")
    times = values[:, 0].astype(np.int64)
    if (np.diff(times) <= 0).any():
        raise _malformed(name, symbol, "bar times not strictly increasing")
    now_ms = int(clock.now() * 1000)
    keep = (times >= since) & (times < stop) & (times + bar_ms <= now_ms)
    frame = pd.DataFrame(
        {
            "ts": pd.to_datetime(times[keep], unit="ms", utc=True).as_unit("us"),
            "open": values[keep, 1],
            "high": values[keep, 2],
            "low": values[keep, 3],
            "close": values[keep, 4],
            "adj_close": values[keep, 4],
            "volume": values[keep, 5],
        }
    )
    return frame, int(times.max())
