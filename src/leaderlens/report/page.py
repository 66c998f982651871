"""The self-contained HTML report of one leader (``leaderlens report``).

One file that opens offline: plotly's JavaScript is embedded once in the page head and every
figure is drawn by a small script with its data; nothing is fetched from the network. Sections:
headline, timeline, event study (CAAR with band, per-event table, test battery, split by
channel), planted effects recovered (demo world), persona, comparison, brand attention
(amplification, playbook, share of voice, lead-lag), sections not available yet, methods appendix.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd

from leaderlens.report.attention_page import attention_section
from leaderlens.report.content import ReportContent
from leaderlens.report.figures import comparison_figure, figure_div, timeline_figure
from leaderlens.report.html_parts import (
    cards,
    definitions,
    esc,
    note,
    num,
    page,
    pct,
    table,
)
from leaderlens.report.market import largest_moments, market_section
from leaderlens.report.moments import moments_section
from leaderlens.report.risk import comparison_html

EVENT_COLUMNS = [
    "label",
    "time",
    "day0",
    "channel",
    "n_statements",
    "aligned",
    "car",
    "car_t",
    "car_p",
    "excluded",
]


@cache
def plotly_js() -> str:
    """plotly.js, minified, as shipped with the installed plotly (embedded once per report)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def plotly_script_tag() -> str:
    # A literal "</script" cannot occur in minified plotly.js strings, but guard it anyway.
    return "<script>" + plotly_js().replace("</script", "<\\/script") + "</script>"


def render_report(content: ReportContent) -> str:
    """The report as one HTML document."""
    leader = content.leader
    asset = content.asset
    title = f"leaderlens report: {leader['name']} ({leader['leader_id']}) on {asset['asset_id']}"
    sections = [
        f"<h1>{esc(leader['name'])} on {esc(asset['asset_id'])}</h1>",
        f'<p class="sub">{esc(leader["company"])} · {esc(asset.get("name"))} · data '
        f"{esc(_range_text(content))}</p>",
        _headline(content),
        _timeline(content),
        _study(content),
        _largest(content),
        market_section(content),
        moments_section(content.moments, content.notes),
        _recovered(content),
        _persona(content),
        _comparison(content),
        attention_section(content.brand_attention, content.notes),
        _risk(content),
        _pending(content),
        _methods(content),
    ]
    return page(title, "\n".join(s for s in sections if s), plotly_script_tag())


def _range_text(content: ReportContent) -> str:
    r = content.data_range
    return (
        f"statements {r['statements_first']} to {r['statements_last']}, "
        f"prices {r['prices_first']} to {r['prices_last']}"
    )


def _headline(content: ReportContent) -> str:
    h = content.headline()
    ci = h["caar_t_ci"]
    items = {
        "statements": f"{h['statements']:,}",
        "events studied": f"{h['events_studied']:,} of {h['events']:,}",
        f"CAAR {h['window']}": pct(h["caar"]) or "n/a",
        f"{(h['caar_ci_level'] or 0.95):.0%} bootstrap-t CI": (
            f"[{pct(ci[0])}, {pct(ci[1])}]" if ci else "n/a"
        ),
        "p (headline test)": num(h["test"]["p_value"]) if h["test"] else "n/a",
    }
    test = content.study.headline
    lines = [
        _verdict(h),
        *([test.summary()] if test is not None else []),
        *_channel_lines(content),
        *_extreme_lines(content),
    ]
    text = "".join(f"<p>{esc(line)}</p>" for line in lines)
    return f'<section id="headline"><h2>Headline</h2>{cards(items)}{text}</section>'


def _channel_lines(content: ReportContent) -> list[str]:
    """The channels whose CAAR is told apart from zero at 5% (cross-sectional t by group)."""
    groups = content.study.groups
    if groups is None:
        return []
    table = groups.table
    strong = table[(table["p_value"] < 0.05) & (table["n"] >= 3)].sort_values("p_value")
    if strong.empty:
        return ["No channel's CAAR is told apart from zero at the 5% level."]
    return [
        f"Channel {row.group}: CAAR {row.caar:+.2%} over {row.n} events "
        f"(t = {row.t:.2f}, p = {row.p_value:.4f})."
        for row in strong.itertuples(index=False)
    ]


def _extreme_lines(content: ReportContent) -> list[str]:
    """The single largest fall and rise: where one statement made or cost the most.

    With the radar (day-0 CARs), each comes with the chance that the attribution is a
    coincidence, and the largest attributable ones (about the company, not market-wide, not
    expected by chance; :mod:`leaderlens.risk.coincidence`) are named after them."""
    radar = content.risk.radar if content.risk is not None else None
    if radar is not None and "attributable" in radar.value:
        frame, what = radar.value, "day-0 CAR"
    else:
        frame = content.study.events_frame()
        frame, what = frame[frame["excluded"] == ""].dropna(subset=["car"]), "CAR"
    lines = []
    for word, sign in (("fall", -1.0), ("rise", 1.0)):
        for chosen, label in ((frame, "Largest"), (_attributable(frame), "Largest attributable")):
            moved = chosen[sign * chosen["car"] > 0]
            if moved.empty:
                continue
            row = moved.loc[(sign * moved["car"]).idxmax()]
            where = f", {row['channel']}" if "channel" in row else ""
            extra = f"; {_coincidence_sentence(row)}" if "expected_by_chance" in row else ""
            lines.append(
                f"{label} {word}: {what} {row['car']:+.2%} (t = {row['car_t']:.2f}) from day 0 "
                f"{row['day0']}{where}: \u201c{_cut(row['label'])}\u201d{extra}."
            )
    return lines


def _attributable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows about the company, not market-wide and not expected by chance (none without the
    radar's columns)."""
    return frame[frame["attributable"]] if "attributable" in frame else frame.iloc[0:0]


def _verdict(h: dict[str, Any]) -> str:
    test, caar = h["test"], h["caar"]
    if caar is None or test is None or test["p_value"] is None:
        return "Too few events to test the average effect."
    p = test["p_value"]
    direction = "raised" if caar > 0 else "lowered"
    if p < 0.05:
        return (
            f"On average the statements {direction} the stock by {abs(caar):.2%} over the "
            f"event window, distinguishable from noise (p = {p:.4f}, {test['name']})."
        )
    return (
        f"The average effect over the event window ({caar:+.2%}) is not distinguishable from "
        f"noise (p = {p:.4f}, {test['name']}); see the split by channel."
    )


def _timeline(content: ReportContent) -> str:
    fig = timeline_figure(
        content.statements,
        content.prices,
        content.asset["asset_id"],
        content.leader["leader_id"],
        content.attention,
    )
    return f'<section id="timeline"><h2>Timeline</h2>{figure_div(fig, "plot-timeline")}</section>'


def _study(content: ReportContent) -> str:
    result = content.study
    frame = result.events_frame()
    shown = frame.reindex(columns=[c for c in EVENT_COLUMNS if c in frame.columns])
    shown = shown.assign(time=pd.to_datetime(shown["time"], utc=True).dt.strftime("%Y-%m-%d %H:%M"))
    events = table(
        shown,
        "events-table",
        formats={"car": pct, "car_t": lambda v: num(v, 2), "car_p": num, "label": _cut},
    )
    tests = table(
        result.tests_frame(),
        "tests-table",
        formats={"statistic": num, "p_value": num},
    )
    parts = [
        '<section id="event-study"><h2>Event study</h2>',
        f"<p>{esc(result.summary().splitlines()[1].strip())}; "
        f"{esc(content.options.returns)} returns.</p>",
        figure_div(result.plot(), "plot-caar"),
        "<h3>Test battery (H0: mean abnormal return = 0)</h3>",
        tests,
        *(
            f"<p>{esc(line.strip())}</p>"
            for line in result.summary().splitlines()
            if "note:" in line
        ),
    ]
    if result.bhar_test is not None:
        parts += [
            "<h3>Buy-and-hold abnormal return (another question)</h3>",
            "".join(
                f"<p>{esc(x.strip())}</p>"
                for x in result.summary().splitlines()
                if "apart, BHAR" in x
            ),
        ]
    if result.groups is not None:
        groups = table(
            result.groups.table,
            "groups-table",
            formats={"caar": pct, "sd": pct, "t": lambda v: num(v, 2), "p_value": num},
        )
        parts += [f"<h3>By {esc(result.groups.by)}</h3>", groups]
    parts += [
        f"<h3>Events ({len(frame):,}; click a header to sort)</h3>",
        events,
        "</section>",
    ]
    return "\n".join(parts)


def _largest(content: ReportContent, k: int = 5) -> str:
    """The statements with the largest and the smallest CAR: where value was made or lost."""
    picked = largest_moments(content.study, k)
    if picked.empty:
        return ""
    shown = picked[["label", "day0", "channel", "car", "car_t", "car_p"]]
    return (
        '<section id="largest"><h2>Largest moves</h2>'
        f"<p>The {k} events with the lowest and the {k} with the highest CAR "
        f"{esc(list(content.options.window))}.</p>"
        + table(
            shown,
            "largest-table",
            formats={"car": pct, "car_t": lambda v: num(v, 2), "car_p": num, "label": _cut},
        )
        + "</section>"
    )


def _cut(text: Any) -> str:
    value = "" if text is None else str(text)
    return value if len(value) <= 120 else value[:119] + "…"


def _recovered(content: ReportContent) -> str:
    found = content.recovered
    if found is None:
        return ""
    planted = "".join(f"<p>{esc(line)}</p>" for line in content.planted_notes)
    hits = found[found["recovered"]]
    lines = [
        f"{row.channel}: planted {row.planted_ar:+.2%}, estimated {row.estimated_caar:+.2%} "
        f"[{row.low:+.2%}, {row.high:+.2%}]"
        + (", distinguished from zero" if row.distinguished_from_zero else "")
        for row in hits.itertuples(index=False)
    ]
    text = (
        f"The study recovered {len(hits)} of {len(found)} planted channel effects "
        "(the 95% interval of the estimate covers the planted mean abnormal return)."
    )
    listing = "".join(f"<li>{esc(line)}</li>" for line in lines)
    body = table(
        found,
        "recovered-table",
        formats={k: pct for k in ("planted_ar", "estimated_caar", "low", "high")},
    )
    return (
        '<section id="recovered"><h2>Planted effects recovered (demo ground truth)</h2>'
        f"<p>{esc(text)}</p><ul>{listing}</ul>{planted}{body}</section>"
    )


def _persona(content: ReportContent) -> str:
    if content.persona is None:
        return f'<section id="persona"><h2>Persona</h2>{note(content.notes["persona"])}</section>'
    p = content.persona
    features = p.features.T.reset_index().rename(columns={"index": "feature"})
    channels = p.channels.T.reset_index().rename(columns={"index": "channel"})
    return (
        '<section id="persona"><h2>Persona</h2>'
        f"<p>Features of {esc(p.leader)} over {esc(p.by)} (hours in {esc(p.tz)}).</p>"
        + table(features, "persona-table", formats={c: num for c in features.columns[1:]})
        + "<h3>Channel mix</h3>"
        + table(channels, "channels-table", formats={c: pct for c in channels.columns[1:]})
        + "</section>"
    )


def _comparison(content: ReportContent) -> str:
    parts = ['<section id="comparison"><h2>Comparison with other leaders</h2>']
    if "comparison" in content.notes:
        parts.append(note(content.notes["comparison"]))
    parts.append(
        table(
            content.comparison,
            "comparison-table",
            formats={"caar": pct, "p_cross_sectional": num, "p_kp_bmp": num, "p_headline": num},
        )
    )
    if content.comparison_paths:
        fig = comparison_figure(content.comparison_paths, content.options.returns)
        parts.append(figure_div(fig, "plot-comparison"))
    parts.append("</section>")
    return "\n".join(parts)


def _risk(content: ReportContent) -> str:
    """Leader-driven volatility, the negative-effect radar and key-person dependence."""
    risk = content.risk
    if risk is None:
        return ""
    parts = ['<section id="risk"><h2>Risk</h2>']
    if risk.volatility is not None:
        v = risk.volatility
        parts.append(
            cards(
                {
                    "abnormal variance on leader days": pct(v.variance_share),
                    "share of days with a statement": pct(v.bar_share),
                    "concentration": num(v.concentration, 2),
                    "permutation p": num(v.p_value),
                }
            )
        )
    if risk.radar is not None:
        radar = risk.radar
        parts.append("<h3>Statements that destroyed the most value</h3>")
        # Links stay out of the page: it loads and points to nothing outside itself.
        shown = [
            "label",
            "day0",
            "n_statements",
            "aligned",
            "car",
            "car_t",
            "car_p",
            "car_q_bh",
            "value_at_stake",
            "controversial",
            "market_move",
            "market_wide",
            "about_company",
            "expected_by_chance",
            "attributable",
        ]
        value = radar.value[[c for c in shown if c in radar.value]].head(10)
        parts.append(table(value, "risk-value-table", formats={"car": pct}))
        if radar.discoveries is not None:
            parts.append(note(f"CAR tests: {radar.discoveries.summary()}."))
        parts.append("<h3>Most controversial statements (replies per like)</h3>")
        controversy = radar.controversy.drop(columns=["url"], errors="ignore").head(10)
        parts.append(table(controversy, "risk-controversy-table"))
        parts.append(
            note(
                f"{len(radar.alerts)} statements or events raise an alert; the rules: "
                + "; ".join(sorted({r for rs in radar.alerts["reasons"] for r in rs}))
                + "."
            )
        )
        alerts = radar.alerts.assign(reasons=radar.alerts["reasons"].map("; ".join))
        shown_alerts = [c for c in ("source", "day0", "statement_id", "label", "car", "reasons")]
        parts.append(
            table(
                alerts.reindex(columns=[c for c in shown_alerts if c in alerts]).head(20),
                "risk-alerts-table",
                formats={"car": pct},
            )
        )
    for found in risk.dependence:
        parts.append(f'<pre class="text">{esc(found.summary())}</pre>')
    parts.append(comparison_html(risk))
    parts += [note(n) for n in risk.notes]
    parts.append("</section>")
    return "\n".join(parts)


def _pending(content: ReportContent) -> str:
    parts = []
    names = ("annotations",) if content.risk is not None else ("risk", "annotations")
    for name in names:
        if name in content.notes:
            parts.append(
                f'<section id="{esc(name)}"><h2>{esc(name.capitalize())}</h2>'
                f"{note(content.notes[name])}</section>"
            )
    return "\n".join(parts)


def _methods(content: ReportContent) -> str:
    import leaderlens

    settings = content.study.settings.to_dict()
    extra = {
        "leaderlens version": leaderlens.__version__,
        "leader": content.leader["leader_id"],
        "asset": content.asset["asset_id"],
        "asset calendar": content.asset.get("calendar"),
        "benchmark": content.asset.get("benchmark_id"),
        **content.data_range,
        "comparison": "same settings, each leader on its company's stock",
        "confidence band": "CAAR_t ± 1.96 sd_t / sqrt(N_t), sd_t the cross-sectional standard "
        "deviation of cumulative abnormal returns up to bar t",
        "recovered": "channel CAAR ± 1.96 sd / sqrt(n) covers the planted mean day-0 AR",
    }
    return (
        '<section id="methods"><h2>Methods appendix</h2>'
        "<p>Every setting used, so the report can be reproduced with "
        "<code>leaderlens study</code>.</p>"
        + definitions(settings, "settings-table")
        + definitions(extra, "report-settings-table")
        + "</section>"
    )


def _coincidence_sentence(row: pd.Series) -> str:
    """How likely the attribution is a coincidence (the radar's columns, one sentence)."""
    wide = (
        f"; the market moved {row['market_move']:+.2%} the same days (market-wide)"
        if row["market_wide"]
        else ""
    )
    topic = "" if row["about_company"] else "; the statement is not about the company"
    return (
        f"a statement of this leader sits beside a window by chance {row['chance_beside']:.0%} "
        f"of the time (posts on {row['posting_rate']:.0%} of sessions), and moves at least this "
        f"large occur on {row['silent_share']:.1%} of silent sessions: "
        f"{row['expected_by_chance']:.1f} such coincidences expected{wide}{topic}"
    )
