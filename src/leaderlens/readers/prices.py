"""Read price bars from the files users hold into one canonical, checked frame.

:func:`read_prices` reads Yahoo and yfinance CSVs, European semicolon files, Binance klines,
CryptoDataDownload exports, and any CSV, Parquet, pandas or polars table with a time and a
close column (formats in :mod:`leaderlens.readers.price_formats`). Every input goes through
the same checks, vectorised over rows:

- a row with a wrong field count, a missing or unparseable time, an unparseable number, a
  price (open, high, low, close, adj_close) at or below zero, a negative volume, or a high
  below its low is refused naming file, line and field (``on_bad_rows="skip"``: dropped and
  listed as a reject);
- a timestamp repeated with other values is refused the same way; identical repeats are
  dropped with a note (CryptoDataDownload hours present in both of its formats keep the
  newer, millisecond row, with a note);
- the frequency is detected from the modal spacing (1m, 1h, 1d) and checked against ``freq``;
- 24/7 series get their missing bars counted; daily series get unadjusted-split suspects.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, check_choice
from leaderlens.options import PRICE_FORMATS
from leaderlens.readers.base import (
    COLUMNS,
    ON_BAD_ROWS,
    ReadResult,
    Reject,
    RowChecker,
    check_time_zone,
    dedupe,
    name_lines,
    numbers,
)
from leaderlens.readers.price_columns import VALUE_FIELDS, RawPrices
from leaderlens.readers.price_formats import load_raw
from leaderlens.readers.price_quality import (
    PRICE_FREQS,
    SuspectedSplit,
    crypto_symbol,
    detect_freq,
    missing_bars,
    missing_bars_note,
    partial_last_bar_note,
    suspected_splits,
    weekend_share,
)
from leaderlens.readers.price_times import fail_rows, parse_times, quoted

__all__ = [
    "PRICE_FORMATS",
    "PRICE_FREQS",
    "SuspectedSplit",
    "missing_bars",
    "read_prices",
    "suspected_splits",
]

_PRICES = ("open", "high", "low", "close", "adj_close")


def read_prices(
    source: str | Path | pd.DataFrame | Any,
    *,
    format: str | None = None,
    tz: str | None = None,
    freq: str | None = None,
    on_bad_rows: str = "error",
    encoding: str = "utf-8",
) -> ReadResult:
    """Read a price file (or a pandas / polars DataFrame) into canonical bars.

    Parameters
    ----------
    source: a CSV / text file (gzipped or not), a Parquet file, or a DataFrame (read as
        ``generic``; a ``DatetimeIndex`` is taken as the time column).
    format: one of :data:`PRICE_FORMATS`; ``None`` detects it from the first lines.
    tz: the IANA zone of intraday times written without a UTC offset (``--tz``). Times with
        an offset, Unix epochs, and daily dates do not need it.
    freq: ``"1m"``, ``"1h"`` or ``"1d"``; ``None`` detects it. Refused if the data disagree.
    on_bad_rows: ``"error"`` refuses the first bad row (file, line, field); ``"skip"`` drops
        bad rows and lists them in ``ReadResult.rejects``.
    encoding: the text encoding of the file.

    Returns
    -------
    ReadResult with ``kind="prices"`` and ``frame`` columns ``ts, open, high, low, close,
    adj_close, volume`` and index the input-row positions (``ReadResult.lines`` maps them to
    file lines): ``ts`` ``datetime64[us, UTC]`` (intraday: the bar's start instant;
    daily: the session date at 00:00 UTC, a label), the others float64 (NaN where the file has
    none; ``adj_close`` equals ``close`` when the file has no adjusted close, said in
    ``notes``); sorted by ``ts``, ``ts`` unique. ``freq``, ``time_zone`` (how times were
    read), ``calendar_hint`` (``"24/7"`` for crypto) and ``notes`` are set.
    """
    if format is not None:
        check_choice("format", format, PRICE_FORMATS)
    if freq is not None:
        check_choice("freq", freq, PRICE_FREQS)
    check_choice("on_bad_rows", on_bad_rows, ON_BAD_ROWS)
    if tz is not None:
        check_time_zone(tz)
    raw = load_raw(source, format=format, encoding=encoding, on_bad_rows=on_bad_rows)
    return _assemble(raw, tz=tz, freq=freq, on_bad_rows=on_bad_rows)


def _parse_values(raw: RawPrices, checker: RowChecker) -> dict[str, np.ndarray]:
    values: dict[str, np.ndarray] = {}
    for key, column in raw.values.items():
        if (
            isinstance(column.dtype, pd.api.extensions.ExtensionDtype)
            and column.dtype.kind in "iuf"
        ):
            # nullable Int64 / Float64 / pyarrow numbers: missing -> NaN
            column = pd.Series(column.to_numpy(dtype=np.float64, na_value=np.nan))
        parsed, bad = numbers(column, decimal=raw.decimal)
        bad |= np.isinf(parsed)
        fail_rows(checker, bad, raw.fields[key], "not a number", quoted(column, "is not a number"))
        values[key] = np.where(bad, np.nan, parsed) if bad.any() else parsed
    return values


def _got(reason: str, values: np.ndarray) -> Callable[[int], str]:
    return lambda i: f"{reason}; got {values[i]:g}"


def _check_values(raw: RawPrices, values: dict[str, np.ndarray], checker: RowChecker) -> list[str]:
    """Prices above zero, volume not negative, high not below low. Returns notes.

    An open, high or low of exactly 0 beside a positive close is Yahoo's mark for a price
    that was not recorded (^GSPC opens 1962-1982): it is read as missing, with a note,
    rather than refusing the file. Negative values and a zero close are refused.
    """
    notes = []
    with np.errstate(invalid="ignore"):
        for key in ("open", "high", "low"):
            if key in values:
                unrecorded = (values[key] == 0) & (values["close"] > 0)
                if unrecorded.any():
                    k = int(unrecorded.sum())
                    values[key] = np.where(unrecorded, np.nan, values[key])
                    notes.append(
                        f"{k} row{'s' if k != 1 else ''} have {raw.fields[key]} 0 beside a "
                        f"positive close (a price not recorded): read as missing"
                    )
        for key in _PRICES:
            if key in values:
                fail_rows(
                    checker,
                    values[key] <= 0,
                    raw.fields[key],
                    "prices must be above zero",
                    _got("prices must be above zero", values[key]),
                )
        if "volume" in values:
            fail_rows(
                checker,
                values["volume"] < 0,
                raw.fields["volume"],
                "volume must not be negative",
                _got("volume must not be negative", values["volume"]),
            )
        if "high" in values and "low" in values:
            high, low = values["high"], values["low"]
            fail_rows(
                checker,
                high < low,
                raw.fields["high"],
                "high is below low",
                lambda i: f"high {high[i]:g} is below low {low[i]:g}",
            )
    return notes


def _assemble(raw: RawPrices, *, tz: str | None, freq: str | None, on_bad_rows: str) -> ReadResult:
    n = len(raw.time)
    if n == 0:
        raise BadInputError(
            "the file has a header but no data rows"
            if not raw.rejects
            else f"every row was rejected ({len(raw.rejects)}); the first: {raw.rejects[0].reason}",
            file=raw.source,
            line=raw.header_line or None,
        )
    checker = RowChecker(raw.source, n, raw.lines, on_bad_rows)
    for mask, field, reason in raw.failures:
        checker.fail(mask, field, reason)
    values = _parse_values(raw, checker)
    empty = ~checker.bad
    for v in values.values():
        empty &= np.isnan(v)
    fail_rows(
        checker, np.isnan(values["close"]) & ~empty, raw.fields["close"], "the close is missing"
    )
    times = parse_times(
        raw.time,
        field=raw.time_field,
        checker=checker,
        tz=tz,
        zone_by_format=raw.zone_by_format,
        format_name=raw.format,
        dayfirst=raw.dayfirst,
        freq=freq,
    )
    notes = list(raw.notes) + list(times.notes) + _check_values(raw, values, checker)
    empty &= ~checker.bad  # a row with no values and a bad time is a reject, not a gap
    if empty.any():
        k = int(empty.sum())
        notes.append(
            f"{k} row{'s' if k != 1 else ''} with a time but no values "
            f"(e.g. Yahoo 'null' rows on holidays) left out: {name_lines(raw.lines, empty)}"
        )
    if "adj_close" not in values:
        notes.append("the file has no adjusted close: adj_close = close")
    good = ~checker.bad & ~empty
    stamps = np.asarray(times.ts.array.asi8)[good]
    if stamps.size > 2 and bool(np.all(np.diff(stamps) < 0)):
        notes.append("the rows run newest first (reverse time order); stored oldest first")
    if good.all():
        rows, ts, kept = np.arange(n), times.ts.array, values
    else:
        rows = np.flatnonzero(good)
        ts, kept = times.ts.array[rows], {k: v[rows] for k, v in values.items()}
    frame = _canonical(ts, kept, rows)
    frame, rejects, more = _one_row_per_time(frame, raw, checker)
    notes.extend(more)
    if frame.empty:
        raise BadInputError(
            f"no usable rows: all {n} were rejected; the first: {rejects[0].reason}"
            if rejects
            else "no usable rows (every row is empty)",
            file=raw.source,
            line=rejects[0].line if rejects else None,
        )
    detected = detect_freq(frame["ts"], daily=times.daily, source=raw.source, field=raw.time_field)
    if freq is not None and detected is not None and freq != detected:
        raise BadInputError(
            f"freq {freq!r} contradicts the data, which are {detected} bars",
            file=raw.source,
            field="freq",
        )
    bar = freq or detected
    if bar is None:
        raise BadInputError(
            "a single intraday bar: its frequency cannot be told; pass freq ('1m' or '1h')",
            file=raw.source,
            field="freq",
        )
    hint = _calendar_hint(raw, frame["ts"], notes)
    notes.extend(_quality_notes(frame, bar, hint))
    return ReadResult(
        kind="prices",
        frame=frame,
        source=raw.source,
        format=raw.format,
        time_zone=raw.time_zone or times.how,
        freq=bar,
        rejects=_merge_rejects(raw.rejects, rejects),
        notes=tuple(notes),
        calendar_hint=hint,
        lines=raw.lines,
    )


def _canonical(
    ts: pd.api.extensions.ExtensionArray, values: dict[str, np.ndarray], rows: np.ndarray
) -> pd.DataFrame:
    """The canonical columns, indexed by input-row position (for rejects and lines).

    ``values`` are arrays this reader made (never views of a caller's frame), so the frame
    takes them without copying; each column gets its own array.
    """

    def column(key: str) -> np.ndarray:
        if key in values:
            return values[key]
        if key == "adj_close":  # the file has no adjusted close: adj_close = close
            return values["close"].copy()
        return np.full(rows.size, np.nan)

    columns = {key: column(key) for key in VALUE_FIELDS}
    frame = pd.DataFrame({"ts": ts, **columns}, index=rows, copy=False)
    return frame[list(COLUMNS["prices"])]


def _one_row_per_time(
    frame: pd.DataFrame, raw: RawPrices, checker: RowChecker
) -> tuple[pd.DataFrame, tuple[Reject, ...], list[str]]:
    """Sort by time and resolve repeated times; settle the row checker.

    A format's priority goes first (CryptoDataDownload's newer rows), then identical repeats
    are dropped and repeats with other values fail (:func:`~leaderlens.readers.base.dedupe`).
    Returns the frame (index: input-row positions, as ``ReadResult`` documents), the rejects,
    and notes.
    """
    notes = []
    if raw.priority is not None:
        frame, note = _prefer(
            frame, raw.priority[frame.index.to_numpy()], raw.priority_note, raw.time_field
        )
        if note:
            notes.append(note)
    stamps = frame["ts"].array.asi8
    steps = np.diff(stamps)
    if (steps < 0).any():
        order = np.argsort(stamps, kind="stable")
        frame = frame.iloc[order]
        steps = np.diff(stamps[order])
    if (steps == 0).any():
        field = raw.time_field
        kept, note = dedupe(
            frame.rename(columns={"ts": field}),
            (field,),
            checker,
            frame.index.to_numpy(),
            "timestamp",
        )
        frame = kept.rename(columns={field: "ts"})
        if note:
            notes.append(note)
    keep, rejects = checker.finish()
    if not keep.all():
        frame = frame[keep[frame.index.to_numpy()]]
    return frame, rejects, notes


def _prefer(
    frame: pd.DataFrame, priority: np.ndarray, what: str, time_field: str
) -> tuple[pd.DataFrame, str | None]:
    """Among rows sharing a time, drop those outranked by a higher-priority row."""
    rank = pd.Series(priority, index=frame.index)
    top = rank.groupby(frame["ts"]).transform("max")
    outranked = (rank < top).to_numpy()
    if not outranked.any():
        return frame, None
    dropped = frame[outranked]
    winners = frame[~outranked].drop_duplicates("ts").set_index("ts")
    # Prices are compared; volumes are often rounded differently between formats.
    cols = ["open", "high", "low", "close"]
    other = winners.loc[dropped["ts"], cols].to_numpy()
    mine = dropped[cols].to_numpy()
    differ = ~((other == mine) | (np.isnan(other) & np.isnan(mine)))
    k = int(outranked.sum())
    note = f"{k} time{'s' if k != 1 else ''} ({time_field}) appear twice; kept the {what}"
    if differ.any():
        per_column = ", ".join(
            f"{c} {int(n)}" for c, n in zip(cols, differ.sum(axis=0), strict=True) if n
        )
        note += (
            f"; {int(differ.any(axis=1).sum())} of the dropped rows had other prices "
            f"({per_column}; largest difference {np.nanmax(np.abs(other - mine)):g})"
        )
    else:
        note += "; the dropped rows had the same prices"
    return frame[~outranked], note


def _calendar_hint(raw: RawPrices, ts: pd.Series, notes: list[str]) -> str | None:
    if raw.calendar_hint == "24/7":
        notes.append(f"calendar 24/7: {raw.format} files are crypto exchange data")
        return "24/7"
    if crypto_symbol(raw.symbol):
        notes.append(f"calendar 24/7: {raw.symbol!r} looks like a crypto pair")
        return "24/7"
    both, share = weekend_share(ts)
    if both and share > 0.1:
        notes.append(f"calendar 24/7: {share:.0%} of the bars fall on Saturdays and Sundays (UTC)")
        return "24/7"
    return None


def _quality_notes(frame: pd.DataFrame, freq: str, hint: str | None) -> list[str]:
    notes = []
    if hint == "24/7":
        notes.append(missing_bars_note(frame["ts"], freq))
    if freq == "1d" and hint != "24/7":  # coins do not split; their doublings are real
        notes.extend(s.describe() for s in suspected_splits(frame["ts"], frame["close"]))
    volume = frame["volume"].to_numpy()
    partial = partial_last_bar_note(frame["ts"], volume, freq)
    if partial:
        notes.append(partial)
    zero = int((volume == 0).sum())
    if zero:
        notes.append(f"{zero} bar{'s' if zero != 1 else ''} with volume 0")
    return notes


def _merge_rejects(first: tuple[Reject, ...], second: tuple[Reject, ...]) -> tuple[Reject, ...]:
    big = np.iinfo(np.int64).max
    return tuple(sorted(first + second, key=lambda r: big if r.line is None else r.line))
