"""The price file formats leaderlens reads, how each is recognised, and its columns.

Each format turns its input into :class:`~leaderlens.readers.price_columns.RawPrices`: the
time column and the price columns exactly as written (text, numbers or datetimes), the
file's own column names for messages, the line of every row, and what the format itself
says about times (zone, date order).
Checking values is left to :mod:`leaderlens.readers.prices`, the same for every format.

Detection (``format=None``) looks at the first lines only:

=====================  ====================================================================
cryptodatadownload     a ``https://www.CryptoDataDownload.com`` banner, or a header with
                       ``symbol`` and ``Volume <asset>`` columns (and ``unix`` or ``date``)
yfinance               ``Price,...`` then ``Ticker,...`` (then ``Date,,,``): three header lines
binance                12 numeric fields and no header (raw klines), a 12-column header
                       starting ``open_time``, or exactly ``timestamp,open,high,low,close,volume``
semicolon              a header delimited by ``;``
yahoo                  a header starting ``Date`` or ``Datetime`` with Yahoo's column names
generic                anything else with a time column and a close (or price) column
=====================  ====================================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.readers.base import LineMap, check_path
from leaderlens.readers.price_columns import YAHOO_NAMES, RawPrices, from_table, norm_name
from leaderlens.readers.price_crypto import (
    headerless_klines,
    read_binance,
    read_cryptodatadownload,
)
from leaderlens.readers.price_table import (
    FileText,
    Table,
    first_lines,
    read_delimited,
    sniff_decimal,
    sniff_delimiter,
)

# --------------------------------------------------------------------------------------------
# Detection


def detect_format(lines: list[str]) -> str:
    """The format of a text file from its first non-empty lines (see the module table)."""
    first = lines[0]
    if "cryptodatadownload" in first.lower():
        return "cryptodatadownload"
    if first.startswith("Price,") and len(lines) > 1 and lines[1].startswith("Ticker,"):
        return "yfinance"
    delimiter = sniff_delimiter(first)
    raw = [f.strip().strip('"') for f in first.split(delimiter)]
    names = [norm_name(f) for f in raw]
    if delimiter == "," and headerless_klines(lines):
        return "binance"
    if len(names) == 12 and names[0] == "open time":
        return "binance"
    if names == ["timestamp", "open", "high", "low", "close", "volume"]:
        return "binance"
    if delimiter == ";":
        return "semicolon"
    if (
        "symbol" in names
        and any(n.startswith("volume ") for n in names)
        and ({"unix", "unix timestamp", "date"} & set(names))
    ):
        return "cryptodatadownload"
    if raw[0] in ("Date", "Datetime") and "close" in names and set(names) <= YAHOO_NAMES:
        return "yahoo"
    return "generic"


# --------------------------------------------------------------------------------------------
# The formats


def _yahoo(text: FileText, source: str, on_bad_rows: str, encoding: str) -> RawPrices:
    table = read_delimited(text, source, on_bad_rows=on_bad_rows, encoding=encoding)
    return from_table(
        table,
        format="yahoo",
        source=source,
        time_aliases=("datetime", "date"),
        dayfirst=False,
        symbol=Path(source).stem,
    )


def _yfinance(text: FileText, source: str, on_bad_rows: str, encoding: str) -> RawPrices:
    head = first_lines(text, 3)
    if len(head) < 3 or not head[0].startswith("Price") or not head[1].startswith("Ticker"):
        raise BadInputError(
            "not a yfinance file: expected the header lines 'Price,...', 'Ticker,...', "
            "'Date,,,...'",
            file=source,
            line=1,
        )
    tickers = sorted({t.strip() for t in head[1].split(",")[1:] if t.strip()})
    if len(tickers) > 1:
        raise BadInputError(
            f"the file holds {len(tickers)} tickers ({', '.join(tickers)}); read one ticker "
            f"per file (save each with yf.download(ticker))",
            file=source,
            line=2,
            field="Ticker",
        )
    # Line 1 names the columns ("Price" over the time column), line 3 names the time column.
    time_label = head[2].split(",")[0].strip() or "Date"
    names = (time_label, *(f.strip() for f in head[0].split(",")[1:]))
    table = read_delimited(
        text, source, header_records=3, names=names, on_bad_rows=on_bad_rows, encoding=encoding
    )
    return from_table(
        table,
        format="yfinance",
        source=source,
        time_aliases=("datetime", "date"),
        dayfirst=False,
        symbol=tickers[0] if tickers else Path(source).stem,
    )


def _semicolon(text: FileText, source: str, on_bad_rows: str, encoding: str) -> RawPrices:
    decimal = sniff_decimal(text, ";")
    table = read_delimited(
        text, source, delimiter=";", decimal=decimal, on_bad_rows=on_bad_rows, encoding=encoding
    )
    notes = ["decimal comma"] if decimal == "," else []
    return from_table(
        table,
        format="semicolon",
        source=source,
        decimal=decimal,
        dayfirst=True,
        notes=notes,
        symbol=Path(source).stem,
    )


def _generic_text(text: FileText, source: str, on_bad_rows: str, encoding: str) -> RawPrices:
    delimiter = sniff_delimiter(first_lines(text, 1)[0])
    decimal = sniff_decimal(text, delimiter)
    table = read_delimited(
        text,
        source,
        delimiter=delimiter,
        decimal=decimal,
        on_bad_rows=on_bad_rows,
        encoding=encoding,
    )
    return from_table(
        table, format="generic", source=source, decimal=decimal, symbol=Path(source).stem
    )


_TEXT_READERS = {
    "yahoo": _yahoo,
    "yfinance": _yfinance,
    "semicolon": _semicolon,
    "binance": read_binance,
    "cryptodatadownload": read_cryptodatadownload,
    "generic": _generic_text,
}


# --------------------------------------------------------------------------------------------
# Frames and Parquet (always generic)


def _frame_input(frame: pd.DataFrame, source: str, *, owned: bool = False) -> RawPrices:
    """RawPrices from a pandas frame (a polars frame converted, or a Parquet file).

    A caller's frame is copied, so that no array of the result is a view of it; a frame this
    reader made (``owned``, from a Parquet file) is used as it is.
    """
    frame = frame.copy(deep=not owned)
    if isinstance(frame.columns, pd.MultiIndex):
        # yf.download(...) returns (Price, Ticker) columns; one ticker can be flattened.
        tickers = sorted({str(t) for t in frame.columns.get_level_values(-1)})
        if len(tickers) > 1:
            raise BadInputError(
                f"the frame holds {len(tickers)} tickers ({', '.join(tickers)}); pass one",
                file=source,
                field="columns",
            )
        frame.columns = [str(c) for c in frame.columns.get_level_values(0)]
    if isinstance(frame.index, pd.DatetimeIndex):
        frame = frame.reset_index(names=frame.index.name or "time")
    frame = frame.reset_index(drop=True)
    names = tuple(str(c) for c in frame.columns)
    frame.columns = list(names)
    table = Table(frame, names, LineMap.offset(1, len(frame)), 0)  # rows counted from 1
    return from_table(table, format="generic", source=source)


def load_raw(
    source: str | Path | pd.DataFrame | Any,
    *,
    format: str | None,
    encoding: str,
    on_bad_rows: str,
) -> RawPrices:
    """Split any supported input into :class:`RawPrices` (``format=None`` detects)."""
    if hasattr(source, "to_pandas") and not isinstance(source, pd.DataFrame):
        source = source.to_pandas()  # a polars DataFrame
    if isinstance(source, pd.DataFrame):
        _frames_are_generic(format, "a DataFrame")
        return _frame_input(source, "<DataFrame>")
    if not isinstance(source, (str, Path)):
        raise BadInputError(
            f"cannot read prices from a {type(source).__name__}; pass a file path or a "
            f"pandas or polars DataFrame",
            field="source",
        )
    path = check_path(source)
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PAR1":
        _frames_are_generic(format, "a Parquet file")
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise BadInputError(f"not a readable Parquet file ({exc})", file=str(path)) from exc
        return _frame_input(frame, str(path), owned=True)
    text = FileText(path, encoding)
    name = format or detect_format(first_lines(text, 3))
    return _TEXT_READERS[name](text, str(path), on_bad_rows, encoding)


def _frames_are_generic(format: str | None, what: str) -> None:
    if format not in (None, "generic"):
        raise BadInputError(
            f"{what} is read as format 'generic' (columns by name); got format {format!r}",
            field="format",
        )
