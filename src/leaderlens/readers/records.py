"""Raw tables: a file's rows as text columns, before any field is interpreted.

Every text reader (statements, brand posts, mentions, attention) first turns its input into a
:class:`RawTable`: one row per input record, the file's own column names, and a
:class:`~leaderlens.readers.base.LineMap` from row position to the line the record starts on.
Records that cannot be decoded at all (a broken JSON line, say) stay in the table as empty
rows flagged in ``broken`` so that the row checker reports or skips them like any other bad row.

This module holds the JSON side (JSON Lines, JSON arrays, the JavaScript-wrapped arrays of the
X archive); CSV, Parquet and frames are opened in :mod:`leaderlens.readers.tables`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.readers.base import LineMap, RowChecker


@dataclass(frozen=True)
class RawTable:
    """A file's records as columns, not yet interpreted.

    Attributes
    ----------
    frame: one row per record (``RangeIndex`` 0..n-1 = input-row positions), the file's column
        names; values as the container gave them (text for CSV and JSON, typed for Parquet and
        frames).
    lines: maps a row position to the line its record starts on (the 1-based row number for
        Parquet files and frames, which have no lines).
    source: the file path, or ``"<DataFrame>"``.
    format: the container read (``csv``, ``jsonl``, ``parquet``, ``x-archive``, ``dataframe``).
    header_line: the line holding the column names (named when a column is missing), or
        ``None`` when the container has no header line.
    broken: rows whose record could not be decoded at all, with ``broken_reasons`` saying why.
    preamble: lines before the header that were skipped (a Google Trends banner, say).
    """

    frame: pd.DataFrame
    lines: LineMap
    source: str
    format: str
    header_line: int | None = None
    broken: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    broken_reasons: tuple[str, ...] = ()
    preamble: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return len(self.frame)

    def broken_mask(self) -> np.ndarray:
        """``broken`` as a full-length mask (all False when no record was broken)."""
        return self.broken if self.broken.size == self.n else np.zeros(self.n, dtype=bool)


def fail_broken(table: RawTable, checker: RowChecker) -> None:
    """Report the records that could not be decoded at all (field ``record``)."""
    broken = table.broken_mask()
    if not broken.any():
        return
    reasons = np.asarray(table.broken_reasons, dtype=object)
    for reason in sorted(set(reasons[broken])):
        checker.fail(broken & (reasons == reason), "record", str(reason))


def line_of(text: str, offset: int) -> int:
    """The 1-based line holding character ``offset`` (only ``\\n`` ends a line)."""
    return text.count("\n", 0, offset) + 1


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects flattened to dotted names (``public_metrics.like_count``); lists kept."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def records_table(
    records: list[dict[str, Any] | None],
    lines: np.ndarray,
    reasons: list[str | None],
    *,
    source: str,
    format: str,
    columns: Iterable[str] = (),
) -> RawTable:
    """A :class:`RawTable` from decoded records (``None`` for a broken one, with its reason).

    ``dtype=object`` keeps JSON integers exact: a tweet id does not survive a trip through
    float64. ``columns`` are created empty when no record has them.
    """
    frame = pd.DataFrame([r if r is not None else {} for r in records], dtype=object)
    for name in columns:
        if name not in frame.columns:
            frame[name] = pd.Series([None] * len(records), dtype=object)
    frame.index = pd.RangeIndex(len(records))
    broken = np.array([r is None for r in records], dtype=bool)
    return RawTable(
        frame=frame,
        lines=LineMap.fixed(np.asarray(lines, dtype=np.int64)),
        source=source,
        format=format,
        broken=broken,
        broken_reasons=tuple(r or "" for r in reasons),
    )


TOO_DEEP = "JSON nested too deeply to read (arrays or objects inside one another thousands deep)"


def json_lines_table(text: str, source: str) -> RawTable:
    """JSON Lines: one object per line; blank lines ignored; a broken line is a broken row."""
    records: list[dict[str, Any] | None] = []
    lines: list[int] = []
    reasons: list[str | None] = []
    # One json.loads per line is the parse itself, not a loop a vector operation could replace.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        lines.append(number)
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            records.append(None)
            reasons.append(f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            records.append(None)
            reasons.append(TOO_DEEP)
            continue
        if isinstance(value, dict):
            records.append(flatten(value))
            reasons.append(None)
        else:
            records.append(None)
            reasons.append(f"a JSON {type(value).__name__}, not an object")
    return records_table(records, np.asarray(lines), reasons, source=source, format="jsonl")


def json_array_elements(text: str, start: int, source: str) -> tuple[list[Any], np.ndarray]:
    """The elements of the JSON array beginning at ``text[start] == "["`` and the line on
    which each element starts.

    Elements are decoded one by one with :meth:`json.JSONDecoder.raw_decode` so that each keeps
    its position; a syntax error is refused naming its line (a damaged file, not a bad row:
    nothing after it can be trusted).
    """
    decoder = json.JSONDecoder()
    elements: list[Any] = []
    lines: list[int] = []
    line, counted_to = 1, 0
    n = len(text)
    i = start + 1
    expect_value = True
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            raise BadInputError(
                "the JSON array is not closed (is the file truncated?)",
                file=source,
                line=line_of(text, n),
            )
        if text[i] == "]" and (not expect_value or not elements):
            break
        if text[i] == "," and not expect_value:
            expect_value = True
            i += 1
            continue
        # Lines are counted incrementally (str.count runs in C) instead of a table of all
        # line starts, which would cost memory proportional to the whole archive.
        line += text.count("\n", counted_to, i)
        counted_to = i
        try:
            value, end = decoder.raw_decode(text, i)
        except RecursionError as exc:
            raise BadInputError(TOO_DEEP, file=source, line=line) from exc
        except json.JSONDecodeError as exc:
            raise BadInputError(
                f"the element starting on this line is not valid JSON ({exc.msg} at line "
                f"{exc.lineno}, column {exc.colno}; is the file cut off or edited?)",
                file=source,
                line=line,
            ) from exc
        elements.append(value)
        lines.append(line)
        expect_value = False
        i = end
    tail = text[i + 1 :].strip().rstrip(";").strip()
    if tail:
        raise BadInputError(
            "unexpected text after the JSON array", file=source, line=line_of(text, i + 1)
        )
    return elements, np.asarray(lines, dtype=np.int64)


def json_array_table(text: str, start: int, source: str) -> RawTable:
    """A JSON array of objects (an API dump), each element a row starting on its own line."""
    elements, lines = json_array_elements(text, start, source)
    records: list[dict[str, Any] | None] = []
    reasons: list[str | None] = []
    for value in elements:
        if isinstance(value, dict):
            records.append(flatten(value))
            reasons.append(None)
        else:
            records.append(None)
            reasons.append(f"a JSON {type(value).__name__}, not an object")
    return records_table(records, lines, reasons, source=source, format="jsonl")
