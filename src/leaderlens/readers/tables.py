"""Opening what a user hands a text reader, and finding the columns in it.

:func:`load_table` accepts a path (CSV or TSV, JSON Lines or a JSON array, Parquet, the X
archive's ``tweets.js``; gzipped text is fine) or a pandas / polars DataFrame and returns a
:class:`~leaderlens.readers.records.RawTable`. The container is told by the file's first bytes
and first line, not by its name. :func:`resolve_columns` then maps canonical field names to the
file's own column names: the user's ``columns`` mapping first, then common names matched
case-insensitively (``Tweet Id``, ``tweet_id`` and ``tweet-id`` are one name).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from leaderlens.errors import BadInputError, check_choice
from leaderlens.readers.base import LineMap, check_path, csv_record_lines, read_text_bytes
from leaderlens.readers.records import RawTable, json_array_table, json_lines_table
from leaderlens.readers.x_archive import is_x_archive, read_x_archive_table

FRAME_SOURCE = "<DataFrame>"
_DELIMITERS = (",", "\t", ";", "|")
_UNNAMED = re.compile(r"^Unnamed: \d+$")


def normalize_name(name: object) -> str:
    """A column name compared loosely: lower case, spaces and dashes as ``_``."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def is_frame(source: object) -> bool:
    """A pandas DataFrame, or anything with ``to_pandas()`` (a polars DataFrame)."""
    return isinstance(source, pd.DataFrame) or hasattr(source, "to_pandas")


def load_table(
    source: str | Path | Any,
    *,
    format: str | None,
    formats: tuple[str, ...],
    encoding: str = "utf-8",
    banner: re.Pattern[str] | None = None,
) -> RawTable:
    """Open ``source`` as a :class:`RawTable`.

    ``format`` (one of ``formats``, or ``None`` to detect) names the container; readers whose
    formats are layouts rather than containers (Google Trends) pass ``formats=()`` and detect
    the container alone. ``banner`` matches lines before the header to skip (the
    ``Category: All categories`` line of a Google Trends export).
    """
    if format is not None and formats:
        check_choice("format", format, formats)
    if is_frame(source):
        if format is not None and formats:
            raise BadInputError(
                f"format {format!r} applies to files; a DataFrame is read as it is",
                field="format",
            )
        return frame_table(source)
    path = check_path(source)
    name = str(source)
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PAR1" or format == "parquet":
        return parquet_table(path, name)
    text, data = read_text_bytes(path, encoding)
    container = format if format is not None and formats else detect_container(text)
    if container == "x-archive":
        return read_x_archive_table(text, name)
    if container == "jsonl":
        stripped = text.lstrip()
        if stripped.startswith("["):
            return json_array_table(text, len(text) - len(stripped), name)
        table = json_lines_table(text, name)
        if table.broken_mask().all():  # not one readable record: the file is not JSON Lines
            raise BadInputError(
                table.broken_reasons[0], file=name, line=table.lines.line(0), field="record"
            )
        return table
    return csv_table(text, name, banner=banner, data=data)


def detect_container(text: str) -> str:
    """``x-archive``, ``jsonl`` (JSON Lines or a JSON array) or ``csv``, from the content."""
    if is_x_archive(text):
        return "x-archive"
    head = text.lstrip()[:1]
    return "jsonl" if head in ("{", "[") else "csv"


def frame_table(source: Any) -> RawTable:
    """A DataFrame as a table; the caller's frame is never modified.

    A ``DatetimeIndex`` (a pytrends result, a resampled series) becomes a column named after the
    index (``ts`` when unnamed). Lines are the 1-based row numbers.
    """
    frame = source if isinstance(source, pd.DataFrame) else source.to_pandas()
    if not isinstance(frame, pd.DataFrame):
        raise BadInputError("to_pandas() did not return a pandas DataFrame", field="source")
    if isinstance(frame.index, pd.DatetimeIndex):
        frame = frame.reset_index(names=frame.index.name or "ts")
    frame = frame.reset_index(drop=True)  # a new frame: positions 0..n-1, caller's untouched
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(
        frame=frame, lines=LineMap.offset(1, len(frame)), source=FRAME_SOURCE, format="dataframe"
    )


def parquet_table(path: Path, name: str) -> RawTable:
    """A Parquet file; its 'lines' are the 1-based row numbers."""
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise BadInputError(f"not a readable Parquet file ({exc})", file=name) from exc
    frame = frame.reset_index(drop=not isinstance(frame.index, pd.DatetimeIndex))
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(frame=frame, lines=LineMap.offset(1, len(frame)), source=name, format="parquet")


def csv_table(
    text: str,
    name: str,
    *,
    banner: re.Pattern[str] | None = None,
    data: bytes | None = None,
) -> RawTable:
    """A delimited text file: every field kept as text, exactly as written.

    The delimiter (comma, tab, semicolon or bar) is the one most frequent on the header line.
    Nothing is turned into a missing value by pandas' guessing (a text ``NA`` stays ``NA``); the
    field readers decide what is blank. Quoted newlines are respected in line numbers.
    ``data``, when given, is ``text`` in UTF-8 (the file's own bytes), parsed without a copy.
    """
    offset, preamble = 0, []
    header_line = 1
    while True:
        end = text.find("\n", offset)
        line = text[offset : end if end >= 0 else len(text)]
        if line.strip() and not (banner is not None and banner.match(line)):
            break
        if line.strip():
            preamble.append(line.strip())
        if end < 0:
            raise BadInputError("the file holds no header line", file=name)
        offset, header_line = end + 1, header_line + 1
    header = line.rstrip("\r")
    delimiter = max(_DELIMITERS, key=header.count)
    _check_quotes(text, offset, header, delimiter, header_line, name)
    if data is None:
        data, start = text[offset:].encode("utf-8"), 0
    else:  # the header's byte offset: the text before it is short
        start = len(text[:offset].encode("utf-8"))
    frame = _arrow_text_frame(data, start, header, delimiter)
    try:
        frame = (
            frame
            if frame is not None
            else pd.read_csv(
                io.StringIO(text[offset:]),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                index_col=False,
                skip_blank_lines=True,
            )
        )
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line_no = int(found.group(1)) + header_line - 1 if found else None
        raise BadInputError(
            f"not a readable delimited file ({str(exc).strip()})", file=name, line=line_no
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise BadInputError("the file holds no data", file=name) from exc
    # Columns without a header (a pandas index written to file) are named "" so that no alias
    # matches them by accident; callers may still pick one by position.
    frame.columns = ["" if _UNNAMED.match(str(c)) else str(c) for c in frame.columns]
    if frame.empty:
        raise BadInputError("the file has a header but no data rows", file=name, line=header_line)
    first = header_line - 1

    def lines() -> np.ndarray:
        return csv_record_lines(text[offset:], delimiter)[1:] + first

    return RawTable(
        frame=frame,
        lines=LineMap(lines),
        source=name,
        format="csv",
        header_line=header_line,
        preamble=tuple(preamble),
    )


def _check_quotes(
    text: str, offset: int, header: str, delimiter: str, header_line: int, name: str
) -> None:
    """Refuse a quoted value that is never closed: CSV parsers read everything after it, to
    the end of the file, as that one value (quotes come in pairs, doubled ones included)."""
    if text.count('"', offset) % 2 == 0:
        return
    body = text[offset:]
    starts = csv_record_lines(body, delimiter)
    line_no = int(starts[-1]) if starts.size else 1  # where the last record, the open one, starts
    line = body.splitlines()[line_no - 1] if line_no >= 1 else ""
    names = header.split(delimiter)
    field = None
    for pos in range(len(line) - 1, -1, -1):  # the last quote opening a field that stays open
        opens = line[pos] == '"' and (pos == 0 or line[pos - 1] == delimiter)
        if opens and line.count('"', pos) % 2 == 1:
            column = line.count(delimiter, 0, pos)
            field = names[column] if column < len(names) else None
            break
    raise BadInputError(
        "a quoted value opened here is never closed, so the rest of the file would be read as "
        'one value: close the quote (a quote inside a quoted value is written twice: "")',
        file=name,
        line=line_no + header_line - 1,
        field=field,
    )


def _arrow_text_frame(data: bytes, start: int, header: str, delimiter: str) -> pd.DataFrame | None:
    """Every field as the exact text it is written as, parsed by Arrow (multi-threaded, and
    straight into Arrow strings) from ``data`` (UTF-8) after byte ``start`` (the header line),
    or ``None`` to leave the file to pandas: a header with quotes, blank or repeated names
    (pandas renames those), or a row whose field count differs from the header's.

    Only a quoted value can hold a newline, so a file without a quote character is read
    without Arrow's search for newlines within values (a third faster)."""
    if '"' in header:
        return None
    names = [n for n in header.split(delimiter)]
    if len(set(names)) != len(names) or not all(names):
        return None
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(memoryview(data)[start:])),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=data.find(b'"', start) >= 0
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    return pd.DataFrame(
        {name: column.to_pandas() for name, column in zip(names, table.columns, strict=True)},
        copy=False,
    )


def resolve_columns(
    table: RawTable,
    aliases: Mapping[str, tuple[str, ...]],
    columns: Mapping[str, str] | None,
    nested: tuple[str, ...] = (),
) -> dict[str, str]:
    """Canonical field name -> the table's column holding it.

    ``columns`` (canonical -> file column) is applied first and checked: an unknown canonical
    name or a column the file does not have is refused naming it. Remaining fields are found
    by their common names (``aliases``, in order of preference), case-insensitively. Fields in
    ``nested`` may also match a nested JSON field by its last part (``public_metrics.like_count``
    as ``like_count``); others may not, so that ``user.url`` is never taken for a post's url.
    """
    names = [str(c) for c in table.frame.columns]
    chosen: dict[str, str] = {}
    for canonical, given in (columns or {}).items():
        if canonical not in aliases:
            raise BadInputError(
                f"unknown name {canonical!r} in columns; the names are {', '.join(aliases)}",
                field=str(canonical),
            )
        match = given if given in names else _loose_match(given, names)
        if match is None:
            raise BadInputError(
                f"column {given!r} (given for {canonical!r}) is not in the file; it has "
                f"{', '.join(repr(n) for n in names if n)}",
                file=table.source,
                line=table.header_line,
                field=canonical,
            )
        chosen[canonical] = match
    taken = set(chosen.values())
    by_name: dict[str, str] = {}
    by_leaf: dict[str, str] = {}
    for column in names:
        if column:
            by_name.setdefault(normalize_name(column), column)
            by_leaf.setdefault(normalize_name(column.rsplit(".", 1)[-1]), column)
    for canonical, candidates in aliases.items():
        if canonical in chosen:
            continue
        for lookup in (by_name, by_leaf) if canonical in nested else (by_name,):
            found = next(
                (lookup[a] for a in candidates if a in lookup and lookup[a] not in taken), None
            )
            if found is not None:
                chosen[canonical] = found
                taken.add(found)
                break
    return chosen


def _loose_match(given: str, names: list[str]) -> str | None:
    wanted = normalize_name(given)
    return next((n for n in names if n and normalize_name(n) == wanted), None)


def missing_column(
    table: RawTable,
    canonical: str,
    aliases: tuple[str, ...],
    extra: str = "",
    hint: str | None = None,
) -> BadInputError:
    """The error for a needed field no column provides: what was looked for, what is there,
    and how to name it (``hint``; default the readers' ``columns=`` mapping)."""
    names = ", ".join(repr(n) for n in table.frame.columns if n) or "no named columns"
    how = hint or f"name yours with columns={{{canonical!r}: '<column>'}}"
    return BadInputError(
        f"no {canonical} column (looked for {', '.join(aliases)}){extra}; the file has "
        f"{names}; {how}",
        file=table.source,
        line=table.header_line,
        field=canonical,
    )
