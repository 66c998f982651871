"""Terminal rendering of results (rich tables). No computing here."""

from __future__ import annotations

import pandas as pd
from rich.table import Table

from leaderlens.store.summary import WorkspaceSummary


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    if isinstance(value, pd.Timestamp):
        return (
            value.strftime("%Y-%m-%d %H:%M:%S")
            if value.hour or value.minute or value.second
            else value.strftime("%Y-%m-%d")
        )
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def frame_table(title: str, frame: pd.DataFrame, columns: dict[str, str]) -> Table:
    """A rich table of ``frame``'s ``columns`` (name -> header); numbers right-aligned."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for name, header in columns.items():
        numeric = pd.api.types.is_numeric_dtype(frame[name]) if name in frame else False
        table.add_column(header, justify="right" if numeric else "left")
    for row in frame.astype(object).itertuples(index=False):
        record = row._asdict()
        table.add_row(*(_cell(record[name]) for name in columns))
    return table


def summary_tables(summary: WorkspaceSummary) -> list[Table]:
    """The ``leaderlens ls`` view: one table per kind of thing, times in UTC."""
    tables = [
        frame_table(
            f"Leaders ({summary.path})",
            summary.leaders,
            {
                "leader_id": "leader",
                "name": "name",
                "statements": "statements",
                "first": "first (UTC)",
                "last": "last (UTC)",
                "channels": "channels",
            },
        ),
        frame_table(
            "Brands",
            summary.brands,
            {
                "brand_id": "brand",
                "name": "name",
                "brand_posts": "brand posts",
                "mentions": "mentions",
                "first": "first (UTC)",
                "last": "last (UTC)",
            },
        ),
        frame_table(
            "Assets",
            summary.assets,
            {
                "asset_id": "asset",
                "calendar": "calendar",
                "benchmark_id": "benchmark",
                "freq": "freq",
                "bars": "bars",
                "first": "first (UTC)",
                "last": "last (UTC)",
                "missing": "missing bars",
            },
        ),
        frame_table(
            "Attention series",
            summary.attention,
            {
                "subject_id": "of",
                "metric": "metric",
                "freq": "freq",
                "points": "points",
                "first": "first (UTC)",
                "last": "last (UTC)",
                "missing": "missing",
            },
        ),
    ]
    return [t for t in tables if t.row_count] or tables[:1]
