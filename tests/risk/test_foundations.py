"""Foundations scorecard: the HAC trend against statsmodels, the silence ratio and the weekly
correlation against pandas, and the demo's planted foundations (Orbit stands on its own,
Voltra leans on Rex Vale)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from leaderlens.cli.risk import risk_app
from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.risk.foundations import foundations_scorecard, hac_lags, trend_per_year, week_id

TAGS = {
    "product": ["product_search"],
    "team": ["executive_mentions"],
    "innovation": ["innovation_news"],
}


def test_trend_matches_statsmodels_hac() -> None:
    rng = np.random.default_rng(4)
    n = 900
    years = np.arange(n) / 365.25
    noise = np.zeros(n)
    for i in range(1, n):  # AR(1) noise, as attention series have
        noise[i] = 0.6 * noise[i - 1] + rng.normal(0, 0.1)
    y = 3.0 + 0.2 * years + noise
    y[[10, 500]] = np.nan
    ok = np.isfinite(y)
    lags = hac_lags(int(ok.sum()))
    fit = sm.OLS(y[ok], sm.add_constant(years[ok])).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False}
    )
    got = trend_per_year(y, years)
    assert got.slope == pytest.approx(fit.params[1], rel=1e-10)
    assert got.se == pytest.approx(fit.bse[1], rel=1e-8)
    low, high = fit.conf_int(alpha=0.05)[1]
    assert (got.low, got.high) == pytest.approx((low, high), rel=1e-8)
    with pytest.raises(MissingDataError):
        trend_per_year(np.ones(5), np.arange(5.0))


def test_week_id_starts_on_monday() -> None:
    days = pd.date_range("2024-01-01", periods=15, freq="D", tz="UTC")  # a Monday
    ids = week_id(days.as_unit("ns").asi8)
    assert (np.diff(ids) != 0).tolist() == [d.day_of_week == 0 for d in days[1:]]
    assert (
        pd.Series(ids)
        .groupby(days.tz_localize(None).to_period("W-SUN").astype(str))
        .nunique()
        .eq(1)
        .all()
    )


@pytest.fixture(scope="module")
def cards(risk_ws) -> dict[str, object]:
    return {b: foundations_scorecard(risk_ws, b, **TAGS) for b in ("orbit", "keynote", "voltra")}


def test_planted_foundations_are_recovered(risk_ws, cards) -> None:
    """Planted trends are 0.05 to 0.25 log points a year against a HAC standard error of about
    0.006 to 0.016: their signs are found with z of 3 or more. Orbit's pillars ignore Lin Wei
    (leader weight 0): their silence ratios are 1 up to noise of about 0.03 on his 190 silent
    days, so they hold up (>= 0.9) with z above 3. Voltra's carry two or three times Rex Vale's
    attention excess, which on his silent days (3 or more days without a post) is 0.08 log
    points against 0.19 on active days: the planted sag is a ratio of about 0.79 (weight 2) to
    0.69 (weight 3). He is silent on only about 6 days, so each ratio has a standard error of
    about 0.12 and one pillar alone falls below 0.9 with probability about 0.85 only; their mean
    (planted about 0.76, standard error about 0.07) is below 1 with z above 3. The verdict
    "leans on" needs no Voltra pillar both holding up and growing or flat: the weakest,
    innovation (trend -0.05, z 3.2), escapes both with probability about 0.1 x 0.15."""
    truth = risk_ws.ground_truth("foundations").set_index(["brand_id", "pillar"])
    orbit, voltra = cards["orbit"], cards["voltra"]
    for brand, card in cards.items():
        pillars = card.pillars.set_index("pillar")
        for pillar in ("product", "team", "innovation"):
            planted = truth.loc[(brand, pillar)]
            got = pillars.loc[pillar]
            if planted["trend"] != 0:
                # the estimate has the planted sign, and a larger trend is estimated larger
                assert np.sign(got["trend"]) == np.sign(planted["trend"]), (brand, pillar)
            if planted["leader_weight"] == 0:
                assert got["holds_up"], (brand, pillar)
    leaning = truth.loc["voltra", "leader_weight"] >= 2
    assert leaning.all() and voltra.pillars["silence_ratio"].mean() < 1
    assert orbit.pillars["holds_up"].all() and not orbit.pillars["shrinking"].any()
    assert voltra.pillars.set_index("pillar").loc["product", "shrinking"]
    assert "could carry it without lin_wei" in orbit.verdict[-1]
    assert voltra.verdict[-1].startswith("voltra leans on rex_vale")
    # each pillar sentence names its numbers
    product = voltra.pillars.set_index("pillar").loc["product"]
    assert f"{product['growth']:+.1%} a year" in voltra.verdict[0]
    assert f"{product['silence_ratio']:.2f}x" in voltra.verdict[0]


def test_silence_and_correlation_against_pandas(risk_ws, cards) -> None:
    card = cards["voltra"]
    row = card.series.set_index("metric").loc["product_search"]
    att = risk_ws.attention("product_search", brand="voltra")
    day = pd.DatetimeIndex(att["ts"]).tz_convert("UTC").floor("D")
    said = set(pd.DatetimeIndex(risk_ws.statements("rex_vale")["ts"]).tz_convert("UTC").floor("D"))
    active = pd.Series(day.isin(list(said)))
    run = active.ne(active.shift()).cumsum()
    length = run.map(run.value_counts())
    silent = ~active & (length >= 3)
    values = att["value"].reset_index(drop=True)
    assert row["n_silent"] == int(silent.sum()) and row["n_active"] == int(active.sum())
    ratio = values[silent].mean() / values[active].mean()
    assert row["silence_ratio"] == pytest.approx(ratio, rel=1e-12)

    weekly_y = (
        pd.Series(np.log1p(values.to_numpy()), index=day)
        .groupby(day.tz_localize(None).to_period("W-SUN"))
        .mean()
    )
    mentions = risk_ws.mentions("voltra")
    names = mentions["text"].str.contains(r"\bRex Vale\b|@rexvale\b", regex=True)
    week = pd.DatetimeIndex(mentions["ts"]).tz_convert("UTC").tz_localize(None).to_period("W-SUN")
    counts = pd.DataFrame({"n": 1, "named": names.astype(int)}).groupby(week).sum()
    share = (counts["named"] / counts["n"])[counts["n"] >= 10]
    both = pd.concat([weekly_y, share], axis=1, join="inner").dropna()
    assert row["n_weeks"] == len(both)
    assert row["corr_share"] == pytest.approx(both.corr().iloc[0, 1], abs=1e-9)
    assert card.leader_share == pytest.approx(names.mean(), abs=1e-12)


def test_refusals_and_json(risk_ws, cards) -> None:
    with pytest.raises(BadInputError, match="product_search"):
        foundations_scorecard(risk_ws, "voltra")
    with pytest.raises(MissingDataError, match="no 'patents' series"):
        foundations_scorecard(risk_ws, "voltra", innovation=["patents"])
    text = json.dumps(cards["keynote"].to_dict(), allow_nan=False)
    assert "verdict" in text and "<pre>" in cards["keynote"]._repr_html_()


def test_cli_foundations_and_key_person(risk_demo_path, tmp_path) -> None:
    runner = CliRunner()
    path = tmp_path / "f.json"
    res = runner.invoke(
        risk_app,
        [
            "foundations",
            "--brand",
            "orbit",
            "--product",
            "product_search",
            "--team",
            "executive_mentions",
            "--workspace",
            str(risk_demo_path),
            "--json",
            str(path),
        ],
    )
    assert res.exit_code == 0, res.output
    assert [p["pillar"] for p in json.loads(path.read_text())["result"]["pillars"]] == [
        "product",
        "team",
    ]
    events = tmp_path / "events.csv"
    events.write_text("time,label\n2023-11-29T15:06:45-05:00,Rex Vale hospitalised\n")
    path = tmp_path / "k.json"
    res = runner.invoke(
        risk_app,
        [
            "key-person",
            "--events",
            str(events),
            "--asset",
            "VLTR",
            "--window",
            "0,2",
            "--workspace",
            str(risk_demo_path),
            "--json",
            str(path),
        ],
    )
    assert res.exit_code == 0, res.output
    found = json.loads(path.read_text())["result"]
    assert found["window"] == [0, 2] and found["events"][0]["car"] < 0
    path = tmp_path / "d.json"
    res = runner.invoke(
        risk_app,
        [
            "dependence",
            "--brand",
            "voltra",
            "--events",
            str(events),
            "--asset",
            "VLTR",
            "--workspace",
            str(risk_demo_path),
            "--json",
            str(path),
        ],
    )
    assert res.exit_code == 0, res.output
    found = json.loads(path.read_text())["result"]
    assert set(found["parts"]) == {"share", "silence_drop", "key_person"}
    assert found["key_person"]["events"][0]["label"] == "Rex Vale hospitalised"
    bad = runner.invoke(
        risk_app,
        [
            "key-person",
            "--events",
            str(events),
            "--window",
            "0",
            "--asset",
            "VLTR",
            "--workspace",
            str(risk_demo_path),
        ],
    )
    assert bad.exit_code == 2
