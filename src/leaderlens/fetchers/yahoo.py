"""Prices from Yahoo Finance through yfinance (``leaderlens fetch prices``).

Yahoo's chart API (``/v8/finance/chart/<ticker>``, read by yfinance ``Ticker.history``) returns
bars with their exchange: ``exchangeName`` and ``exchangeTimezoneName`` in the response's
``meta``. leaderlens takes the trading calendar from the exchange (``NMS`` -> ``XNAS``, ``NYQ``
-> ``XNYS``, ``HKG`` -> ``XHKG``, crypto -> ``24/7``, see :data:`EXCHANGE_CALENDARS`) unless the
asset is already stored or ``calendar`` is given.

Adjustment (yfinance ``auto_adjust=False``): ``close`` (and open, high, low) are adjusted for
splits by Yahoo; ``adj_close`` is adjusted for splits and dividends. Both are re-adjusted by
Yahoo after every split or dividend, so each fetch re-asks for the last stored bar: if Yahoo's
values for it changed, the fetch stops (``ConflictError``) rather than mix two bases, and says
how to refetch the history on the new basis.

Limits Yahoo imposes (yfinance documentation, ``Ticker.history``): ``1m`` bars only for the
last 30 days and at most 8 days per request; ``1h`` bars only for the last 730 days. Requests
are cut into windows accordingly (:data:`WINDOWS`); each window is one stored page. Bars not yet
finished (today's session, the running hour) are left out so that a later fetch does not find
them changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, ConflictError, EngineError, check_choice
from leaderlens.fetchers.common import (
    Backoff,
    Clock,
    FetchReport,
    Progress,
    RateLimited,
    SystemClock,
    as_utc,
    chunks,
    missing_spans,
    require,
    stored_range,
    utc_now,
    with_backoff,
)
from leaderlens.options import PRICE_FREQS as YAHOO_FREQS
from leaderlens.readers.base import COLUMNS
from leaderlens.store.sql import first_row

SOURCE = "yahoo"
BAR = {"1d": pd.Timedelta(days=1), "1h": pd.Timedelta(hours=1), "1m": pd.Timedelta(minutes=1)}
WINDOWS = {"1d": None, "1h": pd.Timedelta(days=700), "1m": pd.Timedelta(days=7)}

# Yahoo's exchange codes (chart ``meta.exchangeName``) -> exchange_calendars names.
EXCHANGE_CALENDARS: dict[str, str] = {
    "NMS": "XNAS", "NGM": "XNAS", "NCM": "XNAS", "NAS": "XNAS", "NIM": "XNAS",
    "NYQ": "XNYS", "NYS": "XNYS", "PCX": "ARCX", "ASE": "XASE", "BTS": "XNYS",
    "HKG": "XHKG", "LSE": "XLON", "IOB": "XLON", "JPX": "XTKS", "TYO": "XTKS",
    "SHH": "XSHG", "GER": "XETR", "ETR": "XETR", "PAR": "XPAR", "AMS": "XAMS",
    "TOR": "XTSE", "ASX": "XASX", "KSC": "XKRX", "BSE": "XBOM", "EBS": "XSWX",
    "MIL": "XMIL", "MCE": "XMAD",
    "CCC": "24/7", "CCY": "24/7",
}  # fmt: skip
ADJUSTMENT_NOTE = (
    "Yahoo prices: open, high, low and close adjusted for splits; adj_close adjusted for splits "
    "and dividends (yfinance auto_adjust=False)"
)


def fetch_prices(
    ws: Any,
    tickers: Sequence[str],
    *,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp | None = None,
    freq: str = "1d",
    calendar: str | None = None,
    benchmark: str | None = None,
    session: Any = None,
    clock: Clock | None = None,
    backoff: Backoff | None = None,
    refresh: bool = False,
    progress: Progress | None = None,
) -> tuple[FetchReport, ...]:
    """Fetch bars of each ticker from Yahoo Finance into the workspace ``ws``.

    Parameters
    ----------
    ws: an open :class:`~leaderlens.store.workspace.Workspace`.
    tickers: Yahoo symbols (``TSLA``, ``1810.HK``, ``BTC-USD``); each is stored as an asset of
        the same id.
    start, end: the range, dates or ISO instants (naive values are UTC); ``end`` (exclusive)
        defaults to now.
    freq: ``1d``, ``1h`` or ``1m``.
    calendar: the trading calendar for new assets (default: from the exchange Yahoo reports).
    benchmark: the benchmark asset id recorded with each asset.
    session: the HTTP session yfinance sends its requests through (a ``curl_cffi`` or
        ``requests`` session; default: yfinance's own).
    clock, backoff: how time is read and waited, and the rate-limit bounds.
    refresh: ask for the whole range again and replace stored bars whose values Yahoo changed
        (after a split or dividend re-adjusted its history).
    progress: called after each stored page.

    Returns one :class:`FetchReport` per ticker. Only the spans the workspace lacks are asked
    for; the last stored bar is asked again to detect re-adjusted history.
    """
    check_choice("freq", freq, YAHOO_FREQS)
    if not tickers:
        raise BadInputError("give at least one ticker", field="tickers")
    clock = clock or SystemClock()
    backoff = backoff or Backoff()
    first = as_utc(start, "start")
    assert first is not None  # start is required by the signature
    last = as_utc(end, "end") or utc_now(clock)
    if first >= last:
        raise BadInputError(
            f"start {first:%Y-%m-%d} is not before end {last:%Y-%m-%d}", field="start"
        )
    yf = require("yfinance", "fetching prices from Yahoo")
    return tuple(
        _fetch_one(
            ws,
            yf,
            t,
            first,
            last,
            freq,
            calendar,
            benchmark,
            session,
            clock,
            backoff,
            refresh,
            progress,
        )
        for t in tickers
    )


def _fetch_one(
    ws: Any,
    yf: Any,
    ticker: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    freq: str,
    calendar: str | None,
    benchmark: str | None,
    session: Any,
    clock: Clock,
    backoff: Backoff,
    refresh: bool,
    progress: Progress | None,
) -> FetchReport:
    if not ticker or not ticker.strip():
        raise BadInputError("a ticker must be a non-empty symbol", field="tickers")
    ticker = ticker.strip()
    if freq == "1d":
        # Daily bars are session-date labels: ask by date.
        start, end = start.normalize(), end.ceil("D")
    have_first, have_last = stored_range(
        ws,
        "SELECT min(ts), max(ts) FROM bars WHERE asset_id = ? AND freq = ?",
        [ticker, freq],
    )
    # The span after the stored bars starts *at* the last stored bar (step 0): asking for it
    # again is how a re-adjustment of Yahoo's history is noticed.
    spans = (
        [(start, end)]
        if refresh
        else missing_spans(start, end, have_first, have_last, pd.Timedelta(0))
    )
    windows = [w for a, b in spans for w in _windows(a, b, freq)]
    handle = yf.Ticker(ticker, session=session) if session is not None else yf.Ticker(ticker)
    stored_calendar = _stored_calendar(ws, ticker)
    waited: list[float] = []
    loads = []
    notes = [ADJUSTMENT_NOTE]
    requests = 0
    for done, (a, b) in enumerate(windows, start=1):
        frame = with_backoff(
            partial(_history, yf, handle, ticker, a, b, freq),
            source=SOURCE,
            classify=lambda exc: _rate_limited(yf, exc),
            backoff=backoff,
            clock=clock,
            waited=waited,
        )
        requests += 1
        meta = _meta(handle)
        bars, dropped = _canonical(frame, freq, meta, utc_now(clock))
        if dropped:
            notes.append(f"{dropped} unfinished bar{'s' if dropped != 1 else ''} left out")
        if not bars.empty:
            chosen = calendar or (None if stored_calendar else _calendar(meta, ticker))
            loads.append(_ingest(ws, bars, ticker, chosen, freq, benchmark, refresh))
            stored_calendar = stored_calendar or chosen
        if progress is not None:
            progress(f"{SOURCE} {ticker}", done, len(windows))
    if meta_zone := _meta_zone(handle):
        notes.append(f"exchange time zone {meta_zone}; bars stored in UTC (daily: session dates)")
    return FetchReport(
        source=SOURCE,
        target=ticker,
        spans=tuple(spans),
        requests=requests,
        loads=tuple(loads),
        waited=float(sum(waited)),
        notes=tuple(dict.fromkeys(notes)),
    )


def _windows(
    a: pd.Timestamp, b: pd.Timestamp, freq: str
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    size = WINDOWS[freq]
    return [(a, b)] if size is None else chunks(a, b, size)


def _stored_calendar(ws: Any, asset: str) -> str | None:
    row = first_row(ws.connection, "SELECT calendar FROM assets WHERE asset_id = ?", [asset])
    return str(row[0]) if row else None


_META_KEYS = ("exchangeName", "fullExchangeName", "instrumentType", "exchangeTimezoneName")


def _meta(handle: Any) -> dict[str, Any]:
    """The exchange fields of the last chart response's ``meta`` (yfinance keeps it)."""
    # ``history_metadata`` is a lazy mapping: reading only these keys avoids the extra request
    # it makes for intraday ``tradingPeriods``.
    metadata = handle.history_metadata
    return {key: metadata[key] for key in _META_KEYS if key in metadata}


def _meta_zone(handle: Any) -> str | None:
    zone = _meta(handle).get("exchangeTimezoneName")
    return str(zone) if zone else None


@contextlib.contextmanager
def _exceptions_shown(yf: Any) -> Iterator[None]:
    """yfinance logs and hides errors by default; leaderlens needs them to explain failures."""
    debug = yf.config.debug
    before = debug.hide_exceptions
    debug.hide_exceptions = False
    try:
        yield
    finally:
        debug.hide_exceptions = before


def _history(
    yf: Any, handle: Any, ticker: str, a: pd.Timestamp, b: pd.Timestamp, freq: str
) -> pd.DataFrame:
    """One request of bars in ``[a, b)``, yfinance's errors turned into leaderlens errors."""
    exc_mod = yf.exceptions
    if freq == "1d":
        # Dates are read by yfinance in the exchange's zone: session dates, as wanted.
        window: dict[str, Any] = {"start": f"{a:%Y-%m-%d}", "end": f"{b:%Y-%m-%d}"}
    else:
        window = {"start": int(a.timestamp()), "end": int(b.timestamp())}
    try:
        with _exceptions_shown(yf):
            frame = handle.history(
                interval=freq, auto_adjust=False, actions=False, repair=False, **window
            )
    except exc_mod.YFRateLimitError:
        raise
    except exc_mod.YFTzMissingError as exc:
        raise _unknown(ticker) from exc
    except exc_mod.YFPricesMissingError as exc:
        reason = getattr(exc, "yahoo_reason", None) or ""
        if "delisted" in str(exc).lower() and not reason:
            raise _unknown(ticker) from exc
        if reason:
            raise BadInputError(
                f"Yahoo Finance has no {freq} bars for {ticker} from {a:%Y-%m-%d %H:%M} to "
                f"{b:%Y-%m-%d %H:%M} UTC: {reason} (Yahoo keeps 1m bars for 30 days and 1h bars "
                f"for 730 days)",
                field="start",
                asset=ticker,
            ) from exc
        return pd.DataFrame()  # a range with no sessions: nothing to store
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise EngineError(
            f"Yahoo Finance sent a response for {ticker} that yfinance could not read "
            f"({type(exc).__name__}: {exc}); the service may have changed or be down: try again "
            f"later, or upgrade yfinance (pip install -U yfinance)",
            asset=ticker,
        ) from exc
    except exc_mod.YFException as exc:
        raise EngineError(f"Yahoo Finance refused the request for {ticker}: {exc}") from exc
    except Exception as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status == 404:  # yfinance's fallback look-up (quoteSummary) of an unknown symbol
            raise _unknown(ticker) from exc
        if isinstance(exc, OSError) or _is_network_error(exc):
            raise _offline(ticker, exc) from exc
        raise
    if not isinstance(frame, pd.DataFrame):
        raise EngineError(f"yfinance returned no table for {ticker}", asset=ticker)
    return frame


def _unknown(ticker: str) -> BadInputError:
    return BadInputError(
        f"Yahoo Finance does not know the ticker {ticker!r} (no time zone or prices for it, "
        f"perhaps delisted); check the symbol on finance.yahoo.com (Hong Kong: 1810.HK, "
        f"crypto: BTC-USD)",
        field="tickers",
        asset=ticker,
    )


def _offline(ticker: str, exc: Exception) -> EngineError:
    return EngineError(
        f"cannot reach Yahoo Finance for {ticker} ({type(exc).__name__}: {exc}); check the "
        f"network connection and run the same command again (pages already fetched are stored)",
        asset=ticker,
    )


def _is_network_error(exc: Exception) -> bool:
    """curl_cffi and requests errors are network failures (both subclass their own bases)."""
    module = type(exc).__module__
    return module.startswith(("curl_cffi", "requests", "urllib3"))


def _rate_limited(yf: Any, exc: Exception) -> RateLimited | None:
    # yfinance raises YFRateLimitError on HTTP 429 without the Retry-After header.
    return RateLimited(None) if isinstance(exc, yf.exceptions.YFRateLimitError) else None


def _canonical(
    frame: pd.DataFrame, freq: str, meta: dict[str, Any], now: pd.Timestamp
) -> tuple[pd.DataFrame, int]:
    """yfinance's table as canonical price rows, and how many unfinished bars were dropped."""
    if frame.empty:
        return pd.DataFrame(columns=list(COLUMNS["prices"])), 0
    missing = [c for c in ("Open", "High", "Low", "Close", "Volume") if c not in frame.columns]
    if missing or not isinstance(frame.index, pd.DatetimeIndex):
        raise EngineError(
            f"yfinance returned an unexpected table (columns {list(frame.columns)}); upgrade "
            f"yfinance or report it"
        )
    index = frame.index
    if index.tz is None:  # yfinance localises to the exchange; be safe when it does not
        index = index.tz_localize(meta.get("exchangeTimezoneName") or "UTC")
    if freq == "1d":
        # The session's date in the exchange's zone, kept as a label at 00:00 UTC.
        ts = pd.DatetimeIndex(index.tz_localize(None).normalize()).tz_localize("UTC")
        today = now.tz_convert(index.tz).tz_localize(None).normalize().tz_localize("UTC")
        finished = ts < today
    else:
        ts = index.tz_convert("UTC")
        finished = (ts + BAR[freq]) <= now
    adj = frame["Adj Close"] if "Adj Close" in frame.columns else frame["Close"]
    out = pd.DataFrame(
        {
            "ts": ts.as_unit("us"),
            "open": frame["Open"].to_numpy(dtype=np.float64),
            "high": frame["High"].to_numpy(dtype=np.float64),
            "low": frame["Low"].to_numpy(dtype=np.float64),
            "close": frame["Close"].to_numpy(dtype=np.float64),
            "adj_close": adj.to_numpy(dtype=np.float64),
            "volume": frame["Volume"].to_numpy(dtype=np.float64),
        }
    )
    keep = np.asarray(finished) & ~np.isnan(out["close"].to_numpy())
    return out[keep].reset_index(drop=True), int((~np.asarray(finished)).sum())


def _calendar(meta: dict[str, Any], ticker: str) -> str:
    """The trading calendar of the exchange Yahoo reports for the ticker."""
    if str(meta.get("instrumentType", "")).upper() == "CRYPTOCURRENCY":
        return "24/7"
    code = str(meta.get("exchangeName") or "")
    if code in EXCHANGE_CALENDARS:
        return EXCHANGE_CALENDARS[code]
    raise BadInputError(
        f"Yahoo Finance lists {ticker} on exchange {code or 'unknown'!r} "
        f"({meta.get('fullExchangeName', 'no name given')}), whose trading calendar leaderlens "
        f"does not know: pass --calendar (an exchange_calendars name such as XNYS, or 24/7)",
        field="calendar",
        asset=ticker,
    )


def _ingest(
    ws: Any,
    bars: pd.DataFrame,
    ticker: str,
    calendar: str | None,
    freq: str,
    benchmark: str | None,
    refresh: bool,
) -> Any:
    try:
        return ws.ingest_prices(
            bars,
            asset=ticker,
            calendar=calendar,
            freq=freq,
            benchmark=benchmark,
            on_conflict="replace" if refresh else "error",
        )
    except ConflictError as exc:
        raise ConflictError(
            f"Yahoo Finance's {freq} prices for {ticker} differ from the stored ones "
            f"({exc.message}); Yahoo re-adjusts history after a split or dividend: fetch "
            f"again with --refresh (refresh=True) to store the whole range on Yahoo's new basis",
            asset=ticker,
            field=exc.field,
        ) from exc
