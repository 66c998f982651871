"""Factor files for the factor model: the Fama-French daily CSV, or a generic table.

Fama-French files (as distributed: a few lines of description, a header starting with a comma,
``YYYYMMDD`` dates, values in *percent*, and later sections such as annual factors) are read up
to the first blank line after the data and divided by 100. A generic file has a date column and
one column per factor, as fractions. A column named ``RF`` is the risk-free rate: the factor
model then explains excess returns ``R - RF`` (METHODS section 2).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.readers.base import numbers, parse_dates, read_text

_FF_HEADER = re.compile(r"^\s*,\s*Mkt-RF\s*,", re.IGNORECASE)


def read_factors(path: str | Path, *, encoding: str = "utf-8") -> tuple[pd.DataFrame, str]:
    """Factors by date: a frame with ``ts`` (date label, 00:00 UTC) and one float column per
    factor (``RF`` included when present), and a sentence saying how the file was read."""
    text = read_text(path, encoding)
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if _FF_HEADER.match(line)), None)
    source = str(path)
    if header is not None:
        end = next((i for i in range(header + 1, len(lines)) if not lines[i].strip()), len(lines))
        body = "\n".join(["date" + lines[header].strip(), *lines[header + 1 : end]])
        frame = pd.read_csv(io.StringIO(body), dtype=str, skipinitialspace=True)
        scale, how = 0.01, "Fama-French layout: values in percent, divided by 100"
        first_line = header + 2
        date_format: str | None = "%Y%m%d"
    else:
        frame = pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True)
        scale, how = 1.0, "generic layout: values taken as fractions"
        first_line = 2
        date_format = None
    frame.columns = [str(c).strip() for c in frame.columns]
    date_col = frame.columns[0]
    ts, bad = parse_dates(frame[date_col], fmt=date_format)
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise BadInputError(
            f"unparseable date {frame[date_col].iloc[at]!r}",
            file=source,
            line=first_line + at,
            field=date_col,
        )
    out = pd.DataFrame({"ts": ts})
    for column in frame.columns[1:]:
        values, bad = numbers(frame[column])
        if bad.any() or np.isnan(values).any():
            at = int(np.flatnonzero(bad | np.isnan(values))[0])
            raise BadInputError(
                f"not a number: {frame[column].iloc[at]!r}",
                file=source,
                line=first_line + at,
                field=column,
            )
        out[column] = values * scale
    if len(out.columns) < 2:
        raise BadInputError("no factor columns after the date", file=source, field="factors")
    if out["ts"].duplicated().any():
        at = int(np.flatnonzero(out["ts"].duplicated().to_numpy())[0])
        raise BadInputError("date repeated", file=source, line=first_line + at, field=date_col)
    return out.sort_values("ts", ignore_index=True), how
