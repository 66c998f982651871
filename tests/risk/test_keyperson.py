"""Key-person event studies: the demo's planted health event, and Steve Jobs' leaves,
resignation and death on AAPL against ^GSPC, each CAR checked against a market model fitted
here with statsmodels on the price files themselves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from market_witness import market_model_car, paired_returns, planted_in_window
from scipy import stats

import leaderlens as ll
from leaderlens.errors import BadInputError
from leaderlens.risk.dependence import key_person_dependence
from leaderlens.risk.keyperson import key_person_study

# ------------------------------------------------------------------------------------ demo


@pytest.fixture(scope="module")
def planted(risk_ws) -> pd.DataFrame:
    return risk_ws.ground_truth("key_person_events")


def test_the_planted_health_event_is_found(risk_ws, planted) -> None:
    """The planted health event: -9 %, -4 %, -2 % on days 0..2 of VLTR (CAR -15 %) whose
    idiosyncratic daily sd is 3 %, studied over the window it was planted in. The CAR's noise
    sd is 3 % x sqrt(3) = 5.2 %: the planted CAR is 2.9 of them, so the fall is found (CAR < 0)
    with probability 99.8 %, and the CAR lies within 3 of its standard errors of the planted
    CAR plus the ARs Rex Vale's own posts planted on those days (99.7 %). Day 0 alone: -9 %
    against 3 %, z = 3, found with probability 99.9 %. Significance at 5 % (power about 83 %)
    is not promised; the summary must say what the p-value says."""
    events = pd.DataFrame({"time": planted["ts"], "label": planted["title"]})
    before = events.copy()
    window = (int(planted["window_start"].iloc[0]), int(planted["window_end"].iloc[0]))
    study = key_person_study(risk_ws, events, asset="VLTR", window=window)
    pd.testing.assert_frame_equal(events, before)  # the caller's frame is untouched
    row = study.events.iloc[0]
    assert row["day0"] == pd.Timestamp(planted["day0"].iloc[0]).date().isoformat()

    bars = risk_ws.bars_for(["VLTR", "USX"]).pivot(
        index="ts", columns="asset_id", values="adj_close"
    )
    rets = bars.pct_change()
    rets.index = rets.index.strftime("%Y-%m-%d")
    car, t = market_model_car(rets["VLTR"], rets["USX"], row["day0"], window, (-260, -11))
    assert row["car"] == pytest.approx(car, rel=1e-9)
    assert row["car_t"] == pytest.approx(t, rel=1e-9)
    assert row["car_p"] == pytest.approx(2 * stats.t.sf(abs(t), 250 - 2), rel=1e-6)

    posts = risk_ws.ground_truth("planted_events")
    expected = float(planted["planted_car"].iloc[0]) + planted_in_window(
        posts, "VLTR", rets.index, row["day0"], window
    )
    assert row["car"] < 0 and abs(row["car"] - expected) < 3 * abs(row["car"] / row["car_t"])
    assert row["ar0"] < 0 and row["ar0_t"] < 0
    day0 = float(planted["planted_ar_day0"].iloc[0]) + planted_in_window(
        posts, "VLTR", rets.index, row["day0"], (0, 0)
    )
    assert abs(row["ar0"] - day0) < 3 * abs(row["ar0"] / row["ar0_t"])

    assert study.headline is None and "one studied event" in study.summary()
    significant = row["car_p"] <= 0.05
    assert ("a significant fall at 5%" in study.summary()) == significant
    assert ("not distinguishable from noise at 5%" in study.summary()) == (not significant)
    hostile = events.assign(label="<script>alert(1)</script>")
    page = key_person_study(risk_ws, hostile, asset="VLTR", n_placebo=0)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_dependence_gains_the_key_person_part(risk_ws, planted) -> None:
    events = pd.DataFrame({"time": planted["ts"], "label": planted["title"]})
    plain = key_person_dependence(risk_ws, "voltra", metric="search_interest")
    with_events = key_person_dependence(
        risk_ws, "voltra", metric="search_interest", events=events, asset="VLTR", car_scale=0.5
    )
    assert set(plain.parts) == {"share", "silence_drop"}
    assert with_events.key_person is not None
    part = abs(with_events.key_person.events["car"].iloc[0]) / 0.5
    assert with_events.parts["key_person"] == pytest.approx(part)
    assert with_events.index == pytest.approx(np.mean([plain.share, plain.silence.drop, part]))
    assert with_events.parts["share"] == plain.parts["share"]
    assert "key_person: mean |CAR|" in with_events.summary()
    assert with_events.to_dict()["key_person"]["n_studied"] == 1
    capped = key_person_dependence(risk_ws, "voltra", events=events, asset="VLTR", car_scale=0.01)
    assert capped.parts["key_person"] == 1.0
    with pytest.raises(BadInputError):
        key_person_dependence(risk_ws, "voltra", events=events, asset="VLTR", car_scale=0.0)


def test_bad_events_are_refused(risk_ws, tmp_path: Path) -> None:
    naive = tmp_path / "naive.csv"
    naive.write_text("time,label\n2023-11-29 15:00:00,hospitalised\n")
    with pytest.raises(BadInputError) as info:
        key_person_study(risk_ws, naive, asset="VLTR")
    assert info.value.line == 2 and info.value.field == "time"
    dated = tmp_path / "ok.csv"
    dated.write_text("time,label\n2023-11-29T15:00:00-05:00,hospitalised\n")
    with pytest.raises(BadInputError, match="asset"):
        key_person_study(risk_ws, dated, asset=None)


# ------------------------------------------------------------------------------- real data

# Times from the press of the day (offsets are US Eastern / Pacific time of the moment):
# 2009-01-14 Jobs' medical-leave e-mail released after the close (Fortune, 4:55 PM ET article;
# after-hours trading halted, resumed at 5 PM ET); 2011-01-17 e-mail to staff on Martin Luther
# King Day, markets closed (morning, Pacific time); 2011-08-24 resignation letter released after
# the close (about 6:35 PM ET); 2011-10-05 Apple announces his death in the evening (about
# 7:40 PM ET).
APPLE_EVENTS = """time,label
2009-01-14T16:30:00-05:00,Jobs takes a medical leave until June
2011-01-17T09:00:00-08:00,Jobs takes a second medical leave
2011-08-24T18:35:00-04:00,Jobs resigns as CEO
2011-10-05T19:40:00-04:00,Apple announces the death of Steve Jobs
"""
APPLE_DAY0 = ["2009-01-15", "2011-01-18", "2011-08-25", "2011-10-06"]


def test_apple_key_person_moments(shared_data: Path, tmp_path: Path) -> None:
    gspc = shared_data / "sp500_gspc_1927_2023_and_nyse_calendar" / "GSPC.csv.gz"
    aapl = shared_data / "prices_daily_long_history_yahoo" / "AAPL.csv.gz"
    events = tmp_path / "jobs.csv"
    events.write_text(APPLE_EVENTS)
    with ll.Workspace.open(tmp_path / "apple.duckdb") as ws:
        ws.ingest_prices(gspc, asset="^GSPC", calendar="XNYS")
        ws.ingest_prices(aapl, asset="AAPL", calendar="XNYS", benchmark="^GSPC")
        study = key_person_study(ws, events, asset="AAPL", n_placebo=0)
    print("\n" + study.summary())
    frame = study.events
    assert frame["day0"].tolist() == APPLE_DAY0
    assert frame["aligned"].tolist() == ["after close", "holiday", "after close", "after close"]
    r, m = paired_returns(aapl, gspc)
    for row in frame.itertuples(index=False):
        car, t = market_model_car(r, m, row.day0, (-1, 5), (-260, -11))
        assert row.car == pytest.approx(car, rel=1e-8), row.label
        assert row.car_t == pytest.approx(t, rel=1e-8), row.label
    cars = frame["car"].to_numpy()
    assert study.caar == pytest.approx(cars.mean())
    assert study.mean_abs_car == pytest.approx(np.abs(cars).mean())
    # Four moments years apart: no two windows share a day, so BMP heads (no adjustment).
    assert study.headline is not None and study.headline.name == "BMP (1991) t"
    bmp = study.tests.set_index("test").loc["BMP (1991) t"]
    assert study.headline.p_value == bmp["p_value"]
    assert len(study.tests) >= 10
