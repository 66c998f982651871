"""Leader comparison on the demo world: the archetypes' planted profile, parts computed here
from the raw tables with pandas, missing parts with reasons, JSON and chart."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from leaderlens.cli.compare import compare
from leaderlens.risk.compare import METRICS, compare_leaders


@pytest.fixture(scope="module")
def comparison(risk_ws):
    return compare_leaders(risk_ws, n_boot=49, n_permutations=199)


def test_archetypes(risk_ws, comparison) -> None:
    table = comparison.table.set_index("leader")
    assert set(table.index) == {"lin_wei", "sam_archer", "rex_vale"}
    assert (table["reasons"] == "").all(), table["reasons"].to_dict()
    # the controversial super influencer: most volatility on his bars, most dependence
    assert comparison.top("volatility_share") == "rex_vale"
    assert comparison.top("dependence") == "rex_vale"
    # the "chief experience officer": most attention per post and most amplification over the
    # brand's own posts
    assert comparison.top("amplification_per_post") == "lin_wei"
    assert comparison.top("amplification_factor") == "lin_wei"
    # as planted: the measured order of the leaders is the order of their planted mean lift per
    # statement, and lin_wei's brand carries the largest planted factor
    planted = risk_ws.ground_truth("planted_events").drop_duplicates("statement_id")
    per_post = (
        planted[planted["source"] == "leader"].groupby("owner")["planted_attention_lift"].mean()
    )
    order = table["amplification_per_post"].sort_values().index.tolist()
    assert order == per_post.sort_values().index.tolist()
    factors = pd.Series(risk_ws.ground_truth("world_parameters")["amplification_factor"])
    assert factors.idxmax() == table.loc["lin_wei", "brand"]
    # the "chief experience officer" speaks most in the first person about the product
    assert comparison.top("product_experience_share") == "lin_wei"
    assert comparison.top("reply_share") == "lin_wei"


def test_parts_against_pandas(risk_ws, comparison) -> None:
    table = comparison.table.set_index("leader")
    for leader in table.index:
        st = risk_ws.statements(leader)
        both = st["likes"].notna() & st["replies"].notna()
        ratio = st.loc[both, "replies"].sum() / st.loc[both, "likes"].sum()
        assert table.loc[leader, "replies_per_like"] == pytest.approx(float(ratio), rel=1e-12)
    from leaderlens.text.annotate import annotated

    notes = annotated(risk_ws, "statements", leader="rex_vale")
    hot = notes["topics"].map(lambda t: "politics" in list(t) or "controversy" in list(t))
    assert table.loc["rex_vale", "controversy_topic_share"] == pytest.approx(hot.mean())
    study = risk_ws.event_study(
        leader="sam_archer", asset="KNTE", window=(0, 0), n_bootstrap=0, n_placebo=0
    )
    cars = study.events_frame().query("excluded == ''")["car"].astype(float)
    assert table.loc["sam_archer", "caar"] == pytest.approx(cars.mean())
    assert table.loc["sam_archer", "mean_abs_car"] == pytest.approx(cars.abs().mean())
    tests = study.tests_frame().set_index("test")
    # One-bar windows of one asset never share a day: the headline is BMP's t.
    assert table.loc["sam_archer", "headline_test"] == "BMP (1991) t"
    assert table.loc["sam_archer", "caar_p"] == pytest.approx(tests.loc["BMP (1991) t", "p_value"])
    assert table.loc["sam_archer", "asset"] == "KNTE" and table.loc["lin_wei", "asset"] == "ORBT.HK"


def test_missing_parts_say_why(risk_ws) -> None:
    found = compare_leaders(
        risk_ws, leaders=["sam_archer"], asset="NOPE", n_boot=19, n_permutations=99
    )
    row = found.table.iloc[0]
    assert np.isnan(row["caar"]) and np.isnan(row["volatility_share"])
    assert "market impact" in row["reasons"] and "volatility" in row["reasons"]
    assert np.isfinite(row["dependence"])  # the other parts still computed
    text = json.dumps(found.to_dict(), allow_nan=False)
    assert json.loads(text)["leaders"][0]["caar"] is None
    assert "missing for sam_archer" in found.summary()


def test_figure_and_frame(comparison) -> None:
    fig = comparison.figure()
    heat = fig.data[0]
    assert heat.type == "heatmap" and list(heat.y) == [n for n, _ in METRICS]
    z = np.array(heat.z, dtype=float)
    assert np.nanmin(z) >= 0 and np.nanmax(z) <= 1
    frame = comparison.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 3
    frame.loc[0, "caar"] = 99.0
    assert comparison.table.loc[0, "caar"] != 99.0  # a copy


def test_cli_compare(risk_demo_path, tmp_path) -> None:
    app = typer.Typer()
    app.command()(compare)
    out, plot = tmp_path / "c.json", tmp_path / "c.html"
    res = CliRunner().invoke(
        app,
        [
            "--leaders",
            "rex_vale",
            "--workspace",
            str(risk_demo_path),
            "--json",
            str(out),
            "--plot",
            str(plot),
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["result"]["leaders"][0]["leader"] == "rex_vale"
    assert "plotly" in plot.read_text()[:5000].lower()
    bad = CliRunner().invoke(app, ["--leaders", "nobody", "--workspace", str(risk_demo_path)])
    assert bad.exit_code == 2
