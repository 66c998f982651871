"""Crypto bars through ccxt, offline at its HTTP boundary (requests, mocked with ``responses``).

Binance's ``/api/v3/klines`` pages are built, in Binance's array format with prices as strings,
from the real DOGE/USDT hourly file in ../shared/data; the stored bars must equal what the file
reader gives for the same hours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from leaderlens import BadInputError, EngineError, read_prices
from leaderlens.fetchers.common import Backoff
from leaderlens.fetchers.crypto import fetch_crypto

ccxt = pytest.importorskip("ccxt")
requests = pytest.importorskip("requests")
responses = pytest.importorskip("responses")

DOGE = {
    "symbol": "DOGEUSDT", "status": "TRADING", "baseAsset": "DOGE", "baseAssetPrecision": 8,
    "quoteAsset": "USDT", "quotePrecision": 8, "quoteAssetPrecision": 8,
    "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
    "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
    "icebergAllowed": True, "ocoAllowed": True, "quoteOrderQtyMarketAllowed": True,
    "allowTrailingStop": True, "cancelReplaceAllowed": True, "isSpotTradingAllowed": True,
    "isMarginTradingAllowed": True,
    "filters": [
        {"filterType": "PRICE_FILTER", "minPrice": "0.00000100", "maxPrice": "1000.00000000",
         "tickSize": "0.00000100"},
        {"filterType": "LOT_SIZE", "minQty": "1.00000000", "maxQty": "9000000000.00000000",
         "stepSize": "1.00000000"},
        {"filterType": "NOTIONAL", "minNotional": "1.00000000", "applyMinToMarket": True,
         "maxNotional": "9000000.00000000", "applyMaxToMarket": False, "avgPriceMins": 5},
    ],
    "permissions": [], "permissionSets": [["SPOT", "MARGIN"]],
    "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
    "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
}  # fmt: skip
HOUR_MS = 3_600_000
Klines = Callable[[dict[str, str]], tuple[int, dict[str, str], str]]


@pytest.fixture(scope="module")
def doge_text(shared_data: Path) -> pd.DataFrame:
    """The hourly file with every field as its original text (so pages carry the same digits)."""
    path = shared_data / "crypto_binance_ohlcv_doge_btc" / "DOGEUSDT_1h.csv.gz"
    frame = pd.read_csv(path, dtype=str)
    stamps = pd.to_datetime(frame["timestamp"]).dt.tz_localize("UTC")
    frame["ms"] = (stamps - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)
    keep = (stamps >= "2021-01-25") & (stamps < "2021-02-20")  # around "the people's crypto"
    return frame[keep.to_numpy()].reset_index(drop=True)


@pytest.fixture(scope="module")
def doge_read(shared_data: Path) -> pd.DataFrame:
    return read_prices(shared_data / "crypto_binance_ohlcv_doge_btc" / "DOGEUSDT_1h.csv.gz").frame


def kline(row: pd.Series) -> list[Any]:
    """One Binance kline: [open ms, o, h, l, c, volume, close ms, quote vol, trades, ...]."""
    close = float(row["close"]) * float(row["volume"])
    return [
        int(row["ms"]), row["open"], row["high"], row["low"], row["close"], row["volume"],
        int(row["ms"]) + HOUR_MS - 1, f"{close:.8f}", 1000, "0", "0", "0",
    ]  # fmt: skip


def serve(frame: pd.DataFrame) -> Klines:
    def klines(query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        assert query["symbol"] == "DOGEUSDT" and query["interval"] == "1h"
        since, limit = int(query["startTime"]), int(query["limit"])
        page = frame[frame["ms"] >= since].head(limit)
        return 200, {}, json.dumps([kline(r) for _, r in page.iterrows()])

    return klines


class Binance:
    """The three exchangeInfo endpoints ccxt loads markets from, and klines from a handler."""

    def __init__(self, mock: Any, klines: Klines, clock: Any) -> None:
        self.klines = klines
        self.clock = clock
        self.kline_calls: list[dict[str, str]] = []
        self.kline_times: list[float] = []
        mock.add(responses.GET, "https://api.binance.com/api/v3/exchangeInfo",
                 json={"timezone": "UTC", "serverTime": 1, "rateLimits": [],
                       "exchangeFilters": [], "symbols": [DOGE]})  # fmt: skip
        for url in (
            "https://fapi.binance.com/fapi/v1/exchangeInfo",
            "https://dapi.binance.com/dapi/v1/exchangeInfo",
        ):
            mock.add(responses.GET, url, json={"symbols": []})
        mock.add_callback(
            responses.GET, re.compile(r"https://api\.binance\.com/api/v3/klines.*"), self._klines
        )

    def _klines(self, request: Any) -> tuple[int, dict[str, str], str]:
        query = {k: v[0] for k, v in parse_qs(urlparse(request.url).query).items()}
        self.kline_calls.append(query)
        self.kline_times.append(self.clock.now())
        return self.klines(query)


@pytest.fixture
def mock() -> Iterator[Any]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rs:
        yield rs


def expected(read: pd.DataFrame, first: str, end: str) -> pd.DataFrame:
    keep = (read["ts"] >= pd.Timestamp(first, tz="UTC")) & (
        read["ts"] < pd.Timestamp(end, tz="UTC")
    )
    return read[keep].reset_index(drop=True)


def test_paged_doge_hours_equal_the_file_reader(
    ws: Any, clock: Any, mock: Any, doge_text: pd.DataFrame, doge_read: pd.DataFrame
) -> None:
    binance = Binance(mock, serve(doge_text), clock)
    report = fetch_crypto(
        ws, "DOGE/USDT", start="2021-02-01", end="2021-02-10", freq="1h",
        page_size=100, clock=clock,
    )  # fmt: skip
    stored = ws.bars("DOGE-USDT", freq="1h")
    want = expected(doge_read, "2021-02-01", "2021-02-10")
    pd.testing.assert_frame_equal(stored, want[list(stored.columns)], check_dtype=False)
    assert len(stored) == 9 * 24  # no Binance outage in these days
    first_ms = int(pd.Timestamp("2021-02-01", tz="UTC").timestamp() * 1000)
    assert [int(c["startTime"]) for c in binance.kline_calls] == [
        first_ms,
        first_ms + 100 * HOUR_MS,
        first_ms + 200 * HOUR_MS,
    ]
    assert len(report.loads) == 3 and report.rows_added == 216
    assert ws.assets().set_index("asset_id").loc["DOGE-USDT", "calendar"] == "24/7"
    # ccxt's pacing was honoured on the fake clock: klines requests are rateLimit x the
    # endpoint's cost apart, both read from ccxt's own description of Binance
    reference = ccxt.binance()
    gap = reference.rateLimit * reference.api["public"]["get"]["klines"]["cost"] / 1000
    gaps = pd.Series(binance.kline_times).diff().dropna()
    assert gaps.to_list() == pytest.approx([gap, gap])
    assert report.waited == pytest.approx(sum(clock.sleeps))


def test_interrupted_fetch_keeps_whole_pages_and_the_next_run_continues(
    ws: Any, clock: Any, mock: Any, doge_text: pd.DataFrame, doge_read: pd.DataFrame
) -> None:
    inner = serve(doge_text)
    calls = {"n": 0}

    def flaky(query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise requests.ConnectionError("connection reset by peer")
        return inner(query)

    binance = Binance(mock, flaky, clock)
    with pytest.raises(EngineError, match=r"cannot reach binance.*run the same command again"):
        fetch_crypto(
            ws, "DOGE/USDT", start="2021-02-01", end="2021-02-10", page_size=100, clock=clock
        )
    assert len(ws.bars("DOGE-USDT", freq="1h")) == 200  # two whole pages
    binance.kline_calls.clear()
    report = fetch_crypto(
        ws, "DOGE/USDT", start="2021-02-01", end="2021-02-10", page_size=100, clock=clock
    )
    resume = pd.Timestamp("2021-02-01", tz="UTC") + pd.Timedelta(hours=200)
    assert int(binance.kline_calls[0]["startTime"]) == int(resume.timestamp() * 1000)
    assert report.rows_added == 16
    stored = ws.bars("DOGE-USDT", freq="1h")
    want = expected(doge_read, "2021-02-01", "2021-02-10")
    pd.testing.assert_frame_equal(stored, want[list(stored.columns)], check_dtype=False)
    # and a third run asks for nothing
    binance.kline_calls.clear()
    again = fetch_crypto(ws, "DOGE/USDT", start="2021-02-01", end="2021-02-10", clock=clock)
    assert binance.kline_calls == [] and again.requests == 0 and again.spans == ()


def test_http_429_waits_retry_after_on_the_fake_clock(
    ws: Any, clock: Any, mock: Any, doge_text: pd.DataFrame
) -> None:
    inner = serve(doge_text)
    refused = {"left": 1}

    def limited(query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        if refused["left"]:
            refused["left"] -= 1
            return 429, {"Retry-After": "7"}, '{"code":-1003,"msg":"Too many requests."}'
        return inner(query)

    Binance(mock, limited, clock)
    report = fetch_crypto(ws, "DOGE/USDT", start="2021-02-01", end="2021-02-02", clock=clock)
    assert 7.0 in clock.sleeps
    assert report.rows_added == 24


def test_rate_limit_longer_than_the_bound_stops_and_says_when(
    ws: Any, clock: Any, mock: Any
) -> None:
    Binance(mock, lambda q: (429, {"Retry-After": "3600"}, '{"code":-1003}'), clock)
    with pytest.raises(
        EngineError, match=r"asks to wait 3,600 s.*run the same command again after"
    ):
        fetch_crypto(
            ws, "DOGE/USDT", start="2021-02-01", end="2021-02-02", clock=clock,
            backoff=Backoff(max_wait=60.0),
        )  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        '[[1612137600000,"0.0352","0.0360","0.0349"',  # truncated
        '[[1612137600000,"0.0352","0.0360"]]',  # a bar with missing fields
        '[[1612137600000,"0.0352","0.0360","0.0349","abc","1000",0,"0",1,"0","0","0"]]',
        '{"unexpected": "object"}',
    ],
    ids=["truncated", "short-bar", "not-a-number", "object"],
)
def test_malformed_pages_are_refused_naming_the_exchange(
    ws: Any, clock: Any, mock: Any, body: str
) -> None:
    Binance(mock, lambda q: (200, {}, body), clock)
    with pytest.raises(EngineError, match="binance"):
        fetch_crypto(ws, "DOGE/USDT", start="2021-02-01", end="2021-02-02", clock=clock)
    with pytest.raises(Exception, match="no bars"):
        ws.bars("DOGE-USDT", freq="1h")


def test_unknown_symbol_and_exchange(
    ws: Any, clock: Any, mock: Any, doge_text: pd.DataFrame
) -> None:
    Binance(mock, serve(doge_text), clock)
    with pytest.raises(BadInputError, match="binance has no market 'SHIBA/INU'"):
        fetch_crypto(ws, "SHIBA/INU", start="2021-02-01", end="2021-02-02", clock=clock)
    with pytest.raises(BadInputError, match="ccxt does not know the exchange 'notanexchange'"):
        fetch_crypto(ws, "DOGE/USDT", exchange="notanexchange", start="2021-02-01", clock=clock)
    with pytest.raises(BadInputError, match="BASE/QUOTE"):
        fetch_crypto(ws, "DOGEUSDT", start="2021-02-01", clock=clock)


def test_running_bar_is_left_out(
    ws: Any, mock: Any, doge_text: pd.DataFrame, make_clock: Any
) -> None:
    during = make_clock(pd.Timestamp("2021-02-04 08:15:26", tz="UTC").timestamp())
    Binance(mock, serve(doge_text), during)
    fetch_crypto(ws, "DOGE/USDT", start="2021-02-04", freq="1h", clock=during)
    assert ws.bars("DOGE-USDT", freq="1h")["ts"].max() == pd.Timestamp("2021-02-04 07:00", tz="UTC")
