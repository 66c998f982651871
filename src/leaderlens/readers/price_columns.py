"""Price columns as files name them: the alias tables and the unchecked split of an input.

:class:`RawPrices` is what every format reader produces (see
:mod:`leaderlens.readers.price_formats`); :func:`from_table` builds it for the formats whose
header names the columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.readers.base import LineMap, Reject, require_columns
from leaderlens.readers.price_table import Table

VALUE_FIELDS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close", "volume")

# Column names per canonical field, compared after lower-casing and folding "_"/spaces.
ALIASES: dict[str, tuple[str, ...]] = {
    "open": ("open",),
    "high": ("high",),
    "low": ("low",),
    "close": ("close", "price"),
    "adj_close": ("adj close", "adjclose", "adjusted close"),
    "volume": ("volume", "vol"),
}
TIME_ALIASES: tuple[str, ...] = ("ts", "datetime", "timestamp", "time", "date")
YAHOO_NAMES = frozenset(
    {
        "date",
        "datetime",
        "open",
        "high",
        "low",
        "close",
        "adj close",
        "volume",
        "dividends",
        "stock splits",
        "capital gains",
    }
)
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"


def norm_name(name: object) -> str:
    """A column name compared case-insensitively, ``_`` and runs of spaces folded."""
    return re.sub(r"[\s_]+", " ", str(name).strip().lower())


@dataclass(frozen=True)
class RawPrices:
    """One input split into its time and price columns, values not yet checked.

    Attributes
    ----------
    format, source: the format read and the file (or ``"<DataFrame>"``).
    time: the time column as written (text, Unix epochs, or datetimes), one per row.
    time_field: its name in the file, for messages.
    values: canonical field (open, high, low, close, adj_close, volume) -> column as
        written; fields the file lacks are absent.
    fields: canonical field -> the file's column name, for messages.
    lines: the file line of each row; header_line: the header's line (0 when none).
    decimal: the decimal mark of text numbers.
    dayfirst: date-order convention for ``a/b/YYYY`` dates (``None``: none).
    zone_by_format: the zone naive times are in by the format's definition (``None``: none).
    priority: for repeated times, rows with a higher value win over lower ones (``None``:
        all equal); priority_note names what the higher rows are.
    failures: ``(mask, field, reason)`` rows the format already knows are bad.
    rejects: rows left out before splitting (wrong field count).
    notes: what the format tells a careful user; symbol: the ticker when the file names it;
    calendar_hint: ``"24/7"`` when the format is crypto by nature.
    time_zone: how the format's times are read, when the format says it best (else the
        time parser words it).
    """

    format: str
    source: str
    time: pd.Series
    time_field: str
    values: dict[str, pd.Series]
    fields: dict[str, str]
    lines: LineMap
    header_line: int = 0
    decimal: str = "."
    dayfirst: bool | None = None
    zone_by_format: str | None = None
    priority: np.ndarray | None = None
    priority_note: str = ""
    failures: tuple[tuple[np.ndarray, str, str], ...] = ()
    rejects: tuple[Reject, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    symbol: str | None = None
    calendar_hint: str | None = None
    time_zone: str | None = None


# --------------------------------------------------------------------------------------------
# Column mapping shared by the header-named formats


def _map_columns(
    names: tuple[str, ...], columns: list[str], time_aliases: tuple[str, ...]
) -> tuple[str | None, dict[str, str], list[str]]:
    """(time column, canonical -> column, unused file names) by the alias tables."""
    normal = {norm_name(n): c for n, c in zip(names, columns, strict=True)}
    time = next((normal[a] for a in time_aliases if a in normal), None)
    mapping: dict[str, str] = {}
    for key, aliases in ALIASES.items():
        hit = next((normal[a] for a in aliases if a in normal), None)
        if hit is not None:
            mapping[key] = hit
    used = {time, *mapping.values()}
    unused = [n for n, c in zip(names, columns, strict=True) if c not in used and n]
    return time, mapping, unused


def from_table(
    table: Table,
    *,
    format: str,
    source: str,
    time_aliases: tuple[str, ...] = TIME_ALIASES,
    **extra: Any,
) -> RawPrices:
    """RawPrices from a header-named table (yahoo, yfinance, semicolon, generic)."""
    frame = table.frame
    columns = list(frame.columns)
    time_col, mapping, unused = _map_columns(table.names, columns, time_aliases)
    label = dict(zip(columns, table.names, strict=True))
    line = max(table.header_line, 1)
    if time_col is None:
        raise BadInputError(
            f"no time column (named {' or '.join(repr(a) for a in time_aliases)}, in any "
            f"case); the file has {', '.join(map(repr, table.names))}",
            file=source,
            line=line,
            field="time",
        )
    if "close" not in mapping:
        require_columns(pd.DataFrame(columns=list(table.names)), ("close",), source, line)
    time = frame[time_col]
    time_field = label[time_col]
    notes = list(extra.pop("notes", ()))
    # "Date,Time,Open,...": a clock column beside a date column is joined to it.
    normal = {norm_name(n): c for n, c in zip(table.names, columns, strict=True)}
    if "date" in normal and "time" in normal and time_col in (normal["date"], normal["time"]):
        clock = frame[normal["time"]].astype("str").str.strip()
        if clock.str.fullmatch(_CLOCK, na=False).any():
            date = frame[normal["date"]].astype("str").str.strip()
            time = date + " " + clock
            time_field = f"{label[normal['date']]} + {label[normal['time']]}"
            unused = [u for u in unused if norm_name(u) not in ("date", "time")]
    if unused:
        notes.append(f"columns not used: {', '.join(unused)}")
    return RawPrices(
        format=format,
        source=source,
        time=time,
        time_field=time_field,
        values={k: frame[c] for k, c in mapping.items()},
        fields={k: label[c] for k, c in mapping.items()},
        lines=table.lines,
        header_line=table.header_line,
        rejects=table.rejects,
        notes=tuple(notes),
        **extra,
    )
