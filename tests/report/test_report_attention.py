"""The report's brand attention section.

Witnesses: the attention functions of the public API called directly on the same workspace
(the section must show their numbers, not its own); the stored mentions counted with pandas;
a small workspace built here whose brands lack attention series, brand posts or mentions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import leaderlens as ll
from leaderlens.report import ReportContent, gather_report, render_report, report_dict
from leaderlens.report.attention import gather_attention, granger_table
from leaderlens.report.attention_page import attention_section
from leaderlens.report.exports import report_tables


@pytest.fixture(scope="module")
def ws(world_path: Path) -> Iterator[ll.Workspace]:
    with ll.Workspace.open(world_path, read_only=True) as workspace:
        yield workspace


@pytest.fixture(scope="module")
def rex(ws: ll.Workspace) -> ReportContent:
    return gather_report(ws, "rex_vale")


@pytest.fixture(scope="module")
def rex_html(rex: ReportContent) -> str:
    return render_report(rex)


def _section(html: str) -> str:
    part = html[html.index('<section id="attention">') :]
    return part[: part.index("</section>")]


def _table_rows(html: str, table_id: str) -> list[list[str]]:
    """The ``data-v`` values of every row of a table, as text."""
    body = html[html.index(f'id="{table_id}"') :]
    body = body[: body.index("</table>")]
    return [re.findall(r'data-v="([^"]*)"', row) for row in body.split("<tr>")[2:]]


def test_amplification_equals_a_direct_call(
    ws: ll.Workspace, rex: ReportContent, rex_html: str
) -> None:
    (brand,) = rex.brand_attention
    assert (brand.brand, brand.metric) == ("voltra", "mentions")
    direct = ll.amplification(ws, "voltra", leader="rex_vale", metric="mentions")
    found = brand.amplification
    assert found.factor == pytest.approx(direct.factor, rel=1e-12)
    assert (found.ci_low, found.ci_high) == pytest.approx((direct.ci_low, direct.ci_high))
    section = _section(rex_html)
    assert direct.reading().replace("'", "&#x27;") in section
    assert f"<b>{direct.factor:.2f}</b>" in section
    assert f"<b>{direct.ci_low:.2f}-{direct.ci_high:.2f}</b>" in section
    ((factor, low, high),) = (
        [float(v) for v in row[3:6]] for row in _table_rows(section, "amplification-table")
    )
    assert (factor, low, high) == pytest.approx((direct.factor, direct.ci_low, direct.ci_high))


def test_playbook_equals_a_direct_call_with_market_caar(
    ws: ll.Workspace, rex: ReportContent, rex_html: str
) -> None:
    direct = ll.playbook(ws, "voltra", leader="rex_vale", metric="mentions", asset="VLTR")
    expected = direct.to_frame()
    pd.testing.assert_frame_equal(rex.brand_attention[0].playbook.to_frame(), expected)
    assert expected["market_caar"].notna().sum() >= 2  # the channels with statements on VLTR
    rows = _table_rows(_section(rex_html), "playbook-table")
    assert [r[1] for r in rows] == expected["channel"].tolist()  # ranked, best first
    shown = np.array([float(r[3]) for r in rows])
    np.testing.assert_allclose(shown, expected["cumulative_lift"], rtol=1e-12)
    caar = pd.to_numeric(pd.Series([r[9] for r in rows]), errors="coerce")
    np.testing.assert_allclose(caar, expected["market_caar"], rtol=1e-12)


def test_share_of_voice_equals_a_direct_call(
    ws: ll.Workspace, rex: ReportContent, rex_html: str
) -> None:
    direct = ll.brand_share_of_voice(ws, "voltra", leader="rex_vale")
    found = rex.brand_attention[0].share_of_voice.share
    assert (found.share, found.leader_mentions) == (
        direct.share.share,
        direct.share.leader_mentions,
    )
    # Independent count: every stored mention of the brand is in the denominator.
    assert found.mentions == len(ws.mentions("voltra"))
    section = _section(rex_html)
    assert f"<b>{direct.share.share:.1%}</b>" in section
    assert f"{direct.share.leader_mentions:,} of {direct.share.mentions:,}" in section


def test_lead_lag_shows_granger_both_ways(
    ws: ll.Workspace, rex: ReportContent, rex_html: str
) -> None:
    direct = ll.brand_lead_lag(ws, "voltra", leader="rex_vale", metric="mentions")
    rows = _table_rows(_section(rex_html), "granger-table")
    assert [(r[0], r[1]) for r in rows] == [
        ("rex_vale statements per day", "log(1 + mentions)"),
        ("log(1 + mentions)", "rex_vale statements per day"),
    ]
    for row, test in zip(rows, (direct.x_causes_y, direct.y_causes_x), strict=True):
        f, p, df1, df2 = test
        assert float(row[3]) == pytest.approx(f, rel=1e-12)
        assert (int(row[4]), int(row[5])) == (df1, df2)
        assert float(row[6]) == pytest.approx(p, rel=1e-12)
    assert int(rows[0][2]) == direct.lag_order


def test_attention_charts_are_embedded(rex_html: str) -> None:
    section = _section(rex_html)
    for plot in ("plot-amplification", "plot-playbook", "plot-share", "plot-leadlag"):
        assert f'<div id="{plot}" class="plot"></div>' in section, plot
        assert f'Plotly.newPlot("{plot}"' in section, plot
    assert "not available in this version" not in section


def test_attention_in_json_and_tables(ws: ll.Workspace, rex: ReportContent) -> None:
    doc = report_dict(rex)
    assert set(doc["not_available"]) == {"risk"}
    (brand,) = doc["attention"]
    direct = rex.brand_attention[0].amplification
    assert brand["amplification"]["factor"] == pytest.approx(direct.factor)
    assert brand["amplification"]["reading"] == direct.reading()
    granger = brand["lead_lag"]["granger"]
    expected = granger_table(rex.brand_attention[0].lead_lag)
    assert [g["p_value"] for g in granger] == pytest.approx(expected["p_value"].tolist())
    assert "NaN" not in json.dumps(doc)
    names = set(report_tables(rex))
    assert {
        "amplification_voltra",
        "playbook_voltra",
        "share_of_voice_voltra",
        "granger_voltra",
        "lead_lag_voltra",
    } <= names


def _small_world(path: Path) -> ll.Workspace:
    """A leader with three brands: no attention at all; attention but no brand posts nor
    mentions; and a hostile brand name. Plus a leader without any brand."""
    ws = ll.Workspace.open(path)
    days = pd.date_range("2024-01-01", periods=120, freq="D", tz="UTC")
    statements = pd.DataFrame(
        {
            "statement_id": [f"s{i}" for i in range(0, 120, 5)],
            "ts": days[::5] + pd.Timedelta(hours=12),
            "channel": "x",
            "text": "hello",
            "is_reply": False,
        }
    )
    ws.add_leader("ann", name="Ann", handles={"x": "@ann"})
    ws.ingest_statements(statements, leader="ann")
    ws.add_leader("bob", name="Bob", handles={"x": "@bob"})
    ws.add_brand("quiet", name="Quiet", leader_ids=["ann"])
    ws.add_brand("loud", name="<b>Loud</b>", leader_ids=["ann", "bob"])
    series = pd.DataFrame({"ts": days, "value": np.arange(120) % 7 + 10.0})
    ws.ingest_attention(series, metric="search_interest", brand="loud")
    return ws


def test_parts_without_data_say_why(tmp_path: Path) -> None:
    with _small_world(tmp_path / "small.duckdb") as ws:
        assert gather_attention(ws, "bob") != ()  # "loud" names bob too
        quiet, loud = sorted(gather_attention(ws, "ann"), key=lambda b: b.brand != "quiet")
        with_none = gather_attention(ws, "nobody-with-a-brand")
    assert with_none == ()
    assert quiet.metric is None
    for part in ("amplification", "playbook", "lead_lag", "cascade"):
        assert "has no attention series" in quiet.notes[part]
    assert "no mentions of brand 'quiet'" in quiet.notes["share_of_voice"]
    assert loud.metric == "search_interest"
    assert loud.amplification is None and "no brand_posts" in loud.notes["amplification"]
    assert "no mentions" in loud.notes["share_of_voice"]
    html = attention_section((quiet, loud), {})
    assert "&lt;b&gt;Loud&lt;/b&gt;" in html and "<b>Loud</b>" not in html
    # five parts of quiet, two of loud, and each of the cascade's warnings
    assert loud.cascade is not None
    assert html.count('class="note"') == 7 + len(loud.cascade.warnings)
    # What loud has (statements by channel, a long enough series) is drawn; the rest is not.
    assert 'Plotly.newPlot("plot-playbook-2"' in html
    assert 'Plotly.newPlot("plot-leadlag-2"' in html
    assert 'Plotly.newPlot("plot-cascade-2"' in html
    assert "plot-amplification-2" not in html and "plot-share-2" not in html


def test_a_leader_without_brand_says_so() -> None:
    note = "attention not available: no brand in the workspace names 'x' among its leaders"
    html = attention_section((), {"attention": note})
    assert html.startswith('<section id="attention">')
    assert note.replace("'", "&#x27;") in html


def test_a_workspace_without_brands_has_no_leader_brands(tmp_path) -> None:
    """No brands at all: an empty selection that still has the brand columns (the report's
    attention and risk sections then say there is nothing to show)."""
    from leaderlens import Workspace
    from leaderlens.report.attention import leader_brands

    with Workspace.open(tmp_path / "w.duckdb") as ws:
        found = leader_brands(ws, "anyone")
        assert found.empty
        assert list(found.columns) == list(ws.brands().columns)
