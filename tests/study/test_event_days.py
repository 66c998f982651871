"""The event-day regression: statsmodels' HAC fit and linear-combination test as witnesses, and
the demo's planted effects (a prolific poster's, and per channel) recovered.

Witnesses: statsmodels OLS with Newey-West covariance fitted on a design built here column by
column, and its ``t_test`` of the sum of the lead/lag coefficients (CAR); the demo's stored
ground truth (planted day-0 abnormal returns, summed per session as the world adds them), with
a margin of three HAC standard errors.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import leaderlens as ll
from leaderlens.errors import BadInputError
from leaderlens.study.event_days import event_day_regression

T = 600


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(8)
    m = rng.normal(0, 0.01, T)
    a = (rng.random(T) < 0.6).astype(float)  # a prolific poster: events on 60% of sessions
    b = (rng.random(T) < 0.05).astype(float)
    r = 0.0005 + 1.3 * m + rng.standard_t(5, T) * 0.015 + 0.004 * a + 0.02 * b
    r[1:] += 0.002 * a[:-1]  # a day +1 effect of group a
    return r, m, {"a": a, "b": b}


def test_coefficients_and_car_against_statsmodels(series):
    r, m, days = series
    got = event_day_regression(r, m, days, window=(-1, 1), maxlags=5)
    cols = [np.ones(T), m]
    for g in ("a", "b"):
        for k in (-1, 0, 1):
            x = np.zeros(T)
            if k >= 0:
                x[k:] = days[g][: T - k]
            else:
                x[:k] = days[g][-k:]
            cols.append(x)
    res = sm.OLS(r, np.column_stack(cols)).fit(cov_type="HAC", cov_kwds={"maxlags": 5})
    assert got.alpha == pytest.approx(res.params[0], rel=1e-10)
    assert got.beta == pytest.approx(res.params[1], rel=1e-10)
    np.testing.assert_allclose(got.ar.ravel(), res.params[2:], rtol=1e-10)
    np.testing.assert_allclose(got.ar_se.ravel(), res.bse[2:], rtol=1e-10)
    for i in range(2):
        contrast = np.zeros(8)
        contrast[2 + 3 * i : 5 + 3 * i] = 1.0
        want = res.t_test(contrast)
        assert got.car[i] == pytest.approx(float(np.squeeze(want.effect)), rel=1e-10)
        assert got.se[i] == pytest.approx(float(np.squeeze(want.sd)), rel=1e-10)
        assert got.p_value[i] == pytest.approx(float(np.squeeze(want.pvalue)), rel=1e-8)
    assert got.car[0] == pytest.approx(0.006, abs=3 * got.se[0])  # planted 0.4% + 0.2%
    assert got.n_days.tolist() == [int(days["a"].sum()), int(days["b"].sum())]
    frame = got.to_frame()
    assert list(frame["group"]) == ["a", "b"] and "ar[1]" in frame
    assert got.test("b").p_value == got.p_value[1]
    with pytest.raises(BadInputError, match="group"):
        got.test("c")
    assert "Event-day regression" in got.summary() and "<table" in got._repr_html_()


def _planted_by_session(ws, leader: str, asset: str, by: str | None) -> pd.Series:
    truth = ws.ground_truth("planted_events")
    mine = truth[(truth["leader"] == leader) & (truth["asset"] == asset)]
    keys = ["day0"] if by is None else [by, "day0"]
    per_session = mine.groupby(keys)["planted_ar"].sum()  # the world adds a session's effects
    if by is None:
        return pd.Series({"all": per_session.mean()})
    return per_session.groupby(level=0).mean()


@pytest.mark.parametrize(
    ("leader", "asset", "by"), [("rex_vale", "VLTR", None), ("lin_wei", "ORBT.HK", "channel")]
)
def test_the_demo_planted_effects_are_recovered(demo_ws, leader, asset, by):
    got = ll.event_day_study(demo_ws, leader=leader, asset=asset, by=by, window=(0, 0))
    planted = _planted_by_session(demo_ws, leader, asset, by)
    frame = got.to_frame().set_index("group")
    assert set(frame.index) == set(planted.index)
    z = (frame["car"] - planted) / frame["se"]
    # Within 3 standard errors of what was planted (a 0.3% chance per group of failing by
    # noise). Not "the keynote stands out from zero": 12 keynote days on a stock with about 2.3%
    # daily noise give the planted 1.6% a z of about 2.3, which clears 1.96 only 64% of the time.
    assert (z.abs() < 3).all(), pd.DataFrame({"got": frame["car"], "planted": planted, "z": z})


def test_a_prolific_poster_study_recommends_the_event_day_regression(demo_ws):
    result = ll.event_study(demo_ws, leader="rex_vale", asset="VLTR", n_placebo=0, n_bootstrap=0)
    assert any("event-day regression" in text for text in result.advice)
    aggregate = result.to_dict()["aggregate"]
    assert aggregate["advice"] == list(result.advice)
    # one asset, events on most sessions: windows share days, the shared-day r heads
    head = aggregate["headline"]
    assert head["name"] == "Kolari-Pynnonen (2010) adjusted BMP t, r of shared event days"
    row = result.tests_frame().set_index("test").loc[head["name"]]
    assert (head["statistic"], head["p_value"]) == (row["statistic"], row["p_value"])
    assert "share calendar days" in head["why"]
    assert 0 < aggregate["kolari_pynnonen_r_window"] < aggregate["kolari_pynnonen_r"]
    # BHAR answers another question (raw benchmark): apart, never in the battery's table
    assert not result.tests_frame()["test"].str.contains("BHAR").any()
    bhar = result.events_frame()["bhar"].dropna()
    assert aggregate["bhar"]["mean"] == pytest.approx(bhar.mean(), rel=1e-12)
    assert "raw" in aggregate["bhar"]["hypothesis"] and aggregate["bhar"]["n"] == bhar.size
    masked = ll.event_study(
        demo_ws, leader="rex_vale", asset="VLTR", mask_overlaps=True, n_placebo=0, n_bootstrap=0
    )
    assert masked.n_studied == 0
    (mask,) = [t for t in masked.advice if t.startswith("Masking")]
    assert "--event-days" in mask and "clean estimation bars" in mask


def test_the_cli_writes_the_event_day_regression_and_the_headline(demo_files, tmp_path):
    from typer.testing import CliRunner

    from leaderlens.cli.main import app

    out = tmp_path / "study.json"
    args = ["study", "--workspace", str(demo_files[1]), "--leader", "lin_wei", "--asset"]
    args += ["ORBT.HK", "--window=0,0", "--by", "channel", "--event-days", "--json", str(out)]
    got = CliRunner().invoke(app, [*args, "--placebo", "0", "--bootstrap", "0"])
    assert got.exit_code == 0, got.output
    assert "Event-day regression" in got.output and "Headline test:" in got.output
    doc = json.loads(out.read_text())
    groups = {row["group"]: row for row in doc["event_days"]["groups"]}
    assert set(groups) == {"keynote", "livestream", "video", "weibo", "x"}
    python = (
        ll.event_day_study(
            ll.Workspace.open(demo_files[1], read_only=True),
            leader="lin_wei",
            asset="ORBT.HK",
            by="channel",
            window=(0, 0),
        )
        .to_frame()
        .set_index("group")
    )
    assert groups["keynote"]["car"] == pytest.approx(python.loc["keynote", "car"], rel=1e-12)
    assert doc["aggregate"]["headline"]["why"]
    bad = CliRunner().invoke(app, ["study", "--workspace", str(demo_files[1]), "--event-days"])
    assert bad.exit_code == 2
