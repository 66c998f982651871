"""What the risk results share: the HTML view of a result for notebooks, JSON-safe scalars."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd


def result_html(summary: str, frame: pd.DataFrame, max_rows: int = 20) -> str:
    """A result's summary and the head of its tidy frame as escaped HTML (statement text is
    user data, so pandas' escaping stays on)."""
    table = frame.head(max_rows).to_html(index=False, escape=True, na_rep="")
    return f"<pre>{html.escape(summary)}</pre>{table}"


def json_value(v: Any) -> Any:
    """A scalar as plain JSON: NumPy numbers as Python ones, NaN and infinities as None."""
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return float(v) if np.isfinite(v) else None
    return v
