"""The report's pictures as plotly figures, and their safe embedding in HTML.

Every piece of user text that enters a figure (statement text in hover labels, leader and asset
names in titles) is HTML-escaped first: plotly renders a subset of HTML in labels. The figure
JSON is embedded with ``<``, ``>`` and ``&`` written as ``\\u003c`` ... so no text can close the
``<script>`` element it lives in.
"""

from __future__ import annotations

import html
import json
from typing import Any

import numpy as np
import pandas as pd

HOVER_CHARS = 160  # hover labels show the start of a statement; the table has the rest

_JS_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def escaped(text: Any, limit: int | None = None) -> str:
    """HTML-escaped text, cut to ``limit`` characters (with an ellipsis) before escaping."""
    value = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    return html.escape(value, quote=True)


def timeline_figure(
    statements: pd.DataFrame,
    prices: pd.DataFrame,
    asset: str,
    leader: str,
    attention: pd.DataFrame | None = None,
) -> Any:
    """Closing price of ``asset`` with one marker per statement at the last close at or before
    it (hover: time, channel, sentiment when annotated, the statement's start), and, when
    given, an attention series (``ts``, ``value``) on a second axis."""
    import plotly.graph_objects as go

    px = prices.assign(ts=pd.to_datetime(prices["ts"], utc=True)).sort_values("ts")
    st = statements.assign(ts=pd.to_datetime(statements["ts"], utc=True)).sort_values("ts")
    placed = pd.merge_asof(st, px[["ts", "close"]], on="ts", direction="backward")
    placed["close"] = placed["close"].fillna(px["close"].iloc[0] if len(px) else np.nan)
    texts = placed["text"].map(lambda t: escaped(t, HOVER_CHARS))
    channel = placed["channel"].astype(str).map(escaped)
    when = placed["ts"].dt.strftime("%Y-%m-%d %H:%M UTC")
    hover = when + " · " + channel + "<br>" + texts
    if "sentiment" in placed:
        tone = placed["sentiment"].map(lambda v: "" if pd.isna(v) else f" · sentiment {v:+.2f}")
        hover = when + " · " + channel + tone + "<br>" + texts
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=px["ts"], y=px["close"], mode="lines", name=escaped(asset)))
    for name, part in placed.groupby(channel, sort=True):
        fig.add_trace(
            go.Scatter(
                x=part["ts"],
                y=part["close"],
                mode="markers",
                marker={"size": 6, "opacity": 0.7},
                name=str(name),
                hovertext=hover.loc[part.index].tolist(),
                hoverinfo="text",
            )
        )
    if attention is not None and len(attention):
        label = escaped(attention.attrs.get("label", "attention"))
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(attention["ts"], utc=True),
                y=attention["value"],
                mode="lines",
                name=label,
                yaxis="y2",
                line={"width": 1, "color": "rgba(120,120,120,0.6)"},
            )
        )
        fig.update_layout(yaxis2={"title": label, "overlaying": "y", "side": "right"})
    fig.update_layout(
        title=f"Statements of {escaped(leader)} over the price of {escaped(asset)}",
        xaxis_title="time (UTC)",
        yaxis_title="close",
        template="plotly_white",
        height=460,
        legend={"orientation": "h", "y": -0.18},
    )
    return fig


def comparison_figure(paths: dict[str, pd.DataFrame], returns: str) -> Any:
    """Each leader's CAAR by relative bar, side by side."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for leader, band in paths.items():
        fig.add_trace(
            go.Scatter(
                x=band["bar"],
                y=band["caar"],
                mode="lines+markers",
                name=escaped(leader),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (band["high"] - band["caar"]).tolist(),
                    "arrayminus": (band["caar"] - band["low"]).tolist(),
                },
            )
        )
    fig.add_hline(y=0, line={"color": "grey", "width": 1})
    fig.update_layout(
        title="CAAR by leader (95% band)",
        xaxis_title="bar relative to day 0",
        yaxis_title=f"CAAR ({escaped(returns)} returns)",
        yaxis_tickformat=".2%",
        template="plotly_white",
        height=380,
    )
    return fig


def event_window_figure(
    prices: pd.DataFrame, day0: pd.Timestamp, window: tuple[int, int], asset: str, pad: int = 10
) -> dict[str, Any]:
    """Closing price from ``pad`` bars before to ``pad`` bars after day 0, the event window
    shaded: a plotly figure specification (a plain dict: pages draw many, fast)."""
    ts = pd.to_datetime(prices["ts"], utc=True)
    k0 = int(ts.searchsorted(day0, side="left"))
    lo, hi = max(k0 + window[0] - pad, 0), min(k0 + window[1] + pad + 1, len(ts))
    x = ts.iloc[lo:hi].dt.strftime("%Y-%m-%d").tolist()
    y = prices["close"].iloc[lo:hi].astype(float).tolist()
    shapes = []
    first, last = max(k0 + window[0], 0), min(k0 + window[1], len(ts) - 1)
    if len(ts) and first <= last:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": ts.iloc[first].strftime("%Y-%m-%d"),
                "x1": ts.iloc[last].strftime("%Y-%m-%d"),
                "y0": 0,
                "y1": 1,
                "fillcolor": "orange",
                "opacity": 0.2,
                "line": {"width": 0},
            }
        )
    return {
        "data": [{"type": "scatter", "x": x, "y": y, "mode": "lines+markers", "name": "close"}],
        "layout": {
            "title": {"text": f"{escaped(asset)} around the event (window {list(window)} shaded)"},
            "xaxis": {"title": {"text": "session (UTC)"}},
            "yaxis": {"title": {"text": "close"}},
            "shapes": shapes,
            "template": {"layout": {"plot_bgcolor": "white"}},
            "height": 340,
        },
    }


def figure_div(fig: Any, div_id: str) -> str:
    """A ``<div>`` and the script drawing ``fig`` (a plotly figure or its specification as a
    dict) into it with the page's plotly (offline: no network, no logo link)."""
    spec = fig if isinstance(fig, dict) else json.loads(fig.to_json())
    config = {"displaylogo": False, "responsive": True, "showLink": False}
    payload = json.dumps(
        {"data": spec.get("data", []), "layout": spec.get("layout", {}), "config": config},
        ensure_ascii=False,
        separators=(",", ":"),
    ).translate(_JS_ESCAPES)
    safe_id = escaped(div_id)
    return (
        f'<div id="{safe_id}" class="plot"></div>\n'
        f"<script>(function(){{var s={payload};"
        f'Plotly.newPlot("{safe_id}",s.data,s.layout,s.config);}})();</script>'
    )
