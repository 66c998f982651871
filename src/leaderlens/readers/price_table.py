"""Delimited price text into a frame: C-speed parsing, true line numbers, field-count checks.

Files are read by pandas' C parser (on two cores about twice as fast as Arrow's multi-threaded
one on a 10-million-row price file, and it leaves a core to the file digest computed beside
the load). It refuses a row with too many fields but fills a row with too few with NaN, so
whenever it fails or the last column has a blank, the records are counted once more (with
NumPy on the bytes, or with :mod:`csv` when the file has quotes) and every row whose field
count differs from the header's is refused or skipped. Line numbers are computed the same
way, lazily, only when a message or a reject needs them; the whole text is decoded only then
(:class:`FileText`).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.readers.base import LineMap, Reject, check_encoding, head_lines, read_text


@dataclass(frozen=True)
class Table:
    """A delimited file split into columns.

    Attributes
    ----------
    frame: one column per header name (made unique), values as the C parser typed them
        (float or int where the whole column is numeric, text otherwise); rows in file order.
    names: the header names as written in the file, one per column of ``frame``.
    lines: the file line on which each row of ``frame`` starts.
    header_line: the line of the (last) header record; 0 for a file without header.
    rejects: rows left out for a wrong field count (``on_bad_rows="skip"``).
    """

    frame: pd.DataFrame
    names: tuple[str, ...]
    lines: LineMap
    header_line: int
    rejects: tuple[Reject, ...] = ()


@dataclass(frozen=True)
class _Records:
    """Shape of every non-blank record after the header: start line and field count."""

    lines: np.ndarray
    counts: np.ndarray
    fields: list[list[str]] | None  # the parsed records, kept only on the quoted-file path


def _is_blank(record: list[str]) -> bool:
    # pandas skips empty and whitespace-only lines; the csv module yields [] or ['  '] for them.
    return not record or (len(record) == 1 and not record[0].strip())


# Headers and banners are looked for in this many leading characters (wrapping the whole text
# in a StringIO would copy it).
_HEAD_CHARS = 1 << 16


class FileText:
    """A price file's text, decoded lazily.

    Detection and headers need only the first lines (:attr:`head`); the whole text
    (:attr:`full`, read and checked by :func:`~leaderlens.readers.base.read_text`) is decoded
    only when a record must be counted or re-read: for line numbers in a message, or when
    pandas' read of the file does not settle it.
    """

    def __init__(self, path: Path, encoding: str = "utf-8") -> None:
        self.path = path
        self.encoding = check_encoding(encoding)
        with path.open("rb") as handle:
            start = handle.read(_HEAD_CHARS + 1)
        self._full: str | None = None
        # Plain: uncompressed UTF-8 without a byte-order mark, whose head decodes as it is.
        self.plain = (
            start[:2] != b"\x1f\x8b"
            and not start.startswith(codecs.BOM_UTF8)
            and codecs.lookup(encoding).name == "utf-8"
        )
        head: str | None = None
        if self.plain:
            cut = start.rfind(b"\n") + 1 if len(start) > _HEAD_CHARS else len(start)
            try:
                head = start[:cut].decode("utf-8")
            except UnicodeDecodeError:
                head = None
        if head is None or not head.strip():  # let read_text decode, refuse or unzip it
            self.plain = False
            head = self.full[:_HEAD_CHARS]
        self.head = head

    @property
    def full(self) -> str:
        """The whole decoded text (read once)."""
        if self._full is None:
            self._full = read_text(self.path, self.encoding)
        return self._full


def first_lines(text: FileText | str, n: int) -> list[str]:
    """The first ``n`` non-empty lines (for format detection)."""
    head = text.head if isinstance(text, FileText) else text[:_HEAD_CHARS]
    return head_lines(head, n)


def head_records(text: str, delimiter: str, k: int) -> tuple[list[list[str]], int, int]:
    """The first ``k`` non-blank records, the line the last one starts on, and the number of
    physical lines they (and blank lines between them) occupy."""
    records: list[list[str]] = []
    if k == 0:
        return records, 0, 0
    cut = text.rfind("\n", 0, _HEAD_CHARS) if len(text) > _HEAD_CHARS else -1
    reader = csv.reader(io.StringIO(text[: cut + 1] if cut >= 0 else text), delimiter=delimiter)
    start = 0
    previous_end = 0
    for record in reader:
        if not _is_blank(record):
            records.append([f.strip() for f in record])
            start = previous_end + 1
        previous_end = reader.line_num
        if len(records) == k:
            break
    return records, start, previous_end


def _count_records(text: str, delimiter: str, skip_lines: int, keep: bool) -> _Records:
    """Start line and field count of each non-blank record after the first ``skip_lines`` lines.

    Without quotes a record is a line, and NumPy counts delimiters per line on the bytes.
    With quotes the :mod:`csv` module follows quoted delimiters and newlines (and keeps the
    records when ``keep``, for rebuilding the frame without the bad ones).
    """
    if '"' in text:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        lines: list[int] = []
        counts: list[int] = []
        kept: list[list[str]] = []
        previous_end = 0
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if start <= skip_lines or _is_blank(record):
                continue
            lines.append(start)
            counts.append(len(record))
            if keep:
                kept.append(record)
        return _Records(
            np.asarray(lines, dtype=np.int64),
            np.asarray(counts, dtype=np.int64),
            kept if keep else None,
        )
    data = text.encode("utf-8")
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [raw.size]))
    delimiters = np.flatnonzero(raw == ord(delimiter))
    counts_all = (
        np.bincount(np.searchsorted(starts, delimiters, side="right") - 1, minlength=starts.size)
        + 1
    )
    # A line without any delimiter may be blank (whitespace only): look at those few directly.
    candidates = np.flatnonzero(counts_all == 1)
    blank = np.zeros(starts.size, dtype=bool)
    for i in candidates:
        blank[i] = not data[starts[i] : ends[i]].strip()
    number = np.arange(1, starts.size + 1, dtype=np.int64)
    take = ~blank & (number > skip_lines)
    return _Records(number[take], counts_all[take], None)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        label = name or "unnamed"
        if label in seen:
            seen[label] += 1
            label = f"{label}.{seen[label]}"
        else:
            seen[label] = 0
        out.append(label)
    return out


def read_delimited(
    text: FileText,
    source: str,
    *,
    delimiter: str = ",",
    header_records: int = 1,
    names: tuple[str, ...] | None = None,
    decimal: str = ".",
    on_bad_rows: str = "error",
    encoding: str = "utf-8",
) -> Table:
    """Read delimited text whose first ``header_records`` non-blank records are banners or
    headers (the last of them names the columns unless ``names`` is given).

    ``text`` is the file (``source`` its path), decoded only as far as needed: pandas' C
    parser reads the file itself; a file it does not settle (or whose last column has a
    blank, which may hide a short row) is checked by a count of every record.

    A row with a field count other than the header's is refused naming its line (and, when it
    is short, the first field it lacks); with ``on_bad_rows="skip"`` it becomes a reject.
    """
    head, header_line, skip_lines = head_records(text.head, delimiter, header_records)
    if names is None:
        if len(head) < header_records:
            raise BadInputError("the file has no header line", file=source, line=1)
        names = tuple(head[-1])
    columns = _unique(list(names))
    thousands = "." if decimal == "," else None

    def parse(skip: int | list[int]) -> pd.DataFrame:
        try:
            return _read_csv(skip)
        except pd.errors.ParserError as exc:
            raise BadInputError(f"the file cannot be parsed ({exc})", file=source) from exc

    path = Path(source)
    with path.open("rb") as handle:
        compression = "gzip" if handle.read(2) == b"\x1f\x8b" else None

    def _read_csv(skip: int | list[int]) -> pd.DataFrame:
        return pd.read_csv(
            path,
            compression=compression,
            encoding=encoding,
            sep=delimiter,
            header=None,
            names=columns,
            skiprows=skip,
            index_col=False,
            decimal=decimal,
            thousands=thousands,
            skip_blank_lines=True,
        )

    def lazy_lines() -> np.ndarray:
        return _count_records(text.full, delimiter, skip_lines, keep=False).lines

    frame: pd.DataFrame | None
    try:
        frame = _read_csv(skip_lines)
        clean = frame.empty or not frame.iloc[:, -1].isna().any()
    except (pd.errors.ParserError, UnicodeDecodeError):
        # Counting the records decodes the whole text, which names the line of bad bytes.
        frame, clean = None, False
    if frame is not None and clean:
        return Table(
            frame,
            tuple(names),
            LineMap(lazy_lines),
            header_line,
        )
    # Something is off (or a last-column blank hides a short row): count every record.
    records = _count_records(text.full, delimiter, skip_lines, keep=on_bad_rows == "skip")
    bad = records.counts != len(names)
    if not bad.any():
        if frame is None:
            frame = parse(skip_lines)  # re-raises the parser's own complaint
        return Table(frame, tuple(names), LineMap.fixed(records.lines), header_line)
    reasons = [_field_count_reason(int(c), names) for c in records.counts[bad]]
    lines = records.lines[bad]
    if on_bad_rows == "error":
        more = int(bad.sum()) - 1
        tail = f" ({more} more row{'s' if more != 1 else ''} like it)" if more else ""
        field, reason = reasons[0]
        raise BadInputError(reason + tail, file=source, line=int(lines[0]), field=field)
    rejects = tuple(Reject(int(line), f, r) for line, (f, r) in zip(lines, reasons, strict=True))
    if records.fields is None:
        frame = parse(list(range(skip_lines)) + [int(line) - 1 for line in lines])
    else:
        good = [r for r, b in zip(records.fields, bad, strict=True) if not b]
        frame = pd.DataFrame(good, columns=columns, dtype="str")
    return Table(frame, tuple(names), LineMap.fixed(records.lines[~bad]), header_line, rejects)


def _field_count_reason(count: int, names: tuple[str, ...]) -> tuple[str, str]:
    expected = len(names)
    if count < expected:
        return (
            names[count] or f"column {count + 1}",
            f"the row has {count} field{'s' if count != 1 else ''} where the header has "
            f"{expected}: it lacks {names[count]!r} and any after it",
        )
    return (
        names[-1] or f"column {expected}",
        f"the row has {count} fields where the header has {expected} (a stray delimiter, "
        f"or a value with an unquoted delimiter in it?)",
    )


def sniff_delimiter(header: str) -> str:
    """The delimiter of a header line: the most frequent of comma, semicolon, tab and bar."""
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def sniff_decimal(text: FileText, delimiter: str) -> str:
    """Decimal comma when the delimiter is not a comma and commas occur in the data."""
    if delimiter == ",":
        return "."
    full = text.full
    body = full.split("\n", 1)[1] if "\n" in full else ""
    return "," if "," in body else "."
