"""Crypto exchange files: Binance klines and CryptoDataDownload exports (UTC by format)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.readers.base import epoch_to_instants, require_columns
from leaderlens.readers.price_columns import ALIASES, TIME_ALIASES, RawPrices, norm_name
from leaderlens.readers.price_table import FileText, first_lines, read_delimited

_BINANCE_KLINE = (
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
)
_CDD_AMPM = "%Y-%m-%d %I-%p"  # CryptoDataDownload's older "2017-08-17 04-AM" stamps


def _numeric(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def headerless_klines(lines: list[str]) -> bool:
    """Raw Binance klines: some of the first lines hold 12 numbers and the first line names no
    column (so one malformed first row does not hide the format)."""
    first = {norm_name(f) for f in lines[0].split(",")}
    if first & (set(TIME_ALIASES) | {"open time", *(a for v in ALIASES.values() for a in v)}):
        return False
    return any(
        len(fields) == 12 and all(_numeric(f) for f in fields)
        for fields in (line.split(",") for line in lines[:3])
    )


def read_binance(text: FileText, source: str, on_bad_rows: str, encoding: str) -> RawPrices:
    """Binance klines: the raw 12-field dumps (open time in ms, or us since 2025; with or
    without an ``open_time,...`` header) or ``timestamp,open,high,low,close,volume`` files.
    Times are bar open times in UTC by the exchange's definition."""
    head = first_lines(text, 3)
    notes = []
    if norm_name(head[0].split(",")[0]) == "open time" or headerless_klines(head):
        table = read_delimited(
            text,
            source,
            header_records=0 if headerless_klines(head) else 1,
            names=_BINANCE_KLINE,
            on_bad_rows=on_bad_rows,
            encoding=encoding,
        )
        frame = table.frame
        time, time_field = frame["open_time"], "open_time"
        values = {k: frame[k] for k in ("open", "high", "low", "close", "volume")}
        notes.append(
            "volume is the base-asset volume; quote volume, trade count and taker volumes "
            "are not kept"
        )
    else:
        table = read_delimited(text, source, on_bad_rows=on_bad_rows, encoding=encoding)
        frame = table.frame
        names = [norm_name(n) for n in table.names]
        expected = ["timestamp", "open", "high", "low", "close", "volume"]
        if names != expected:
            raise BadInputError(
                f"not a Binance file: expected the columns {','.join(expected)} or 12 kline "
                f"fields; the file has {','.join(table.names)}",
                file=source,
                line=max(table.header_line, 1),
                field=names[0] if names else None,
            )
        frame.columns = expected
        time, time_field = frame["timestamp"], table.names[0]
        values = {k: frame[k] for k in expected[1:]}
    return RawPrices(
        format="binance",
        source=source,
        time=time,
        time_field=time_field,
        values=values,
        fields={k: k for k in values},
        lines=table.lines,
        header_line=table.header_line,
        zone_by_format="UTC",
        rejects=table.rejects,
        notes=tuple(notes),
        symbol=Path(source).stem.split("_")[0],
        calendar_hint="24/7",
    )


def read_cryptodatadownload(
    text: FileText, source: str, on_bad_rows: str, encoding: str
) -> RawPrices:
    """A CryptoDataDownload export: optional ``https://www.CryptoDataDownload.com`` banner,
    ``unix,date,symbol,open,high,low,close,Volume <base>,Volume <quote>[,tradecount]`` (older
    exports lack ``unix``), newest row first. Repeated hours keep the millisecond-format row
    (``RawPrices.priority``); volume is the base asset's."""
    banner = "cryptodatadownload" in first_lines(text, 1)[0].lower()
    table = read_delimited(
        text, source, header_records=2 if banner else 1, on_bad_rows=on_bad_rows, encoding=encoding
    )
    frame = table.frame
    normal = {norm_name(n): c for n, c in zip(table.names, frame.columns, strict=True)}
    label = dict(zip(frame.columns, table.names, strict=True))
    header = pd.DataFrame(columns=list(normal))
    line = max(table.header_line, 1)
    unix_col = normal.get("unix", normal.get("unix timestamp"))
    date_col = normal.get("date")
    if unix_col is None and date_col is None:
        require_columns(header, ("unix", "date"), source, line)
    require_columns(header, ("open", "high", "low", "close"), source, line)
    symbol = None
    if "symbol" in normal and len(frame):
        symbol = str(frame[normal["symbol"]].iloc[0]).strip()
    volumes = [n for n in normal if n.startswith("volume ")]
    base = symbol.split("/")[0].lower() if symbol else ""
    volume_key = (
        f"volume {base}" if f"volume {base}" in normal else (volumes[0] if volumes else None)
    )
    values = {k: frame[normal[k]] for k in ("open", "high", "low", "close")}
    fields = {k: label[normal[k]] for k in values}
    notes = []
    if volume_key is not None:
        values["volume"] = frame[normal[volume_key]]
        fields["volume"] = label[normal[volume_key]]
        others = [label[normal[v]] for v in volumes if v != volume_key]
        notes.append(
            f"volume is {fields['volume']!r} (base asset)"
            + (f"; {', '.join(others)} not kept" if others else "")
        )
    ts, is_ms, failures, time_field, time_notes = _cdd_times(frame, unix_col, date_col, label)
    notes.extend(time_notes)
    if len(ts) > 1 and ts.iloc[0] > ts.iloc[-1]:
        notes.append("rows were newest-first; they are returned oldest-first")
    return RawPrices(
        format="cryptodatadownload",
        source=source,
        time=ts,
        time_field=time_field,
        values=values,
        fields=fields,
        lines=table.lines,
        header_line=table.header_line,
        zone_by_format="UTC",
        priority=is_ms.astype(np.int8),
        priority_note="rows with millisecond unix times (CryptoDataDownload's newer format)",
        failures=failures,
        rejects=table.rejects,
        notes=tuple(notes),
        symbol=symbol,
        calendar_hint="24/7",
        time_zone=(
            "unix epoch times (UTC; seconds or milliseconds, per row), else the date text "
            "(UTC by format); ts is the bar open instant in UTC"
        ),
    )


def _cdd_times(
    frame: pd.DataFrame, unix_col: str | None, date_col: str | None, label: dict[str, str]
) -> tuple[pd.Series, np.ndarray, tuple[tuple[np.ndarray, str, str], ...], str, list[str]]:
    """UTC times of CryptoDataDownload rows: ``unix`` (seconds or milliseconds, decided per
    row) where present, else the ``date`` text (UTC; ``2021-06-10 00:00:00`` or the older
    ``2017-08-17 04-AM``).

    Returns the times, which rows had millisecond stamps (the newer format), the rows the
    format already knows are bad, the time field's name, and notes (a ``date`` that
    disagrees with its ``unix``: old CryptoDataDownload exports hold a few; unix is kept).
    """
    n = len(frame)
    failures: list[tuple[np.ndarray, str, str]] = []
    notes: list[str] = []
    nat = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
    unix, unix_bad = nat, np.zeros(n, dtype=bool)
    is_ms = np.zeros(n, dtype=bool)
    if unix_col is not None:
        unix, unix_bad = epoch_to_instants(frame[unix_col])
        number = pd.to_numeric(frame[unix_col], errors="coerce").to_numpy(dtype=np.float64)
        is_ms = number > 1e11
        failures.append((unix_bad, label[unix_col], "is not a Unix time"))
    date = nat
    if date_col is not None:
        text = frame[date_col].astype("str").str.strip()
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        todo = parsed.isna()
        if todo.any():
            parsed[todo] = pd.to_datetime(text[todo], format=_CDD_AMPM, errors="coerce")
        date = parsed.dt.tz_localize("UTC").dt.as_unit("us")
        present = (text.notna() & (text != "")).to_numpy(dtype=bool)
        date_bad = present & date.isna().to_numpy()
        failures.append((date_bad, label[date_col], "is not a time leaderlens can read"))
        differ = unix.notna().to_numpy() & date.notna().to_numpy() & (unix != date).to_numpy()
        if differ.any():
            k = int(differ.sum())
            first = int(np.flatnonzero(differ)[0])
            notes.append(
                f"{k} row{'s' if k != 1 else ''} have a {label[date_col]!r} that disagrees "
                f"with {label[unix_col or '']!r} (e.g. {text.iloc[first]!r} vs "
                f"{unix.iloc[first]:%Y-%m-%d %H:%M} UTC); the unix time was used"
            )
    ts = unix.where(unix.notna(), date)
    missing = ts.isna().to_numpy() & ~unix_bad
    field = label[unix_col] if unix_col is not None else label[date_col or ""]
    failures.append((missing, field, "the time is missing"))
    return ts, is_ms, tuple(failures), field, notes
