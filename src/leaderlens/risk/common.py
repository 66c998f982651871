"""What the risk results share: the HTML view of a result for notebooks."""

from __future__ import annotations

import html

import pandas as pd


def result_html(summary: str, frame: pd.DataFrame, max_rows: int = 20) -> str:
    """A result's summary and the head of its tidy frame as escaped HTML (statement text is
    user data, so pandas' escaping stays on)."""
    table = frame.head(max_rows).to_html(index=False, escape=True, na_rep="")
    return f"<pre>{html.escape(summary)}</pre>{table}"
