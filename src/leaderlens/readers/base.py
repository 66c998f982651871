"""What every reader shares: the result type, file opening, line numbers, times and row checks.

A reader turns one file a user holds into a *canonical frame* (columns listed in ``COLUMNS``)
plus a :class:`ReadResult` that says which format was read, how times were interpreted and
which rows were rejected. Readers never touch the workspace; the store validates nothing twice.

Bad rows are handled in one place, :class:`RowChecker`: every field is parsed vectorised,
the failures are collected, and then either the first failure (by line) is raised as a
:class:`~leaderlens.errors.BadInputError` naming file, line and field (``on_bad_rows="error"``)
or the failing rows are dropped and listed as :class:`Reject` rows (``on_bad_rows="skip"``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leaderlens.errors import BadInputError, check_choice
from leaderlens.options import CHANNELS as CHANNELS  # tests/demo reads it here
from leaderlens.options import ON_BAD_ROWS

Kind = Literal["prices", "statements", "brand_posts", "attention", "mentions"]
FREQS: tuple[str, ...] = ("1m", "1h", "1d", "1w", "1mo")

# Canonical columns per kind, in storage order. ``ts`` is always tz-aware UTC. For daily and
# coarser bars and attention points ``ts`` is the period's date at 00:00 UTC: a *label* of the
# session or bucket, not an instant (the calendar in ``leaderlens.align`` knows the instants).
COLUMNS: dict[str, tuple[str, ...]] = {
    "prices": ("ts", "open", "high", "low", "close", "adj_close", "volume"),
    "statements": (
        "statement_id",
        "ts",
        "channel",
        "text",
        "url",
        "language",
        "likes",
        "reposts",
        "replies",
        "quotes",
        "views",
        "is_reply",
    ),
    "attention": ("ts", "value"),
    "mentions": ("mention_id", "ts", "text", "author", "engagement", "platform"),
}
COLUMNS["brand_posts"] = COLUMNS["statements"]

# Natural keys inside one input (the store adds the owner: asset, leader, brand, metric).
KEYS: dict[str, tuple[str, ...]] = {
    "prices": ("ts",),
    "statements": ("statement_id",),
    "brand_posts": ("statement_id",),
    "attention": ("ts",),
    "mentions": ("mention_id",),
}


@dataclass(frozen=True)
class Reject:
    """One input row left out by ``on_bad_rows="skip"``: where it was and why."""

    line: int | None
    field: str
    reason: str


@dataclass(frozen=True)
class ReadResult:
    """A file read into a canonical frame.

    Attributes
    ----------
    kind: what the rows are (prices, statements, brand_posts, attention, mentions).
    frame: canonical frame, columns ``COLUMNS[kind]``, sorted by ``ts``, keys unique.
    source: the file path, or ``"<DataFrame>"``.
    format: the format read (``"yahoo"``, ``"binance"``, ``"x-archive"``, ...).
    time_zone: how times were interpreted, in words (stated in every output).
    freq: bar or bucket frequency for prices and attention (``1m``, ``1h``, ``1d``, ``1w``,
        ``1mo``); ``None`` for texts.
    rejects: rows left out under ``on_bad_rows="skip"``.
    notes: what a careful user should know (duplicates resolved, gaps, suspected splits).
    lines: maps a row's input position to its file line; ``frame.index`` holds each row's
        position in the input (0-based data row), so ``lines.line(frame.index[i])`` names the
        line of row ``i`` in later messages (a conflict with stored rows, say).
    calendar_hint: ``"24/7"`` when the file is plainly a crypto series (Binance, a ``BTC/USDT``
        symbol, trading on weekends), else ``None``; the store uses it when no calendar is given.
    """

    kind: Kind
    frame: pd.DataFrame
    source: str
    format: str
    time_zone: str
    freq: str | None = None
    rejects: tuple[Reject, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    calendar_hint: str | None = None
    lines: LineMap | None = None

    def rejects_frame(self) -> pd.DataFrame:
        """The rejects as a tidy frame (``line``, ``field``, ``reason``)."""
        return pd.DataFrame(
            [(r.line, r.field, r.reason) for r in self.rejects], columns=["line", "field", "reason"]
        )


# --------------------------------------------------------------------------------------------
# Files


def check_path(path: str | Path) -> Path:
    """The path as a :class:`Path`, refused clearly when it is missing, a folder or empty."""
    p = Path(path)
    if not p.exists():
        raise BadInputError("no such file", file=str(p))
    if p.is_dir():
        raise BadInputError("is a folder, not a file", file=str(p))
    if p.stat().st_size == 0:
        raise BadInputError("the file is empty", file=str(p))
    return p


def read_text(path: str | Path, encoding: str = "utf-8") -> str:
    """The whole text of a (possibly gzipped) file, decoding checked.

    A byte sequence that is not valid in ``encoding`` is refused naming the line it is on.
    A leading byte-order mark is dropped.
    """
    return read_text_bytes(path, encoding)[0]


def read_text_bytes(path: str | Path, encoding: str = "utf-8") -> tuple[str, bytes | None]:
    """:func:`read_text`, and the file's bytes when they are that text in UTF-8 (no
    byte-order mark; unzipped), else ``None``: a parser taking bytes then reads them as they
    are, without encoding the text once more."""
    p = check_path(path)
    check_encoding(encoding)
    raw = p.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, str(p))
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BadInputError(
            f"bytes that are not valid {encoding} ({exc.reason}); pass the file's encoding "
            f"(--encoding latin-1, cp1252, ...)",
            file=str(p),
            line=line,
        ) from exc
    text = text.removeprefix("\ufeff")
    if not text or text.isspace():  # (strip() would copy the whole text)
        raise BadInputError("the file holds no data", file=str(p))
    utf8 = codecs.lookup(encoding).name == "utf-8" and not raw.startswith(codecs.BOM_UTF8)
    return text, raw if utf8 else None


# A gzip file inflating to more than this many times its size and past MAX_INFLATED_FLOOR
# bytes is refused as a decompression bomb: real CSV and JSON compress about 3-20 times.
MAX_INFLATION = 100
MAX_INFLATED_FLOOR = 256 << 20


def _gunzip(raw: bytes, source: str) -> bytes:
    """Inflate a gzip file in bounded steps, refusing a bomb before it fills memory."""
    limit = max(MAX_INFLATION * len(raw), MAX_INFLATED_FLOOR)
    inflater = zlib.decompressobj(wbits=31)  # gzip framing
    parts, size, rest = [], 0, raw
    try:
        while rest:
            part = inflater.decompress(rest, 64 << 20)
            size += len(part)
            if size > limit:
                raise BadInputError(
                    f"the gzip file inflates to more than {limit >> 20:,} MB, over "
                    f"{MAX_INFLATION} times its size: refused as a likely decompression bomb "
                    "(unzip it yourself if it is genuine)",
                    file=source,
                )
            parts.append(part)
            rest = inflater.unconsumed_tail or inflater.unused_data
            if inflater.eof and rest:  # another gzip member follows
                inflater = zlib.decompressobj(wbits=31)
        if not inflater.eof:
            raise BadInputError("not a readable gzip file (it is cut off)", file=source)
    except zlib.error as exc:
        raise BadInputError(f"not a readable gzip file ({exc})", file=source) from exc
    return b"".join(parts)


def check_encoding(encoding: str) -> str:
    """A text encoding Python knows (``rot13`` and ``base64`` are codecs, not encodings)."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError) as exc:
        raise BadInputError(
            f"unknown encoding {encoding!r}; e.g. utf-8, latin-1, cp1252", field="encoding"
        ) from exc
    if not getattr(info, "_is_text_encoding", True):
        raise BadInputError(
            f"{encoding!r} is not a text encoding; e.g. utf-8, latin-1, cp1252", field="encoding"
        )
    return encoding


def head_lines(text: str, n: int = 5) -> list[str]:
    """The first ``n`` non-empty lines, for format detection."""
    out = []
    for line in io.StringIO(text):
        if line.strip():
            out.append(line.rstrip("\r\n"))
        if len(out) == n:
            break
    return out


def csv_record_lines(text: str, delimiter: str = ",") -> np.ndarray:
    """Line number (1-based) on which each CSV record starts, quoted newlines respected.

    Used only to name lines in messages, so its cost is paid only when something is wrong
    or when rejects are written.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    starts = []
    previous_end = 0
    for record in reader:
        # pandas skips blank and whitespace-only lines; so do the line numbers.
        if record and not (len(record) == 1 and not record[0].strip()):
            starts.append(previous_end + 1)
        previous_end = reader.line_num
    return np.asarray(starts, dtype=np.int64)


def epoch_unit(values: pd.Series) -> str:
    """The unit :func:`epoch_to_instants` read Unix epochs in, in words, for a note."""
    num = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    num = num[~np.isnan(num)]
    units = {
        name
        for name, hit in (
            ("microseconds", num > 1e14),
            ("milliseconds", (num > 1e11) & (num <= 1e14)),
            ("seconds", num <= 1e11),
        )
        if hit.any()
    }
    return " and ".join(sorted(units)) or "seconds"


def name_lines(lines: LineMap | None, mask: np.ndarray, limit: int = 5) -> str:
    """``lines 3, 9 and 4 more`` for the rows in ``mask`` (input positions), for notes."""
    rows = np.flatnonzero(mask)
    if lines is None:
        return f"rows {', '.join(str(int(r) + 1) for r in rows[:limit])}"
    shown = ", ".join(str(lines.line(int(r))) for r in rows[:limit])
    more = f" and {rows.size - limit} more" if rows.size > limit else ""
    return f"line{'s' if rows.size > 1 else ''} {shown}{more}"


class LineMap:
    """Maps a row position of a parsed frame to its line in the file, computed lazily.

    ``compute`` returns the line of every row; it is called at most once.
    """

    def __init__(self, compute: Callable[[], np.ndarray]) -> None:
        self._compute = compute
        self._lines: np.ndarray | None = None

    @classmethod
    def csv(cls, text: str, *, delimiter: str = ",", skip_records: int = 1) -> LineMap:
        """Lines of a CSV whose first ``skip_records`` records are headers or banners."""
        return cls(lambda: csv_record_lines(text, delimiter)[skip_records:])

    @classmethod
    def offset(cls, first_line: int, n: int) -> LineMap:
        """Rows on consecutive lines starting at ``first_line`` (JSONL, or 'row N' of a frame)."""
        return cls(lambda: np.arange(first_line, first_line + n, dtype=np.int64))

    @classmethod
    def fixed(cls, lines: np.ndarray) -> LineMap:
        """Lines already known."""
        return cls(lambda: lines)

    def lines(self) -> np.ndarray:
        if self._lines is None:
            self._lines = np.asarray(self._compute(), dtype=np.int64)
        return self._lines

    def line(self, position: int) -> int | None:
        lines = self.lines()
        return int(lines[position]) if 0 <= position < len(lines) else None

    def subset(self, positions: np.ndarray) -> LineMap:
        """The map after keeping only ``positions`` (a reorder or a filter)."""
        return LineMap(lambda: self.lines()[positions])


# --------------------------------------------------------------------------------------------
# Times

_OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}:?\d{2}|UTC|GMT)\s*$")


def has_offset(values: pd.Series) -> np.ndarray:
    """Which of the given time strings carry an explicit UTC offset (or Z / UTC / GMT)."""
    text = values.astype("string")
    try:
        # Arrow's regex engine matches in C; pandas would call Python's per value (for ``$``).
        # ``\s*`` before the end absorbs a final newline, so both engines agree on ``$``.
        found = pc.match_substring_regex(pa.array(text.array), _OFFSET.pattern)
        return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        return text.str.contains(_OFFSET, na=False).to_numpy(dtype=bool)


ALL_AWARE_HOW = "times carried UTC offsets and were converted to UTC"


def arrow_instants(raw: pd.Series) -> pd.Series | None:
    """UTC instants of a text column in which every value is ISO 8601 with a UTC offset
    (``Z``, ``+HH:MM`` or ``+HHMM``; offsets may differ between rows), parsed and converted by
    Arrow in one C pass; ``None`` as soon as any value is missing, padded, naive or anything
    else, which leaves the column to the careful row-checking path (:func:`parse_instants`).

    Arrow's cast to a zoned timestamp refuses a value without an offset, so a success
    converted every value exactly; the offset pattern of :func:`has_offset` is checked as well
    so that the two paths agree on what counts as an offset (Arrow also takes ``+HH``).
    """
    if raw.dtype.kind in "iufbmM" or isinstance(raw.dtype, pd.DatetimeTZDtype):
        return None
    try:
        values = pa.array(raw.array)
        text = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
        if values.null_count or len(values) == 0 or not text:
            return None
        if not pc.all(pc.match_substring_regex(values, _OFFSET.pattern)).as_py():
            return None
        instants = pc.cast(values, pa.timestamp("us", tz="UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        return None
    return pd.Series(instants.to_pandas(), index=pd.RangeIndex(len(raw))).astype(
        "datetime64[us, UTC]"
    )


def parse_instants(
    raw: pd.Series,
    *,
    tz: str | None,
    field: str,
    default_tz: str | None = None,
    dayfirst: bool = False,
    fmt: str | None = None,
) -> tuple[pd.Series, np.ndarray, str]:
    """Parse time strings to UTC instants.

    Strings with an offset are converted exactly; naive strings are read in ``tz`` (the user's
    ``--tz``) or, failing that, in the format's documented ``default_tz``. Naive strings with
    neither raise :class:`BadInputError`. An explicit ``tz`` never overrides an offset that a
    string carries.

    Returns ``(instants, bad, how)``: UTC instants (NaT where unparseable), a mask of rows whose
    value is present but unparseable, and a sentence saying how the times were read.
    """
    text = raw.astype("string").str.strip()
    present = text.notna().to_numpy() & (text.fillna("") != "").to_numpy()
    aware = has_offset(text) & present
    naive = present & ~aware
    zone = tz or default_tz
    if naive.any() and zone is None:
        first = int(np.flatnonzero(naive)[0])
        raise NaiveTimeError(first, field, str(text.iloc[first]))
    if zone is not None:
        check_time_zone(zone)
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us, UTC]")
    if aware.any():
        parsed = pd.to_datetime(
            text[aware], utc=True, errors="coerce", format=fmt or "ISO8601", dayfirst=dayfirst
        )
        if parsed.isna().any() and fmt is None:
            retry = parsed.isna()
            parsed[retry] = pd.to_datetime(
                text[aware][retry], utc=True, errors="coerce", format="mixed"
            )
        out[aware] = parsed.dt.as_unit("us")
    if naive.any():
        local = pd.to_datetime(
            text[naive], errors="coerce", format=fmt or "ISO8601", dayfirst=dayfirst
        )
        if local.isna().any() and fmt is None:
            retry = local.isna()
            local[retry] = pd.to_datetime(
                text[naive][retry], errors="coerce", format="mixed", dayfirst=dayfirst
            )
        localized = local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
        out[naive] = localized.dt.tz_convert("UTC").dt.as_unit("us")
    bad = present & out.isna().to_numpy()
    if naive.any() and aware.any():
        how = f"times with offsets converted to UTC; times without read in {zone}"
    elif naive.any():
        source = "--tz" if tz else "the format's default"
        how = f"times without offset read in {zone} ({source}) and converted to UTC"
    else:
        how = ALL_AWARE_HOW
    return out, bad, how


def parse_dates(
    raw: pd.Series, *, dayfirst: bool = False, fmt: str | None = None
) -> tuple[pd.Series, np.ndarray]:
    """Parse date strings to date labels (00:00 UTC). Returns ``(labels, bad)``."""
    text = raw.astype("string").str.strip()
    present = text.notna().to_numpy() & (text.fillna("") != "").to_numpy()
    parsed = pd.to_datetime(text, errors="coerce", format=fmt or "mixed", dayfirst=dayfirst)
    labels = parsed.dt.normalize().dt.tz_localize("UTC").dt.as_unit("us")
    bad = present & labels.isna().to_numpy()
    return labels, bad


def epoch_to_instants(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Unix epochs in seconds, milliseconds or microseconds (decided per value) to UTC."""
    num = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    bad = np.isnan(num) & values.notna().to_numpy()
    scale = np.where(num > 1e14, 1.0, np.where(num > 1e11, 1e3, 1e6))  # -> microseconds
    micros = np.where(np.isnan(num), np.nan, np.round(num * scale))
    out = pd.Series(pd.to_datetime(micros, unit="us", utc=True), index=values.index)
    return out.astype("datetime64[us, UTC]"), bad


def check_time_zone(zone: str) -> str:
    """A valid IANA zone name, or :class:`BadInputError` naming ``--tz``."""
    try:
        pd.Timestamp("2020-01-01").tz_localize(zone)
    except Exception as exc:
        raise BadInputError(
            f"unknown time zone {zone!r}; use an IANA name such as America/New_York or UTC",
            field="tz",
        ) from exc
    return zone


class NaiveTimeError(BadInputError):
    """Internal carrier: naive times without a zone. Readers re-raise it with file and line."""

    def __init__(self, position: int, field: str, value: str) -> None:
        self.position = position
        super().__init__(
            f"time {value!r} has no UTC offset; give the time zone it is in with --tz "
            f"(e.g. --tz America/New_York or --tz UTC)",
            field=field,
        )


# --------------------------------------------------------------------------------------------
# Row checks


# The instants leaderlens stores and computes with: pandas' nanosecond timestamps span
# 1677-09-21 to 2262-04-11; a few months' margin each side keeps window, calendar and
# time-zone arithmetic inside that span.
EARLIEST = np.datetime64("1678-01-01", "us")
LATEST = np.datetime64("2262-01-01", "us")


def fail_out_of_range(checker: RowChecker, ts: pd.Series, field: str) -> None:
    """Fail rows whose time (a tz-aware series) is outside [EARLIEST, LATEST)."""
    unit = f"datetime64[{ts.dt.unit}]"
    values = np.asarray(ts.array.asi8)  # no copy; NaT is the smallest int64
    low, high = EARLIEST.astype(unit).astype(np.int64), LATEST.astype(unit).astype(np.int64)
    outside = (values != np.iinfo(np.int64).min) & ((values < low) | (values >= high))
    first, last = EARLIEST.astype("datetime64[D]"), (LATEST - 1).astype("datetime64[D]")
    checker.fail(
        outside,
        field,
        f"time outside the range leaderlens can store and compute with ({first} to {last} UTC)",
    )


class RowChecker:
    """Collects per-row failures of a frame being read, then raises or drops them.

    ``positions`` of the frame are 0..n-1 in the order of the input rows; ``lines`` maps
    them to file lines.
    """

    def __init__(self, source: str, n: int, lines: LineMap, on_bad_rows: str) -> None:
        self.source = source
        self.n = n
        self.lines = lines
        self.on_bad_rows = check_choice("on_bad_rows", on_bad_rows, ON_BAD_ROWS)
        self._bad = np.zeros(n, dtype=bool)
        self._failures: list[tuple[np.ndarray, str, str]] = []

    def fail(self, mask: np.ndarray, field: str, reason: str) -> None:
        """Rows in ``mask`` fail on ``field`` for ``reason`` (first failure per row is kept)."""
        mask = np.asarray(mask, dtype=bool) & ~self._bad
        if mask.any():
            self._failures.append((mask, field, reason))
            self._bad |= mask

    def fail_naive(self, exc: NaiveTimeError) -> None:
        """Re-raise a naive-time error with its file and line (no skip: it is a whole-file fix)."""
        raise BadInputError(
            exc.message, file=self.source, line=self.lines.line(exc.position), field=exc.field
        )

    @property
    def bad(self) -> np.ndarray:
        return self._bad.copy()

    def finish(self) -> tuple[np.ndarray, tuple[Reject, ...]]:
        """Raise the first failure (``error``), or return ``(keep mask, rejects)`` (``skip``)."""
        if not self._bad.any():
            return np.ones(self.n, dtype=bool), ()
        rows: list[tuple[int, str, str]] = []
        for mask, fld, reason in self._failures:
            rows += [(int(p), fld, reason) for p in np.flatnonzero(mask)]
        rows.sort()
        if self.on_bad_rows == "error":
            position, fld, reason = rows[0]
            more = len(rows) - 1
            tail = (
                f" ({more} more bad row{'s' if more > 1 else ''}; fix them or pass "
                f"--on-bad-rows skip to load the rest and list them in a rejects file)"
                if more
                else ""
            )
            raise BadInputError(
                reason + tail, file=self.source, line=self.lines.line(position), field=fld
            )
        rejects = tuple(Reject(self.lines.line(p), f, r) for p, f, r in rows)
        return ~self._bad, rejects


def require_columns(frame: pd.DataFrame, needed: tuple[str, ...], source: str, line: int) -> None:
    """Refuse a table that lacks a needed column, naming it and what is there."""
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise BadInputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}; "
            f"the file has {', '.join(map(repr, map(str, frame.columns)))}",
            file=source,
            line=line,
            field=missing[0],
        )


def numbers(raw: pd.Series, *, decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers (``decimal`` comma allowed). Returns ``(values, bad)``; blanks are NaN."""
    if raw.dtype.kind in "if":
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
        return values, np.zeros(len(raw), dtype=bool)
    fast = _arrow_numbers(raw) if decimal == "." else None
    if fast is not None:
        return fast, np.zeros(len(raw), dtype=bool)
    text = raw.astype("string").str.strip()
    if decimal != ".":
        text = text.str.replace(".", "", regex=False).str.replace(decimal, ".", regex=False)
    blank = text.isna() | (text == "") | text.str.lower().isin(["null", "nan", "none"])
    parsed = pd.to_numeric(text.mask(blank), errors="coerce")
    values = parsed.to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(values) & ~blank.to_numpy(dtype=bool)
    return values, bad


def _arrow_numbers(raw: pd.Series) -> np.ndarray | None:
    """Text that is all plain numbers, parsed by Arrow in one C pass (a column of counts, say);
    ``None`` when any value is blank, padded or anything else, left to the careful path."""
    try:
        values = pa.array(raw.array)
        text = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
        if values.null_count or not text:
            return None
        return np.asarray(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        return None


def dedupe(
    frame: pd.DataFrame,
    key: tuple[str, ...],
    checker: RowChecker,
    positions: np.ndarray,
    what: str,
) -> tuple[pd.DataFrame, str | None]:
    """Drop exact duplicate keys; a key repeated with other values fails its later rows.

    ``positions`` are the input-row positions of ``frame``'s rows. Returns the frame without
    repeats and a note saying how many identical repeats were dropped (or ``None``).
    """
    if len(key) == 1 and _strictly_ordered(frame[key[0]]):
        return frame, None
    dup_key = frame.duplicated(list(key), keep=False).to_numpy()
    if not dup_key.any():
        return frame, None
    exact = frame.duplicated(keep="first").to_numpy()
    later_key = frame.duplicated(list(key), keep="first").to_numpy()
    conflicting = later_key & ~exact
    if conflicting.any():
        mask = np.zeros(checker.n, dtype=bool)
        mask[positions[conflicting]] = True
        first_cols = [c for c in frame.columns if c not in key]
        checker.fail(
            mask,
            key[0],
            f"{what} repeated with different values (columns {', '.join(first_cols)}); "
            f"keep one row per {what}",
        )
    kept = frame[~later_key]
    n = int(exact.sum())
    note = f"{n} identical repeated row{'s' if n != 1 else ''} dropped" if n else None
    return kept, note


def _strictly_ordered(values: pd.Series) -> bool:
    """Whether every value is greater than the one before it, or every value smaller (so none
    repeats: ids exported in order), told by one comparison of neighbours in C (a million
    ids: 3 ms, against 160 ms to hash them); ``False`` when missing values or any other order
    leave it to the hash."""
    try:
        array = pa.array(values)
        if array.null_count or len(array) < 2:
            return array.null_count == 0
        later, earlier = array[1:], array[:-1]
        return bool(
            pc.all(pc.greater(later, earlier)).as_py() or pc.all(pc.less(later, earlier)).as_py()
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        return False
