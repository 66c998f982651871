"""Yahoo Finance through yfinance, offline at its HTTP boundary (the curl_cffi session).

The chart responses are built, in Yahoo's ``/v8/finance/chart`` JSON format, from the real
TSLA daily file in ../shared/data (``prices_daily_2010_2022_tsla_spy_doge/TSLA.csv``); the
stored bars must equal what the file reader gives for the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from leaderlens import BadInputError, ConflictError, EngineError, read_prices
from leaderlens.fetchers.common import Backoff
from leaderlens.fetchers.yahoo import fetch_prices

yf = pytest.importorskip("yfinance")
curl_requests = pytest.importorskip("curl_cffi.requests")
from curl_cffi.requests.models import Response  # noqa: E402

NEW_YORK = "America/New_York"
Handler = Callable[[str, dict[str, Any]], tuple[int, bytes, dict[str, str]]]


class FakeYahoo(curl_requests.Session):  # type: ignore[misc,name-defined]
    """A curl_cffi session answering Yahoo's endpoints from a handler; nothing leaves."""

    def __init__(self, chart: Handler) -> None:
        super().__init__()
        self.chart = chart
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, url: str, params: Any = None, **kwargs: Any) -> Response:  # type: ignore[override]
        response = Response()
        response.url = url
        params = dict(params or {})
        if "/v8/finance/chart/" in url:
            self.calls.append({"url": url, **params})
            status, body, headers = self.chart(url.rsplit("/", 1)[-1], params)
        elif "/quoteSummary/" in url:  # yfinance's second look-up of an unknown symbol
            symbol = url.rsplit("/", 1)[-1]
            error = {"code": "Not Found", "description": f"Quote not found for symbol: {symbol}"}
            status, headers = 404, {"content-type": "application/json"}
            body = json.dumps({"quoteSummary": {"result": None, "error": error}}).encode()
        elif "getcrumb" in url:
            status, body, headers = 200, b"fakecrumb", {}
        elif ".yahoo.com" in url:  # cookie and consent pages: nothing to give
            status, body, headers = 404, b"", {}
        else:
            raise AssertionError(f"unexpected request {url}")
        response.status_code = status
        response.ok = status < 400
        response.content = body
        for key, value in headers.items():
            response.headers[key] = value
        return response


@pytest.fixture(autouse=True)
def _fresh_yfinance(tmp_path: Path) -> Iterator[None]:
    yf.cache.set_cache_location(str(tmp_path / "yf-cache"))
    yf.data.YfData.cache_get.cache_clear()
    yield
    yf.data.YfData.cache_get.cache_clear()


@pytest.fixture(scope="module")
def tsla(shared_data: Path) -> pd.DataFrame:
    path = shared_data / "prices_daily_2010_2022_tsla_spy_doge" / "TSLA.csv"
    frame = pd.read_csv(path)
    frame["Date"] = pd.to_datetime(frame["Date"])
    return frame


def meta(symbol: str, exchange: str = "NMS", kind: str = "EQUITY") -> dict[str, Any]:
    period = {"timezone": "EDT", "start": 0, "end": 0, "gmtoffset": -14400}
    return {
        "currency": "USD",
        "symbol": symbol,
        "exchangeName": exchange,
        "fullExchangeName": "NasdaqGS",
        "instrumentType": kind,
        "firstTradeDate": 1277818200,
        "regularMarketTime": 1653076800,
        "hasPrePostMarketData": True,
        "gmtoffset": -14400,
        "timezone": "EDT",
        "exchangeTimezoneName": NEW_YORK,
        "priceHint": 2,
        "currentTradingPeriod": {"pre": period, "regular": period, "post": period},
        "dataGranularity": "1d",
        "range": "",
        "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
    }


def chart_body(rows: pd.DataFrame, symbol: str = "TSLA") -> bytes:
    """Yahoo's chart JSON for daily rows: one timestamp per session at the 09:30 open."""
    opens = (rows["Date"] + pd.Timedelta(hours=9, minutes=30)).dt.tz_localize(NEW_YORK)
    stamps = [int(t.timestamp()) for t in opens]
    quote = {
        "open": rows["Open"].tolist(),
        "high": rows["High"].tolist(),
        "low": rows["Low"].tolist(),
        "close": rows["Close"].tolist(),
        "volume": [int(v) for v in rows["Volume"]],
    }
    result = {
        "meta": meta(symbol),
        "timestamp": stamps,
        "indicators": {"quote": [quote], "adjclose": [{"adjclose": rows["Adj Close"].tolist()}]},
    }
    return json.dumps({"chart": {"result": [result], "error": None}}).encode()


def serve(frame: pd.DataFrame) -> Handler:
    """A chart endpoint over ``frame``: ``period1``/``period2`` select sessions, ``range`` one."""

    def chart(symbol: str, params: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
        if "range" in params:  # yfinance's time-zone probe
            return 200, chart_body(frame.tail(1), symbol), {}
        lo = pd.Timestamp(int(params["period1"]), unit="s", tz="UTC").tz_convert(NEW_YORK)
        hi = pd.Timestamp(int(params["period2"]), unit="s", tz="UTC").tz_convert(NEW_YORK)
        opens = (frame["Date"] + pd.Timedelta(hours=9, minutes=30)).dt.tz_localize(NEW_YORK)
        return 200, chart_body(frame[(opens >= lo) & (opens < hi)], symbol), {}

    return chart


def expected(path: Path, first: str, last: str) -> pd.DataFrame:
    read = read_prices(path).frame
    keep = (read["ts"] >= pd.Timestamp(first, tz="UTC")) & (
        read["ts"] <= pd.Timestamp(last, tz="UTC")
    )
    return read[keep].reset_index(drop=True)


def test_tsla_around_funding_secured_equals_the_file_reader(
    ws: Any, clock: Any, tsla: pd.DataFrame, shared_data: Path
) -> None:
    session = FakeYahoo(serve(tsla))
    (report,) = fetch_prices(
        ws, ["TSLA"], start="2018-07-25", end="2018-08-18", session=session, clock=clock
    )
    stored = ws.bars("TSLA", freq="1d")
    want = expected(
        shared_data / "prices_daily_2010_2022_tsla_spy_doge" / "TSLA.csv",
        "2018-07-25",
        "2018-08-17",
    )
    pd.testing.assert_frame_equal(stored, want[list(stored.columns)], check_dtype=False)
    assert len(stored) == 18  # sessions 2018-07-25 .. 2018-08-17
    row = stored[stored["ts"] == pd.Timestamp("2018-08-07", tz="UTC")].iloc[0]
    assert row["close"] == pytest.approx(75.914001)  # raw 379.57 / 5, as PROVENANCE says
    assert ws.assets().set_index("asset_id").loc["TSLA", "calendar"] == "XNAS"
    assert report.rows_added == 18
    assert any("adj_close adjusted for splits and dividends" in n for n in report.notes)


def test_second_fetch_asks_only_for_what_is_missing(
    ws: Any, clock: Any, tsla: pd.DataFrame
) -> None:
    session = FakeYahoo(serve(tsla))
    fetch_prices(ws, ["TSLA"], start="2018-08-01", end="2018-08-08", session=session, clock=clock)
    session.calls.clear()
    (again,) = fetch_prices(
        ws, ["TSLA"], start="2018-08-01", end="2018-08-15", session=session, clock=clock
    )
    data = [c for c in session.calls if "period1" in c]
    assert len(data) == 1
    asked = pd.Timestamp(int(data[0]["period1"]), unit="s", tz="UTC").tz_convert(NEW_YORK)
    assert asked.date().isoformat() == "2018-08-07"  # the last stored session, asked again
    assert again.rows_added == 5 and again.rows_unchanged == 1
    assert len(ws.bars("TSLA")) == 10


def test_history_readjusted_by_yahoo_is_refused_then_refreshed(
    ws: Any, clock: Any, tsla: pd.DataFrame
) -> None:
    fetch_prices(
        ws,
        ["TSLA"],
        start="2018-08-01",
        end="2018-08-08",
        session=FakeYahoo(serve(tsla)),
        clock=clock,
    )
    split = tsla.copy()
    for column in ("Open", "High", "Low", "Close", "Adj Close"):
        split[column] = split[column] / 3  # the 2022 3:1 split re-adjusts all history
    yf.data.YfData.cache_get.cache_clear()
    with pytest.raises(ConflictError, match="--refresh"):
        fetch_prices(
            ws,
            ["TSLA"],
            start="2018-08-01",
            end="2018-08-10",
            session=FakeYahoo(serve(split)),
            clock=clock,
        )
    assert len(ws.bars("TSLA")) == 5  # the refused page left nothing behind
    yf.data.YfData.cache_get.cache_clear()
    fetch_prices(
        ws, ["TSLA"], start="2018-08-01", end="2018-08-10", refresh=True,
        session=FakeYahoo(serve(split)), clock=clock,
    )  # fmt: skip
    bars = ws.bars("TSLA")
    assert len(bars) == 7
    assert bars["close"].iloc[-3] == pytest.approx(75.914001 / 3)


def test_rate_limit_waits_on_the_fake_clock_then_succeeds(
    ws: Any, clock: Any, tsla: pd.DataFrame
) -> None:
    inner = serve(tsla)
    refusals = {"left": 4}  # yfinance retries once itself: two refusals per attempt

    def chart(symbol: str, params: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
        if "period1" in params and refusals["left"]:
            refusals["left"] -= 1
            return 429, b"Too Many Requests", {}
        return inner(symbol, params)

    (report,) = fetch_prices(
        ws, ["TSLA"], start="2018-08-01", end="2018-08-08", session=FakeYahoo(chart),
        clock=clock, backoff=Backoff(attempts=5, first_wait=5.0, max_wait=60.0),
    )  # fmt: skip
    assert clock.sleeps == [5.0, 10.0]
    assert report.waited == 15.0 and report.rows_added == 5


def test_rate_limit_that_never_ends_stops_with_a_message(ws: Any, clock: Any) -> None:
    def chart(symbol: str, params: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
        return 429, b"Too Many Requests", {}

    with pytest.raises(EngineError, match="yahoo rate limit: still refused after 3 attempts"):
        fetch_prices(
            ws, ["TSLA"], start="2018-08-01", end="2018-08-08", session=FakeYahoo(chart),
            clock=clock, backoff=Backoff(attempts=3, first_wait=1.0, max_wait=60.0),
        )  # fmt: skip
    assert clock.sleeps == [1.0, 2.0]


def test_unknown_ticker_names_the_ticker(ws: Any, clock: Any) -> None:
    body = json.dumps(
        {
            "chart": {
                "result": None,
                "error": {
                    "code": "Not Found",
                    "description": "No data found, symbol may be delisted",
                },
            }
        }
    ).encode()
    with pytest.raises(BadInputError, match="does not know the ticker 'TSLAX'") as info:
        fetch_prices(
            ws, ["TSLAX"], start="2018-08-01", end="2018-08-08",
            session=FakeYahoo(lambda s, p: (404, body, {})), clock=clock,
        )  # fmt: skip
    assert info.value.asset == "TSLAX"


@pytest.mark.parametrize(
    "body",
    [
        b'{"chart": {"result": [{"meta": {"currency": "USD", "symbol"',
        b"<html>Will be right back</html>",
    ],
    ids=["truncated", "not-json"],
)
def test_malformed_response_is_an_engine_error_naming_yahoo(
    ws: Any, clock: Any, tsla: pd.DataFrame, body: bytes
) -> None:
    inner = serve(tsla)

    def chart(symbol: str, params: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
        return (200, body, {}) if "period1" in params else inner(symbol, params)

    with pytest.raises(EngineError, match="Yahoo Finance"):
        fetch_prices(
            ws,
            ["TSLA"],
            start="2018-08-01",
            end="2018-08-08",
            session=FakeYahoo(chart),
            clock=clock,
        )
    with pytest.raises(Exception, match="no bars"):
        ws.bars("TSLA")


def test_unfinished_session_is_left_out(ws: Any, tsla: pd.DataFrame, make_clock: Any) -> None:
    # 2018-08-07 15:00 New York: that session is still running
    during = make_clock(pd.Timestamp("2018-08-07 15:00", tz=NEW_YORK).timestamp())
    (report,) = fetch_prices(
        ws,
        ["TSLA"],
        start="2018-08-01",
        end="2018-08-08",
        session=FakeYahoo(serve(tsla)),
        clock=during,
    )
    assert ws.bars("TSLA")["ts"].max() == pd.Timestamp("2018-08-06", tz="UTC")
    assert any("unfinished bar" in n for n in report.notes)


def test_unknown_exchange_asks_for_a_calendar(ws: Any, clock: Any, tsla: pd.DataFrame) -> None:
    inner = serve(tsla)

    def chart(symbol: str, params: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
        status, body, headers = inner(symbol, params)
        data = json.loads(body)
        data["chart"]["result"][0]["meta"]["exchangeName"] = "XYZ"
        return status, json.dumps(data).encode(), headers

    with pytest.raises(BadInputError, match="pass --calendar"):
        fetch_prices(
            ws,
            ["TSLA"],
            start="2018-08-01",
            end="2018-08-08",
            session=FakeYahoo(chart),
            clock=clock,
        )
    yf.data.YfData.cache_get.cache_clear()
    fetch_prices(
        ws, ["TSLA"], start="2018-08-01", end="2018-08-08", calendar="XNYS",
        session=FakeYahoo(chart), clock=clock,
    )  # fmt: skip
    assert ws.assets().set_index("asset_id").loc["TSLA", "calendar"] == "XNYS"


def test_freq_and_dates_are_checked_at_the_door(ws: Any, clock: Any) -> None:
    with pytest.raises(BadInputError, match="freq must be one of 1d, 1h, 1m"):
        fetch_prices(ws, ["TSLA"], start="2018-08-01", freq="5m", clock=clock)
    with pytest.raises(BadInputError, match="not a date"):
        fetch_prices(ws, ["TSLA"], start="yesterday-ish", clock=clock)
    assert np.isfinite(clock.now())


def intraday_chart(stamps: pd.DatetimeIndex, close: np.ndarray, granularity: str) -> Handler:
    """A chart endpoint over intraday bars (Yahoo stamps each bar by its start instant)."""

    def chart(symbol: str, params: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
        if "range" in params:
            keep = np.zeros(stamps.size, dtype=bool)
            keep[-1] = True
        else:
            lo = pd.Timestamp(int(params["period1"]), unit="s", tz="UTC")
            hi = pd.Timestamp(int(params["period2"]), unit="s", tz="UTC")
            keep = np.asarray((stamps >= lo) & (stamps < hi))
        quote = {
            "open": (close[keep] * 0.999).tolist(),
            "high": (close[keep] * 1.002).tolist(),
            "low": (close[keep] * 0.997).tolist(),
            "close": close[keep].tolist(),
            "volume": [1000] * int(keep.sum()),
        }
        sessions = pd.DatetimeIndex(stamps[keep].tz_convert(NEW_YORK).normalize().unique())
        periods = [
            [
                {
                    "timezone": "EST",
                    "start": int((day + pd.Timedelta(hours=9, minutes=30)).timestamp()),
                    "end": int((day + pd.Timedelta(hours=16)).timestamp()),
                    "gmtoffset": int(day.utcoffset().total_seconds()),
                }
            ]
            for day in sessions
        ]
        info = meta(symbol) | {"dataGranularity": granularity, "tradingPeriods": periods}
        result = {
            "meta": info,
            "timestamp": [int(t.timestamp()) for t in stamps[keep]],
            "indicators": {"quote": [quote]},
        }
        return 200, json.dumps({"chart": {"result": [result], "error": None}}).encode(), {}

    return chart


@pytest.mark.parametrize(
    ("freq", "first", "last", "step", "per_session", "window_days", "requests"),
    [
        # Yahoo serves 1h bars for the last 730 days and 1m bars for the last 30; the fake
        # clock stands at 2024-01-02.
        ("1h", "2022-01-10", "2023-12-29", pd.Timedelta(hours=1), 7, 700, 2),
        ("1m", "2023-12-11", "2023-12-29", pd.Timedelta(minutes=1), 390, 7, 3),
    ],
)
def test_intraday_bars_land_at_their_utc_start_in_windows_yahoo_allows(
    ws: Any,
    clock: Any,
    freq: str,
    first: str,
    last: str,
    step: pd.Timedelta,
    per_session: int,
    window_days: int,
    requests: int,
) -> None:
    opens = (pd.bdate_range(first, last) + pd.Timedelta(hours=9, minutes=30)).tz_localize(NEW_YORK)
    stamps = (
        pd.DatetimeIndex(np.concatenate([opens + i * step for i in range(per_session)]))
        .sort_values()
        .tz_convert("UTC")
    )
    close = 100 + np.sin(np.arange(stamps.size) / 50.0)
    session = FakeYahoo(intraday_chart(stamps, close, freq))
    end = (pd.Timestamp(last) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    fetch_prices(
        ws,
        ["TSLA"],
        start=first,
        end=end,
        freq=freq,
        session=session,
        clock=clock,
        calendar="24/5",
    )
    stored = ws.bars("TSLA", freq=freq)
    assert stored["ts"].tolist() == list(stamps)
    np.testing.assert_allclose(stored["close"], close)
    data = [c for c in session.calls if "period1" in c]
    spans = [int(c["period2"]) - int(c["period1"]) for c in data]
    assert len(data) == requests and max(spans) <= window_days * 86400
