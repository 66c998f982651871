"""The HTML report (offline, self-contained plots) and the JSON / CSV / Parquet exports.

:func:`build_report` gathers a leader's analyses through the public API and writes the report;
:func:`gather_report` returns the gathered :class:`ReportContent` for other renderings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leaderlens.errors import check_choice
from leaderlens.options import REPORT_FORMATS
from leaderlens.report.content import ReportContent, StudyOptions, default_asset, gather_report
from leaderlens.report.exports import report_dict, report_tables, write_tables
from leaderlens.report.page import render_report


def build_report(
    ws: Any,
    leader: str,
    out: str | Path,
    *,
    asset: str | None = None,
    format: str = "html",
    options: StudyOptions | None = None,
    tables: str | Path | None = None,
    table_formats: tuple[str, ...] = ("csv", "json"),
) -> ReportContent:
    """Write the report of ``leader`` (on ``asset``, default the company's stock) to ``out``
    as one self-contained HTML file or a JSON document; with ``tables``, also every table
    into that folder. Returns what the report holds."""
    import json

    check_choice("format", format, REPORT_FORMATS)
    content = gather_report(ws, leader, asset, options)
    target = Path(out)
    if format == "html":
        target.write_text(render_report(content), encoding="utf-8")
    else:
        text = json.dumps(report_dict(content), indent=1, ensure_ascii=False, default=str)
        target.write_text(text + "\n", encoding="utf-8")
    if tables is not None:
        write_tables(content, tables, table_formats)
    return content


__all__ = [
    "REPORT_FORMATS",
    "ReportContent",
    "StudyOptions",
    "build_report",
    "default_asset",
    "gather_report",
    "render_report",
    "report_dict",
    "report_tables",
    "write_tables",
]
