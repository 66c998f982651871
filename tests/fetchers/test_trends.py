"""Google Trends through pytrends, offline at its HTTP boundary (requests, via ``responses``).

The real daily "dogecoin" file in ../shared/data was itself made by pytrends from one Google
request per calendar month (``dogecoin_unscaled``: each month's own 0-100 values) and a
monthly series (``dogecoin``: the months put on one scale). Multiline responses are built from
it: one month's raw values must be stored exactly as the file reader reads them, and windows
re-cut from the one-scale series must stitch back to that series.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd
import pytest

from leaderlens import EngineError, MissingDataError, read_attention
from leaderlens.fetchers.stitch import chain_window, stitch_windows
from leaderlens.fetchers.trends import fetch_attention, plan_windows

responses = pytest.importorskip("responses")
requests = pytest.importorskip("requests")
pytest.importorskip("pytrends")

EXPLORE = "https://trends.google.com/trends/api/explore"
MULTILINE = "https://trends.google.com/trends/api/widgetdata/multiline"
Values = Callable[[pd.Timestamp, pd.Timestamp], pd.Series]


@pytest.fixture(scope="module")
def doge_file(shared_data: Path) -> Path:
    return shared_data / "google_trends_dogecoin_daily_2017_2022" / "doge_google_trend.csv"


@pytest.fixture(scope="module")
def doge(doge_file: Path) -> pd.DataFrame:
    frame = pd.read_csv(doge_file)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.set_index("date")


def multiline(days: pd.Series) -> str:
    """Google's multiline body (with its ``)]}',`` guard) for integer values per day."""
    rows = [
        {
            "time": str(int(day.tz_localize("UTC").timestamp())),
            "formattedTime": f"{day:%b} {day.day}, {day:%Y}",
            "formattedAxisTime": f"{day:%b} {day.day}",
            "value": [int(v)],
            "hasData": [bool(v)],
            "formattedValue": [str(int(v))],
        }
        for day, v in days.items()
    ]
    return ")]}',\n" + json.dumps({"default": {"timelineData": rows, "averages": []}})


class Google:
    """The cookie page, explore (a token per window) and multiline endpoints."""

    def __init__(self, mock: Any, values: Values) -> None:
        self.values = values
        self.windows: list[str] = []
        self.fail: Callable[[int], tuple[int, str] | None] = lambda n: None
        mock.add(responses.GET, "https://trends.google.com/trends/explore/?geo=US", status=200,
                 headers={"Set-Cookie": "NID=511=fake; Path=/; Domain=.google.com"})  # fmt: skip
        mock.add_callback(responses.POST, EXPLORE, callback=self._explore)
        mock.add_callback(responses.GET, MULTILINE, callback=self._multiline)

    def _explore(self, request: Any) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlparse(request.url).query)
        item = json.loads(query["req"][0])["comparisonItem"][0]
        assert query["tz"] == ["0"]
        widget = {
            "id": "TIMESERIES",
            "token": "APP6_UEAAAAA",
            "request": {"time": item["time"], "keyword": item["keyword"], "geo": item["geo"]},
        }
        body = {"widgets": [widget, {"id": "GEO_MAP", "token": "x", "request": {}}]}
        return 200, {"Content-Type": "application/json"}, ")]}'" + json.dumps(body)

    def _multiline(self, request: Any) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlparse(request.url).query)
        first, last = json.loads(query["req"][0])["time"].split()
        self.windows.append(f"{first} {last}")
        failed = self.fail(len(self.windows))
        if failed is not None:
            return failed[0], {"Content-Type": "application/json"}, failed[1]
        days = self.values(pd.Timestamp(first), pd.Timestamp(last))
        return 200, {"Content-Type": "application/json; charset=utf-8"}, multiline(days)


@pytest.fixture
def mock() -> Iterator[Any]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rs:
        yield rs


def rescaled(doge: pd.DataFrame) -> Values:
    """What Google answers for a window of the one-scale series: 100 x value / window peak."""

    def values(first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
        part = doge.loc[first:last, "dogecoin"]
        return np.round(100 * part / part.max())

    return values


def test_one_month_window_is_stored_as_the_file_reader_reads_it(
    ws: Any, clock: Any, mock: Any, doge: pd.DataFrame, doge_file: Path
) -> None:
    Google(mock, lambda a, b: doge.loc[a:b, "dogecoin_unscaled"])
    report = fetch_attention(
        ws, "dogecoin", start="2021-02-01", end="2021-03-01", window=28, overlap=7, clock=clock
    )
    stored = ws.attention("search_interest:dogecoin", brand="dogecoin")
    read = read_attention(doge_file, column="dogecoin_unscaled").frame
    want = read[(read["ts"] >= "2021-02-01") & (read["ts"] < "2021-03-01")].reset_index(drop=True)
    pd.testing.assert_frame_equal(stored[["ts", "value"]], want, check_dtype=False)
    assert set(stored["freq"]) == {"1d"} and report.requests == 1
    assert stored["value"].max() == 100.0  # the window's own peak, as Google scales it


def test_windows_stitch_back_to_the_one_scale_series(
    ws: Any, clock: Any, mock: Any, doge: pd.DataFrame
) -> None:
    google = Google(mock, rescaled(doge))
    report = fetch_attention(
        ws, "dogecoin", start="2020-12-01", end="2021-07-01", window=90, overlap=30, clock=clock
    )
    assert google.windows == [
        "2020-12-01 2021-02-28", "2021-01-30 2021-04-29", "2021-03-31 2021-06-28",
        "2021-05-30 2021-06-30",
    ]  # fmt: skip
    stored = ws.attention("search_interest:dogecoin", brand="dogecoin").set_index("ts")["value"]
    truth = doge.loc["2020-12-01":"2021-06-30", "dogecoin"]
    first_peak = truth.loc[:"2021-02-28"].max()
    truth = 100 * truth / first_peak  # the first window's scale
    assert len(stored) == len(truth) == 212
    assert stored.index.tz_localize(None).equals(truth.index)
    # Google's integer rounding is the only error: small where interest is high
    error = np.abs(stored.to_numpy() - truth.to_numpy())
    assert error.max() < 1.5  # points on the 0-100(+) scale
    big = truth.to_numpy() > 20
    assert (error[big] / truth.to_numpy()[big]).max() < 0.03
    assert stored.max() > 100  # the SNL peak (2021-05-09) is above the first window's peak
    assert stored.idxmax().strftime("%Y-%m-%d") == "2021-05-09"
    assert sum("factor" in n for n in report.notes) == 3


def test_stitching_without_rounding_recovers_the_series_exactly(doge: pd.DataFrame) -> None:
    truth = doge.loc["2020-06-01":"2021-12-31", "dogecoin"]
    days = truth.index.to_numpy(dtype="datetime64[us]")
    cuts = [(0, 200), (150, 350), (300, 500), (450, len(truth))]
    windows = [
        (days[a:b], truth.to_numpy()[a:b] / truth.to_numpy()[a:b].max() * 100) for a, b in cuts
    ]
    result = stitch_windows(windows)
    expected = truth.to_numpy() * 100 / truth.to_numpy()[:200].max()
    np.testing.assert_allclose(result.values, expected, rtol=1e-12)
    assert result.overlaps.tolist() == [0, 50, 50, 50] and result.factors[0] == 1.0


def test_a_window_without_interest_in_its_overlap_cannot_be_placed() -> None:
    days = np.arange("2021-01-01", "2021-01-31", dtype="datetime64[D]").astype("datetime64[us]")
    with pytest.raises(MissingDataError, match="no search interest"):
        chain_window(days[:20], np.r_[np.full(10, 50.0), np.zeros(10)], days[10:], np.zeros(20))
    with pytest.raises(MissingDataError, match="overlaps the series by 3 days"):
        chain_window(days[:20], np.ones(20), days[17:], np.ones(13))


def test_interrupted_fetch_resumes_and_matches_an_uninterrupted_one(
    ws: Any, clock: Any, mock: Any, doge: pd.DataFrame, tmp_path: Path
) -> None:
    from leaderlens import Workspace

    google = Google(mock, rescaled(doge))

    def cut(n: int) -> tuple[int, str] | None:
        if n == 3:
            raise requests.ConnectionError("network unreachable")
        return None

    google.fail = cut
    kwargs: dict[str, Any] = {"start": "2021-01-01", "end": "2021-05-01", "window": 50,
                              "overlap": 10, "clock": clock}  # fmt: skip
    with pytest.raises(EngineError, match="cannot reach Google Trends"):
        fetch_attention(ws, "dogecoin", **kwargs)
    kept = ws.attention("search_interest:dogecoin", brand="dogecoin")
    assert kept["ts"].max() == pd.Timestamp("2021-03-31", tz="UTC")  # two whole windows
    google.fail = lambda n: None
    google.windows.clear()
    fetch_attention(ws, "dogecoin", **kwargs)
    assert google.windows == ["2021-03-22 2021-04-30"]  # 10 stored days, then new ones
    resumed = ws.attention("search_interest:dogecoin", brand="dogecoin")

    with Workspace.open(tmp_path / "fresh.duckdb") as fresh:
        fetch_attention(fresh, "dogecoin", **kwargs)
        straight = fresh.attention("search_interest:dogecoin", brand="dogecoin")
    pd.testing.assert_frame_equal(resumed, straight)
    # nothing left to ask for
    google.windows.clear()
    again = fetch_attention(ws, "dogecoin", **kwargs)
    assert google.windows == [] and again.requests == 0


def test_earlier_days_are_chained_backward_onto_the_stored_scale(
    ws: Any, clock: Any, mock: Any, doge: pd.DataFrame
) -> None:
    google = Google(mock, rescaled(doge))
    fetch_attention(
        ws, "dogecoin", start="2021-03-01", end="2021-05-01", window=61, overlap=10, clock=clock
    )
    before = ws.attention("search_interest:dogecoin", brand="dogecoin")
    google.windows.clear()
    fetch_attention(
        ws, "dogecoin", start="2021-02-01", end="2021-05-01", window=61, overlap=10, clock=clock
    )
    assert google.windows == ["2021-02-01 2021-03-10"]
    after = ws.attention("search_interest:dogecoin", brand="dogecoin").set_index("ts")["value"]
    pd.testing.assert_series_equal(
        after.loc[before["ts"].min() :], before.set_index("ts")["value"], check_names=False
    )
    truth = doge.loc["2021-02-01":"2021-04-30", "dogecoin"]
    ratio = after.to_numpy() / truth.to_numpy()
    assert np.median(np.abs(ratio / np.median(ratio) - 1)) < 0.05  # one scale throughout


def test_rate_limit_waits_on_the_fake_clock(
    ws: Any, clock: Any, mock: Any, doge: pd.DataFrame
) -> None:
    google = Google(mock, rescaled(doge))
    google.fail = lambda n: (429, "Too Many Requests") if n == 1 else None
    report = fetch_attention(
        ws, "dogecoin", start="2021-02-01", end="2021-03-01", window=28, overlap=7, clock=clock
    )
    assert clock.sleeps == [60.0] and report.waited == 60.0
    assert len(ws.attention("search_interest:dogecoin", brand="dogecoin")) == 28


@pytest.mark.parametrize(
    "status, body, message",
    [
        (200, ')]}\',\n{"default": {"timelineData": [{"time": "16', "sent a response"),
        (200, ')]}\',\n{"unexpected": {}}', "sent a response"),
        (400, "<html>Bad Request</html>", "refused the window .* \\(HTTP 400\\)"),
    ],
    ids=["truncated", "changed", "refused"],
)
def test_malformed_and_refused_responses_name_google_trends(
    ws: Any, clock: Any, mock: Any, doge: pd.DataFrame, status: int, body: str, message: str
) -> None:
    google = Google(mock, rescaled(doge))
    google.fail = lambda n: (status, body)
    with pytest.raises(EngineError, match=f"Google Trends {message}"):
        fetch_attention(
            ws, "dogecoin", start="2021-02-01", end="2021-03-01", window=28, overlap=7, clock=clock
        )
    assert ws.attention("search_interest:dogecoin", brand="dogecoin").empty


def test_plan_windows_cover_the_range_with_the_overlap() -> None:
    t = pd.Timestamp
    plan = plan_windows(
        t("2021-01-01", tz="UTC"), t("2021-03-01", tz="UTC"), None, None, window=30, overlap=10
    )
    assert [(f"{a:%m-%d}", f"{b:%m-%d}") for a, b in plan] == [
        ("01-01", "01-30"),
        ("01-21", "02-19"),
        ("02-10", "02-28"),
    ]
    stored = plan_windows(
        t("2021-01-01", tz="UTC"), t("2021-03-01", tz="UTC"),
        t("2021-01-21", tz="UTC"), t("2021-02-19", tz="UTC"), window=30, overlap=10,
    )  # fmt: skip
    assert [(f"{a:%m-%d}", f"{b:%m-%d}") for a, b in stored] == [
        ("01-01", "01-30"),
        ("02-10", "02-28"),
    ]
