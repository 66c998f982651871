"""Property tests: random valid bars written in each text format read back exactly, and one
corrupted cell is reported on its true line and field."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from leaderlens.errors import BadInputError
from leaderlens.readers.prices import read_prices

HOUR_MS = 3_600_000


@dataclass(frozen=True)
class Bars:
    """Bars as the test knows them: times (UTC instants or dates) and values."""

    ts: pd.DatetimeIndex  # UTC; daily bars at 00:00
    open: list[float]
    high: list[float]
    low: list[float]
    close: list[float]
    adj: list[float]
    volume: list[float]
    offsets: list[int]  # minutes east of UTC used when writing generic times


@dataclass(frozen=True)
class Written:
    text: str
    header_lines: int  # lines before the first data row
    names: list[str]  # column names in file order
    time_field: str
    order: list[int]  # bar index written on each data line, in file order


price = st.floats(min_value=1e-4, max_value=1e5, allow_nan=False, allow_infinity=False)
volume = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)


@st.composite
def bars(draw: st.DrawFn, daily: bool) -> Bars:
    n = draw(st.integers(2, 25))
    # one gap at most, so the modal spacing stays one bar
    steps = [1] * (n - 1)
    if n >= 4 and draw(st.booleans()):
        steps[draw(st.integers(0, n - 2))] = draw(st.integers(2, 4))
    offsets_from_start = np.concatenate([[0], np.cumsum(steps)])
    if daily:
        start = pd.Timestamp("1990-01-01", tz="UTC") + pd.Timedelta(
            days=draw(st.integers(0, 14000))
        )
        ts = pd.DatetimeIndex([start + pd.Timedelta(days=int(k)) for k in offsets_from_start])
    else:
        start = pd.Timestamp("2017-01-01", tz="UTC") + pd.Timedelta(
            hours=draw(st.integers(0, 80000))
        )
        ts = pd.DatetimeIndex([start + pd.Timedelta(hours=int(k)) for k in offsets_from_start])
    quads = [sorted(draw(st.lists(price, min_size=4, max_size=4))) for _ in range(n)]
    opens, closes = [], []
    for q in quads:
        middle = [q[1], q[2]]
        if draw(st.booleans()):
            middle.reverse()
        opens.append(middle[0])
        closes.append(middle[1])
    return Bars(
        ts=ts,
        open=opens,
        high=[q[3] for q in quads],
        low=[q[0] for q in quads],
        close=closes,
        adj=draw(st.lists(price, min_size=n, max_size=n)),
        volume=draw(st.lists(volume, min_size=n, max_size=n)),
        offsets=draw(
            st.lists(st.sampled_from([-300, -240, 0, 60, 330, 480, 600]), min_size=n, max_size=n)
        ),
    )


def lines(rows: list[list[str]], sep: str = ",") -> str:
    return "".join(sep.join(r) + "\n" for r in rows)


def write_yahoo(b: Bars) -> Written:
    names = ["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"]
    rows = [
        [
            f"{t:%Y-%m-%d}",
            *map(repr, (b.open[i], b.high[i], b.low[i], b.close[i], b.adj[i], b.volume[i])),
        ]
        for i, t in enumerate(b.ts)
    ]
    return Written(lines([names, *rows]), 1, names, "Date", list(range(len(b.ts))))


def write_semicolon(b: Bars) -> Written:
    names = ["Date", "Open", "High", "Low", "Close", "Volume"]

    def eu(x: float) -> str:
        return repr(x).replace(".", ",")

    rows = [
        [
            f"{t.day}/{t.month}/{t.year}",
            *map(eu, (b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i])),
        ]
        for i, t in enumerate(b.ts)
    ]
    return Written(lines([names, *rows], ";"), 1, names, "Date", list(range(len(b.ts))))


BINANCE = [
    "open_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "close_time",
    "quote_volume",
    "trades",
    "taker_buy_base_volume",
    "taker_buy_quote_volume",
    "ignore",
]


def write_binance(b: Bars) -> Written:
    rows = []
    for i, t in enumerate(b.ts):
        ms = int(t.value // 1_000_000)
        rows.append(
            [
                str(ms),
                *map(repr, (b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i])),
                str(ms + HOUR_MS - 1),
                repr(b.volume[i] * b.close[i]),
                "7",
                "1.5",
                "2.5",
                "0",
            ]
        )
    return Written(lines(rows), 0, BINANCE, "open_time", list(range(len(b.ts))))


def write_cdd(b: Bars) -> Written:
    names = [
        "unix",
        "date",
        "symbol",
        "open",
        "high",
        "low",
        "close",
        "Volume BTC",
        "Volume USDT",
        "tradecount",
    ]
    order = list(range(len(b.ts)))[::-1]  # newest first
    rows = [
        [
            str(int(b.ts[i].value // 1_000_000)),
            f"{b.ts[i]:%Y-%m-%d %H:%M:%S}",
            "BTC/USDT",
            *map(repr, (b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i], b.volume[i] * 2)),
            "3",
        ]
        for i in order
    ]
    return Written(
        "https://www.CryptoDataDownload.com\n" + lines([names, *rows]), 2, names, "unix", order
    )


def write_generic(b: Bars) -> Written:
    names = ["time", "open", "high", "low", "close", "volume"]
    rows = []
    for i, t in enumerate(b.ts):
        local = (t + pd.Timedelta(minutes=b.offsets[i])).tz_localize(None)
        sign = "+" if b.offsets[i] >= 0 else "-"
        m = abs(b.offsets[i])
        rows.append(
            [
                f"{local:%Y-%m-%dT%H:%M:%S}{sign}{m // 60:02d}:{m % 60:02d}",
                *map(repr, (b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i])),
            ]
        )
    return Written(lines([names, *rows]), 1, names, "time", list(range(len(b.ts))))


WRITERS: dict[str, tuple[Callable[[Bars], Written], bool]] = {
    "yahoo": (write_yahoo, True),
    "semicolon": (write_semicolon, True),
    "binance": (write_binance, False),
    "cryptodatadownload": (write_cdd, False),
    "generic": (write_generic, False),
}


def read_text_file(text: str, **kwargs: object):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bars.csv"
        path.write_text(text, encoding="utf-8")
        try:
            return read_prices(path, **kwargs), str(path)  # type: ignore[arg-type]
        except BadInputError as exc:
            return exc, str(path)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_written_bars_read_back_exactly(fmt: str, data: st.DataObject) -> None:
    writer, daily = WRITERS[fmt]
    b = data.draw(bars(daily))
    if fmt == "generic" and not daily:
        # Hourly bars whose local times (each with its own offset) all fall at midnight are
        # dates by the reader's documented rule (daily is decided on the wall clock).
        walls = [t + pd.Timedelta(minutes=m) for t, m in zip(b.ts, b.offsets, strict=True)]
        assume(not all(w == w.normalize() for w in walls))
    written = writer(b)
    result, _ = read_text_file(written.text)
    assert not isinstance(result, BadInputError), str(result)
    assert result.format == fmt
    assert result.freq == ("1d" if daily else "1h")
    frame = result.frame
    np.testing.assert_array_equal(frame["ts"].to_numpy(), b.ts.to_numpy())
    expected = {"open": b.open, "high": b.high, "low": b.low, "close": b.close, "volume": b.volume}
    for column, values in expected.items():
        np.testing.assert_allclose(frame[column].to_numpy(), values, rtol=1e-12, atol=0)
    adj = b.adj if fmt == "yahoo" else b.close
    np.testing.assert_allclose(frame["adj_close"].to_numpy(), adj, rtol=1e-12, atol=0)


CORRUPTIONS = {
    "letters": lambda value: "abc",
    "negative": lambda value: "-" + value.lstrip("-"),
}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_one_corrupted_cell_is_named(fmt: str, data: st.DataObject) -> None:
    writer, daily = WRITERS[fmt]
    b = data.draw(bars(daily))
    written = writer(b)
    sep = ";" if fmt == "semicolon" else ","
    text_lines = written.text.splitlines()
    row = data.draw(st.integers(0, len(written.order) - 1))
    line_index = written.header_lines + row
    cells = text_lines[line_index].split(sep)
    checked = [
        written.time_field,
        *(
            n
            for n in written.names
            if n.lower() in ("open", "high", "low", "close", "volume", "adj close")
        ),
    ]
    kind = data.draw(st.sampled_from(["letters", "negative", "short"]))
    if kind == "short":
        field = written.names[-1]
        cells = cells[:-1]
    else:
        field = data.draw(st.sampled_from(checked))
        if kind == "negative" and field == written.time_field:
            kind = "letters"
        col = written.names.index(field)
        if kind == "negative" and float(cells[col].replace(",", ".")) == 0:
            kind = "letters"  # -0 is not negative
        cells[col] = CORRUPTIONS[kind](cells[col])
    text_lines[line_index] = sep.join(cells)
    result, path = read_text_file("\n".join(text_lines) + "\n")
    assert isinstance(result, BadInputError), f"{kind} {field} not caught"
    assert (result.file, result.line, result.field) == (path, line_index + 1, field), str(result)
