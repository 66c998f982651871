"""HTML building blocks shared by the report and the dashboard: escaped by default.

Every cell, heading and attribute goes through :func:`html.escape`; the only markup that is
not escaped is the markup written here. Tables sort when a header is clicked (a few lines of
inline JavaScript, no library), on the ``data-v`` value of each cell.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

Formatter = Callable[[Any], str]

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1200px;padding:1rem 2rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.sub{color:#666;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:10rem}
.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{cursor:pointer;background:#f6f6f6;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{max-height:32rem;overflow:auto;border:1px solid #eee}
.note{background:#fff8e1;border-left:4px solid #f0c000;padding:.5rem 1rem}
.ok{color:#17803d}.bad{color:#b3261e}
.plot{min-height:340px}
pre.text{white-space:pre-wrap;background:#f6f6f6;padding:.6rem;border-radius:4px}
"""

SORT_SCRIPT = """
document.addEventListener("click",function(e){
 var th=e.target.closest("th");if(!th||!th.closest("table.sortable"))return;
 var table=th.closest("table"),body=table.tBodies[0],i=th.cellIndex;
 var asc=th.getAttribute("data-dir")!=="asc";th.setAttribute("data-dir",asc?"asc":"desc");
 var rows=Array.prototype.slice.call(body.rows);
 rows.sort(function(a,b){
  var x=a.cells[i].getAttribute("data-v"),y=b.cells[i].getAttribute("data-v");
  var fx=parseFloat(x),fy=parseFloat(y),c;
  if(!isNaN(fx)&&!isNaN(fy)){c=fx-fy}else{c=String(x).localeCompare(String(y))}
  return asc?c:-c});
 rows.forEach(function(r){body.appendChild(r)});
});
"""


def esc(value: Any) -> str:
    """Escaped text of any value (None and NaN as an empty string)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def pct(value: Any, digits: int = 2) -> str:
    return "" if _missing(value) else f"{float(value):.{digits}%}"


def num(value: Any, digits: int = 4) -> str:
    return "" if _missing(value) else f"{float(value):.{digits}f}"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list | tuple | dict | np.ndarray):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def table(
    frame: pd.DataFrame,
    table_id: str,
    formats: Mapping[str, Formatter] | None = None,
    links: pd.Series | None = None,
    link_column: str | None = None,
    sortable: bool = True,
) -> str:
    """An escaped HTML table of ``frame`` (columns in order, index dropped).

    ``formats`` maps a column to a function giving its shown text (the sort value stays the
    raw value); ``links`` (aligned with ``frame``'s rows) turns the ``link_column`` cells into
    links to those (escaped) addresses.
    """
    formats = formats or {}
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    body: list[str] = []
    hrefs = links.tolist() if links is not None else None
    for r, row in enumerate(frame.itertuples(index=False)):
        cells = []
        for col, value in zip(frame.columns, row, strict=True):
            shown = formats[col](value) if col in formats else _default(value)
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            sort = "" if _missing(value) else value
            content = esc(shown)
            if hrefs is not None and col == link_column:
                content = f'<a href="{esc(hrefs[r])}">{content}</a>'
            klass = ' class="n"' if numeric else ""
            cells.append(f'<td{klass} data-v="{esc(sort)}">{content}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    klass = "sortable" if sortable else ""
    return (
        f'<div class="scroll"><table id="{esc(table_id)}" class="{klass}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def definitions(items: Mapping[str, Any], table_id: str) -> str:
    """A two-column table of names and values (values as text, escaped)."""
    rows = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(_default(v))}</td></tr>" for k, v in items.items()
    )
    return f'<table id="{esc(table_id)}"><tbody>{rows}</tbody></table>'


def cards(items: Mapping[str, str]) -> str:
    """Headline figures as cards (labels and values escaped)."""
    inner = "".join(
        f'<div class="card">{esc(label)}<b>{esc(value)}</b></div>' for label, value in items.items()
    )
    return f'<div class="cards">{inner}</div>'


def note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def page(title: str, body: str, head_scripts: str = "") -> str:
    """A whole HTML page: escaped title, shared style, the sort script, ``body`` as given."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style>{head_scripts}</head>"
        f"<body>{body}<script>{SORT_SCRIPT}</script></body></html>\n"
    )


def _default(value: Any) -> str:
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)
