"""leaderlens.counterfactual end to end: workspace series, alignment, several moments, diagnostics,
the CLI contract; witnesses are statsmodels OLS and planted effects."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

import leaderlens as ll
from leaderlens.cli.main import app
from leaderlens.errors import BadInputError

SU7 = "2024-03-28T20:00+08:00"  # the SU7 launch, Thursday evening after the Hong Kong close


@pytest.fixture(scope="module")
def su7_workspace(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1810.HK and ^HSI, 2023-01 .. 2024-06, cut from the shared files to keep the test fast."""
    folder = tmp_path_factory.mktemp("su7")
    xiaomi = pd.read_csv(
        shared_data / "xiaomi_1810hk_daily_2018_2025" / "1810.HK_2020-01-02_2025-07-18.csv"
    )
    keep = xiaomi["Date"].str[:10].between("2023-01-01", "2024-06-30")
    xiaomi[keep].to_csv(folder / "1810.HK.csv", index=False)
    with gzip.open(shared_data / "prices_daily_long_history_yahoo" / "HSI.csv.gz", "rt") as f:
        hsi = pd.read_csv(f)
    hsi[hsi["Date"].between("2023-01-01", "2024-06-30")].to_csv(folder / "HSI.csv", index=False)
    path = folder / "ws.duckdb"
    with ll.Workspace.open(path) as ws:
        ws.ingest_prices(folder / "1810.HK.csv", asset="1810.HK", calendar="XHKG")
        ws.ingest_prices(folder / "HSI.csv", asset="^HSI", calendar="XHKG")
    return path


def test_su7_day0_against_ols_market_model(su7_workspace: Path) -> None:
    with ll.Workspace.open(su7_workspace, read_only=True) as ws:
        result = ll.impact(ws, SU7, series="1810.HK", controls=["^HSI"], horizon=1, niter=500)
        bars = {a: ws.bars(a).set_index("ts")["close"] for a in ("1810.HK", "^HSI")}
    (moment,) = result.moments
    assert moment.how == "after close -> 2024-04-02"  # Easter: Fri 29 Mar and Mon 1 Apr closed
    assert str(moment.start.date()) == "2024-04-02" and moment.effect.n == 1
    # witness: OLS market model on the same 250 pre-period returns (statsmodels)
    r = pd.DataFrame(bars).pct_change().dropna()
    day0 = r.index.get_loc(pd.Timestamp("2024-04-02", tz="UTC"))
    est = r.iloc[day0 - 250 : day0]
    ols = sm.OLS(est["1810.HK"], sm.add_constant(est["^HSI"])).fit()
    expected = ols.params["const"] + ols.params["^HSI"] * r["^HSI"].iloc[day0]
    e = moment.effect
    assert e.actual[0] == pytest.approx(r["1810.HK"].iloc[day0])
    assert abs(e.prediction[0] - expected) < 0.25 * e.prediction_sd[0]
    assert e.prediction_sd[0] == pytest.approx(np.sqrt(ols.scale), rel=0.15)
    assert e.p < 0.05 and e.effect_lower[0] > 0  # +9.0% against about +3.1% expected
    assert result.controls_table["inclusion"].iloc[0] == pytest.approx(1.0)


def test_cli_json_plot_and_bad_moment(su7_workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "impact.json"
    args = ["impact", "-w", str(su7_workspace), "--moment", SU7, "--series", "1810.HK"]
    args += ["--controls", "^HSI", "--niter", "200", "--json", str(out)]
    done = runner.invoke(app, [*args, "--plot", str(tmp_path / "p.html")])
    assert done.exit_code == 0, done.output
    assert "after close -> 2024-04-02" in done.output and "During" not in done.output
    payload = json.loads(out.read_text())
    assert payload["values"] == "simple returns" and payload["moments"][0]["n"] == 10
    assert (tmp_path / "p.html").read_text().count("plotly") > 1
    bad = runner.invoke(app, [*args[:4], "2024-03-28", *args[5:9]])
    assert bad.exit_code == 2 and "moment" in bad.output
    wrong = runner.invoke(app, [*args, "--method", "arima"])
    assert wrong.exit_code == 2 and "bsts, synthetic" in wrong.output


def planted(seed: int, effects: tuple[float, ...], n: int = 300) -> tuple[pd.DataFrame, list]:
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.normal(size=n)) + 50
    y = 10 + 0.8 * x + rng.normal(size=n)
    moments = [200, 240, 270]
    for m, lift in zip(moments, effects, strict=True):
        y[m : m + 10] += lift
    index = pd.date_range("2020-01-01", periods=n, freq="D")
    return pd.DataFrame({"y": y, "x": x}, index=index), [index[m] for m in moments]


def test_three_moments_cover_planted_effects() -> None:
    """Reduced coverage run (bench/impact.py runs 400 replications): 3 moments x 6 series."""
    effects = (3.0, -2.0, 0.0)
    covered = rejected_null = 0
    for seed in range(6):
        frame, moments = planted(seed, effects)
        result = ll.impact(
            frame, moments, pre=(frame.index[0], frame.index[199]), horizon=10, niter=200, seed=seed
        )
        for m, lift in zip(result.moments, effects, strict=True):
            covered += m.effect.effect_lower[0] <= lift <= m.effect.effect_upper[0]
        rejected_null += result.moments[2].effect.significant
    assert covered >= 16  # of 18: 95% intervals
    assert rejected_null <= 1


def test_spike_and_slab_selects_the_relevant_control() -> None:
    rng = np.random.default_rng(2)
    n = 200
    X = rng.normal(size=(n, 6)).cumsum(axis=0)
    frame = pd.DataFrame(X, columns=[f"c{i}" for i in range(6)])
    frame.insert(0, "y", 2 * X[:, 3] + rng.normal(size=n))
    before = frame.copy()
    result = ll.impact(frame, 180, niter=300, seed=1)
    inclusion = result.controls_table.set_index("control")["inclusion"]
    assert inclusion["c3"] > 0.99 and inclusion.drop("c3").max() < 0.5
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched


def test_diagnostics_warn_on_a_reacting_control_and_a_short_pre_period() -> None:
    frame, moments = planted(0, (3.0, 0.0, 0.0))
    frame.loc[moments[0] :, "x"] += 25  # the control itself jumps at the first moment
    result = ll.impact(frame, moments[0], pre=(frame.index[180], frame.index[199]), niter=100)
    text = " ".join(result.warnings)
    assert "control x moves by itself" in text and "pre-period has 20 bars" in text
    assert "warning:" in result.summary()
    assert (
        "&lt;b&gt;"
        in ll.impact(frame.rename(columns={"y": "<b>"}), moments[0], niter=50)._repr_html_()
    )


def test_bad_options_named_at_the_door() -> None:
    frame, moments = planted(0, (0.0, 0.0, 0.0))
    with pytest.raises(BadInputError, match="method must be one of bsts, synthetic; got 'x'"):
        ll.impact(frame, moments, method="x")  # type: ignore[arg-type]
    with pytest.raises(BadInputError, match="same bar"):
        ll.impact(frame, [moments[0], moments[0]])
    with pytest.raises(BadInputError, match="niter must be a whole number >= 10; got 5"):
        ll.impact(frame, moments[0], niter=5)
    with pytest.raises(BadInputError, match="at least two donors"):
        ll.impact(frame, moments[0], method="synthetic")
    with pytest.raises(BadInputError, match="pre-period must end before"):
        ll.impact(frame, moments[0], pre=(frame.index[0], moments[0]))
