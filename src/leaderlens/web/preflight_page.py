"""The dashboard's pre-flight box: a form posting a draft's text, and the page showing what
history predicts for it (from :func:`leaderlens.web.api_preflight.preflight_json`, the same
answer the JSON API gives). Every piece of the draft and of past statements is user text and
is escaped; the plot's hover texts too (plotly reads them as HTML).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, urlencode

import pandas as pd

from leaderlens.report.html_parts import definitions, esc, note, num, pct, table
from leaderlens.web.api_preflight import MAX_DRAFT

ANY_CHANNEL = ""


def preflight_url(leader: str, asset: str | None = None) -> str:
    query = f"?{urlencode({'asset': asset})}" if asset else ""
    return f"/leaders/{quote(leader, safe='')}/preflight{query}"


def parse_form(body: bytes) -> dict[str, str]:
    """Fields of an ``application/x-www-form-urlencoded`` body (the last value of each)."""
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {k: v[-1] for k, v in fields.items()}


def preflight_form(
    leader: str,
    asset: str | None,
    channels: list[str],
    text: str = "",
    channel: str = ANY_CHANNEL,
) -> str:
    """The form: the draft's text and, optionally, the channel to compare with."""
    options = "".join(
        f'<option value="{esc(c)}"{" selected" if c == channel else ""}>'
        f"{esc(c) if c else 'any channel'}</option>"
        for c in [ANY_CHANNEL, *channels]
    )
    return (
        f'<form id="preflight-form" method="post" action="{esc(preflight_url(leader, asset))}">'
        f'<p><label for="preflight-text">Draft statement</label><br>'
        f'<textarea id="preflight-text" name="text" rows="4" cols="80" maxlength="{MAX_DRAFT}" '
        f"required>{esc(text)}</textarea></p>"
        f'<p><label for="preflight-channel">Compare with</label> '
        f'<select id="preflight-channel" name="channel">{options}</select> '
        '<button type="submit" id="preflight-submit">Check before posting</button></p>'
        "</form>"
    )


def preflight_result(d: dict[str, Any]) -> str:
    """The check's answer (``Preflight.to_dict()`` as the API gives it) as HTML."""
    facts = {
        "language": d["language"],
        "sentiment": f"{num(d['sentiment'], 2)} ({d['sentiment_label']})",
        "topics": ", ".join(d["topics"]) or "none",
        "asset of the CARs": d["asset"] or "none (CARs not shown)",
        "compared with": d["channel"] or "every channel",
        "similarity": d["similarity"]["method"],
    }
    flags = d["risk_flags"]
    flag_items = (
        "".join(f"<li><b>{esc(f['flag'])}</b>: {esc(f['detail'])}</li>" for f in flags)
        if flags
        else "<li>none</li>"
    )
    alerts = (
        "<p>Alert rules that would fire: " + esc("; ".join(d["alerts"])) + "</p>"
        if d["alerts"]
        else ""
    )
    neighbours = pd.DataFrame(
        d["neighbours"],
        columns=["statement_id", "ts", "channel", "text", "similarity", "car", "car_p", "lift"],
    )
    trust = (
        note("Not backtested: read the range as history, not as a forecast.")
        if d["backtest"] is None
        else note("Backtest: " + "; ".join(t["verdict"] for t in d["backtest"]["targets"]))
    )
    return "\n".join(
        [
            '<section id="preflight-result"><h2>Pre-flight result</h2>',
            f'<pre class="text" id="preflight-draft">{esc(d["text"])}</pre>',
            definitions(facts, "preflight-facts"),
            "<h3>Predicted range</h3>",
            _prediction_table(d["prediction"]),
            trust,
            "<h3>Risk flags</h3>",
            f'<ul id="preflight-flags">{flag_items}</ul>',
            alerts,
            "<h3>Most similar past statements</h3>",
            table(
                neighbours,
                "preflight-neighbours",
                formats={
                    "similarity": lambda v: num(v, 2),
                    "car": pct,
                    "car_p": lambda v: num(v, 3),
                    "lift": lambda v: num(v, 3),
                },
            ),
            *(note(n) for n in d["notes"]),
            "</section>",
        ]
    )


def _prediction_table(prediction: dict[str, dict[str, Any]]) -> str:
    if not prediction:
        return note("No prediction: no similar past statement has a known CAR or lift.")
    # CARs read as percentages, lifts as log points: each row keeps its own unit.
    shown = {"car": ("CAR", pct), "lift": ("attention lift (log points)", lambda v: num(v, 3))}
    rows = []
    for name, p in prediction.items():
        label, fmt = shown.get(name, (name, num))
        rows.append(
            {
                "target": label,
                "low": fmt(p.get("low")),
                "median": fmt(p.get("median")),
                "high": fmt(p.get("high")),
                "level": pct(p.get("level"), 0),
                "similar statements": p.get("n"),
                "source": p.get("source"),
            }
        )
    return table(pd.DataFrame(rows), "preflight-prediction", sortable=False)


def neighbours_figure(d: dict[str, Any]) -> dict[str, Any] | None:
    """The similar statements' CARs by similarity, with the predicted CAR range as lines;
    None when no neighbour has a CAR."""
    points = [n for n in d["neighbours"] if n["car"] is not None]
    if not points:
        return None
    shapes = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": d["prediction"]["car"][q],
            "y1": d["prediction"]["car"][q],
            "line": {"dash": "dot" if q != "median" else "solid", "color": "orange"},
        }
        for q in ("low", "median", "high")
        if "car" in d["prediction"] and d["prediction"]["car"].get(q) is not None
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "x": [n["similarity"] for n in points],
                "y": [n["car"] for n in points],
                "hovertext": [esc(f"{n['ts'][:10]} {n['channel']}: {n['text']}") for n in points],
                "hoverinfo": "text+y",
                "name": "similar statements",
            }
        ],
        "layout": {
            "title": {"text": "CAR of similar past statements (predicted range in orange)"},
            "xaxis": {"title": {"text": "similarity to the draft"}},
            "yaxis": {"title": {"text": "CAR"}, "tickformat": ".1%"},
            "shapes": shapes,
            "height": 320,
        },
    }
