"""Field parsers shared by the text readers: times, counts, ids, text, stable row ids.

Each parser takes one raw column (text from CSV/JSON, typed from Parquet or a frame), parses it
vectorised, reports failing rows to the :class:`~leaderlens.readers.base.RowChecker` and returns
the canonical column. Positions are the table's row positions (``RangeIndex``).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from leaderlens.readers.base import (
    NaiveTimeError,
    RowChecker,
    epoch_to_instants,
    epoch_unit,
    fail_out_of_range,
    has_offset,
    numbers,
    parse_instants,
)

# X (Twitter) ids since November 2010 are "snowflakes": milliseconds since this epoch in the
# bits above 22. Reference: X developer docs, "Twitter IDs" (developer.x.com/en/docs/
# twitter-ids); the epoch is 2010-11-04 01:42:54.657 UTC.
SNOWFLAKE_EPOCH_MS = 1288834974657
# The last sequential (pre-snowflake) status ids were about 2.97e10; any snowflake minted more
# than ~7 s after the epoch is larger, so ids below this bound carry no time.
SNOWFLAKE_MIN_ID = 30_000_000_000
_MAX_ID_TEXT = str(np.iinfo(np.int64).max)
_PER_VALUE_LIMIT = 50  # name the offending value in each reason while there are few of them
_X_CREATED_AT = r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$"
_EPOCH = r"^\d{9,16}(?:\.\d+)?$"
# Entities decoded without html.unescape, in this order ("&amp;" last: one pass semantics).
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&amp;": "&"}


def as_text(raw: pd.Series) -> pd.Series:
    """Any column as pandas ``string`` values, missing as ``<NA>``; text kept exactly.

    Integral floats (a count or an id in a float column because of missing values) are written
    without ``.0`` when they are exact (below 2**53); other floats keep their repr, so an id that
    lost precision is refused by the id parser instead of silently changed.
    """
    if ptypes.is_bool_dtype(raw.dtype):
        out = raw.astype("string").str.lower()
    elif ptypes.is_float_dtype(raw.dtype):
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
        out = raw.astype("string")
        exact = np.isfinite(values) & (np.abs(values) < 2.0**53)
        exact[exact] = values[exact] == np.floor(values[exact])
        out[exact] = values[exact].astype(np.int64).astype(str)
    else:
        out = raw.astype("string")
    return out.reset_index(drop=True)


def blank(text: pd.Series) -> np.ndarray:
    """Missing or whitespace-only values."""
    return (text.isna() | (text.str.strip() == "")).to_numpy(dtype=bool)


def optional_text(raw: pd.Series) -> pd.Series:
    """A free-text field (url, language, author): stripped, blanks as ``<NA>``."""
    text = as_text(raw).str.strip()
    return text.mask(text == "")


def fail_values(
    checker: RowChecker,
    mask: np.ndarray,
    field: str,
    values: pd.Series,
    reason: Callable[[str], str],
    generic: str,
) -> None:
    """Fail rows in ``mask``, naming each row's value while few distinct values fail."""
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    if not rows.size:
        return
    codes, distinct = pd.factorize(values.iloc[rows].astype("string").fillna(""))
    if len(distinct) > _PER_VALUE_LIMIT:
        checker.fail(np.asarray(mask, dtype=bool), field, generic)
        return
    for k, value in enumerate(distinct):
        one = np.zeros(len(mask), dtype=bool)
        one[rows[codes == k]] = True
        checker.fail(one, field, reason(str(value)))


# --------------------------------------------------------------------------------------------
# Times


def parse_times(
    raw: pd.Series, *, tz: str | None, field: str, checker: RowChecker
) -> tuple[pd.Series, str]:
    """Instants (``datetime64[us, UTC]``) from a time column, and how they were read.

    Accepted: ISO 8601 strings with or without offset (naive ones need ``tz``), the X API's
    ``Wed Sep 28 20:22:46 +0000 2022``, Unix epochs (numbers, or digit strings, in s/ms/us),
    and typed datetime columns from Parquet or a frame. Empty or unparseable values fail their
    row. In a file whose times carry offsets, a time without one is a bad row (typically a
    truncated or hand-edited line), not a reason to ask for ``--tz``.
    Times outside :data:`~leaderlens.readers.base.EARLIEST` .. ``LATEST`` fail their row.
    """
    out, how = _parse_times(raw, tz=tz, field=field, checker=checker)
    fail_out_of_range(checker, out, field)
    return out, how


def _parse_times(
    raw: pd.Series, *, tz: str | None, field: str, checker: RowChecker
) -> tuple[pd.Series, str]:
    raw = raw.reset_index(drop=True)
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        out = raw.dt.tz_convert("UTC").dt.as_unit("us")
        how = "times carried a time zone and were converted to UTC"
    elif ptypes.is_datetime64_dtype(raw.dtype):
        out, how = _localize(raw, tz, field, checker)
    elif ptypes.is_numeric_dtype(raw.dtype) and not ptypes.is_bool_dtype(raw.dtype):
        out, _ = epoch_to_instants(raw)
        how = f"times are Unix epochs (UTC) in {epoch_unit(raw)}, the unit judged by size"
    else:
        text = as_text(raw).str.strip()
        present = ~blank(text)
        # A column is read in the layout most of its values have; the others fail their row.
        epoch = text.str.fullmatch(_EPOCH).fillna(False).to_numpy(dtype=bool)
        x_style = text.str.fullmatch(_X_CREATED_AT).fillna(False).to_numpy(dtype=bool)
        if 2 * epoch.sum() > present.sum():
            out, _ = epoch_to_instants(text.mask(~epoch))
            unit = epoch_unit(text.mask(~epoch))
            how = f"times are Unix epochs (UTC) in {unit}, the unit judged by size"
        elif 2 * x_style.sum() > present.sum():
            out = pd.to_datetime(
                text.mask(~x_style), format="%a %b %d %H:%M:%S %z %Y", utc=True, errors="coerce"
            ).dt.as_unit("us")
            how = "times in the X format ('Wed Sep 28 20:22:46 +0000 2022'), converted to UTC"
        else:
            out, how = _parse_strings(text, present, tz, field, checker)
        unparsed = present & out.isna().to_numpy()
        fail_values(
            checker,
            unparsed,
            field,
            text,
            lambda v: f"unparseable time {v!r}",
            "unparseable time",
        )
        checker.fail(~present, field, "empty time")
        return out.astype("datetime64[us, UTC]"), how
    checker.fail(out.isna().to_numpy(), field, "empty time")
    return out.astype("datetime64[us, UTC]"), how


def _parse_strings(
    text: pd.Series, present: np.ndarray, tz: str | None, field: str, checker: RowChecker
) -> tuple[pd.Series, str]:
    try:  # the common case: every time has an offset, or --tz says where naive ones are
        out, _, how = parse_instants(text, tz=tz, field=field)
        return out, how
    except NaiveTimeError as exc:
        naive_error = exc
    aware = has_offset(text) & present
    naive = present & ~aware
    if aware.sum() <= naive.sum():
        checker.fail_naive(naive_error)  # a file of naive times: the user must say the zone
    # A few naive values among times with offsets are bad rows, not a reason to ask for --tz.
    # One that is no time at all is simply unparseable; one that is a time lacks the offset.
    as_time = pd.to_datetime(text.mask(~naive), errors="coerce", format="mixed")
    nonsense = naive & as_time.isna().to_numpy()
    fail_values(
        checker, nonsense, field, text, lambda v: f"unparseable time {v!r}", "unparseable time"
    )
    fail_values(
        checker,
        naive,
        field,
        text,
        lambda v: (
            f"time {v!r} has no UTC offset although the file's other times do "
            f"(a truncated or edited row?)"
        ),
        "time without UTC offset although the file's other times have one",
    )
    out, _, how = parse_instants(text.mask(naive), tz=tz, field=field)
    return out, how


def _localize(
    raw: pd.Series, tz: str | None, field: str, checker: RowChecker
) -> tuple[pd.Series, str]:
    present = raw.notna().to_numpy()
    if tz is None:
        if present.any():
            first = int(np.flatnonzero(present)[0])
            checker.fail_naive(NaiveTimeError(first, field, str(raw.iloc[first])))
        return raw.dt.tz_localize("UTC").dt.as_unit("us"), "no times"
    local = raw.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    gone = present & local.isna().to_numpy()
    checker.fail(gone, field, f"time does not exist or is ambiguous in {tz} (a DST change)")
    return local.dt.tz_convert("UTC").dt.as_unit("us"), (
        f"times without offset read in {tz} (--tz) and converted to UTC"
    )


def snowflake_instants(ids: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """UTC instants decoded from X snowflake ids (``Int64``), and which ids carry no time.

    ``ms = (id >> 22) + 1288834974657`` (X developer docs, "Twitter IDs"); millisecond
    precision. Ids before the snowflake scheme (November 2010) carry no time.
    """
    values = ids.to_numpy(dtype="float64", na_value=np.nan)
    valid = ~np.isnan(values) & (values >= SNOWFLAKE_MIN_ID)
    exact = ids.to_numpy(dtype="int64", na_value=0)
    ms = np.where(valid, (exact >> 22) + SNOWFLAKE_EPOCH_MS, 0)
    out = pd.Series(pd.to_datetime(ms, unit="ms", utc=True)).astype("datetime64[us, UTC]")
    out[~valid] = pd.NaT
    return out, ~valid


# --------------------------------------------------------------------------------------------
# Numbers and ids


def parse_counts(raw: pd.Series, *, field: str, checker: RowChecker) -> pd.Series:
    """Non-negative whole counts (likes, reposts, ...) as ``Int64``; blanks are ``<NA>``.

    A typed number column (Parquet, a frame) is taken as numbers; only text is parsed (writing
    numbers out as text to parse them back gave the same values, slowly)."""
    if raw.dtype.kind in "if":
        values, _ = numbers(raw)
    else:
        text = as_text(raw)
        values, bad = numbers(text)
        fail_values(
            checker,
            bad,
            field,
            text,
            lambda v: f"{field} {v!r} is not a number",
            f"{field} is not a number",
        )
    finite = np.isfinite(values)
    checker.fail(finite & (values < 0), field, f"negative {field} count")
    checker.fail(finite & (values != np.floor(values)), field, f"{field} is not a whole count")
    checker.fail(~finite & ~np.isnan(values), field, f"{field} is not a finite number")
    ok = finite & (values >= 0) & (values == np.floor(values))
    return pd.Series(pd.arrays.IntegerArray(np.where(ok, values, 0).astype(np.int64), ~ok))


def parse_ids(raw: pd.Series, *, field: str, checker: RowChecker) -> pd.Series:
    """Whole-number ids (tweet ids) as ``Int64``, exact to the last digit; blanks ``<NA>``."""
    text = as_text(raw).str.strip()
    present = ~blank(text)
    digits = text.str.fullmatch(r"\d{1,19}").fillna(False).to_numpy(dtype=bool)
    # 19 digits may overflow int64; strings of equal length compare like the numbers.
    # (Each part is made plain booleans first: "or" of two Arrow columns with gaps fails.)
    short = (text.str.len() < 19).fillna(False).to_numpy(dtype=bool)
    small = (text <= _MAX_ID_TEXT).fillna(False).to_numpy(dtype=bool)
    fits = digits & (short | small)
    fail_values(
        checker,
        present & ~fits,
        field,
        text,
        lambda v: f"{field} {v!r} is not a whole number (an id stored as a float loses digits)",
        f"{field} is not a whole number",
    )
    return text.where(fits).astype("Int64")


def parse_flags(raw: pd.Series, *, field: str, checker: RowChecker) -> pd.Series:
    """Yes/no values (true/false, 1/0, yes/no) as ``boolean``; blanks ``<NA>``."""
    text = as_text(raw).str.strip().str.lower()
    truth = text.isin(["true", "1", "yes", "y", "t"]).to_numpy(dtype=bool)
    false = text.isin(["false", "0", "no", "n", "f"]).to_numpy(dtype=bool)
    bad = ~blank(text) & ~truth & ~false
    checker.fail(bad, field, f"{field} must be true or false")
    out = pd.Series(pd.array(truth, dtype="boolean"))
    return out.mask(~(truth | false))


# --------------------------------------------------------------------------------------------
# Text and row ids


def unescape_html(text: pd.Series) -> tuple[pd.Series, int]:
    """HTML entities decoded as :func:`html.unescape` does (``&amp;`` -> ``&``); X escapes
    ``&``, ``<`` and ``>`` in every text it serves. Returns the texts and how many changed.

    Values whose every ``&`` starts one of the common entities are decoded with vectorised
    replacements (``&amp;`` last, so ``&amp;lt;`` stays ``&lt;``, as in one pass); only values
    holding another ``&`` go through :func:`html.unescape` one by one.
    """
    text = text.reset_index(drop=True)
    amps = text.str.count("&").fillna(0).to_numpy(dtype=np.int64)
    if not amps.any():
        return text, 0
    known = sum(text.str.count(entity).fillna(0).to_numpy(dtype=np.int64) for entity in _ENTITIES)
    simple = (amps > 0) & (known == amps)
    other = (amps > 0) & ~simple
    out = text.copy()
    if simple.any():
        decoded = text[simple]
        for entity, char in _ENTITIES.items():
            decoded = decoded.str.replace(entity, char, regex=False)
        out[simple] = decoded
    if other.any():
        out[other] = text[other].map(html.unescape).astype("string")
    changed = int((out != text).fillna(False).sum())
    return out, changed


def stable_ids(parts: list[pd.Series], prefix: str) -> pd.Series:
    """A stable id per row from its parts (``prefix`` + 20 hex digits of BLAKE2b).

    The same row gives the same id in every session and library version, so loading a file
    twice adds nothing. Hashing is per row by necessity (``hashlib`` has no vector form; a
    pandas hash is not promised stable across versions, and these ids are stored).
    """

    def clean(part: pd.Series) -> pd.Series:
        return part.astype("string").fillna("").reset_index(drop=True)  # align by position

    joined = clean(parts[0])
    for part in parts[1:]:
        joined = joined.str.cat(clean(part), sep="\x1f")
    digests = [
        prefix + hashlib.blake2b(value.encode("utf-8"), digest_size=10).hexdigest()
        for value in joined.to_numpy(dtype=object)
    ]
    return pd.Series(digests, dtype="string")


def instant_key(ts: pd.Series) -> pd.Series:
    """An instant as integer microseconds since the epoch (as text), for hashing."""
    micros = ts.astype("datetime64[us, UTC]").to_numpy(dtype="datetime64[us]").astype(np.int64)
    out = pd.Series(micros.astype(str), index=ts.index, dtype="string")
    return out.mask(ts.isna().to_numpy())
