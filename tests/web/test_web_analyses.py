"""The attention and risk endpoints of the JSON API through FastAPI's test client.

Witnesses: each endpoint's numbers equal the public library call on the same demo world
(``ll.amplification``, ``ll.brand_share_of_voice``, ``ll.attention_lift``, ``ll.brand_spikes``,
``ll.brand_lead_lag``, ``ll.playbook``, ``ll.leader_volatility``, ``ll.negative_radar``,
``ll.key_person_dependence``); counts (mentions, brands, attention metrics) are read back from
the stored tables with pandas.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leaderlens as ll

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ATTENTION_PATHS = (
    "/api/brands",
    "/api/brands/{brand}/amplification",
    "/api/brands/{brand}/share-of-voice",
    "/api/brands/{brand}/lift",
    "/api/brands/{brand}/spikes",
    "/api/brands/{brand}/lead-lag",
    "/api/brands/{brand}/playbook",
)
RISK_PATHS = (
    "/api/leaders/{leader}/risk/volatility",
    "/api/leaders/{leader}/risk/radar",
    "/api/brands/{brand}/risk/dependence",
)


def _get(client: TestClient, url: str, **params: Any) -> Any:
    r = client.get(url, params=params)
    assert r.status_code == 200, (url, params, r.text[:300])
    return r.json()


def _rows_equal(rows: list[dict[str, Any]], frame: pd.DataFrame, columns: list[str]) -> None:
    """The JSON rows carry ``frame``'s numbers (NaN as null), row by row."""
    got = pd.DataFrame(rows)
    assert len(got) == len(frame)
    for col in columns:
        want = frame[col].astype(float).to_numpy()
        have = got[col].astype(float).to_numpy()  # null -> NaN
        np.testing.assert_allclose(have, want, rtol=1e-12, equal_nan=True, err_msg=col)


def test_openapi_documents_the_analyses(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ATTENTION_PATHS + RISK_PATHS:
        assert path in paths, path
        assert paths[path]["get"]["summary"], path
    params = {p["name"]: p for p in paths["/api/brands/{brand}/playbook"]["get"]["parameters"]}
    assert params["by"]["schema"]["enum"] == ["channel", "topic", "sentiment"]
    assert params["horizon"]["schema"]["minimum"] == 1
    radar = {p["name"]: p for p in paths["/api/leaders/{leader}/risk/radar"]["get"]["parameters"]}
    assert radar["max_car"]["schema"]["maximum"] == 1.0
    assert radar["top"]["schema"]["type"] == "integer"


def test_brands_match_the_workspace(client: TestClient, ws: ll.Workspace) -> None:
    got = {b["brand_id"]: b for b in _get(client, "/api/brands")}
    declared = ws.brands()
    assert set(got) == set(declared["brand_id"])
    for row in declared.itertuples():
        b = got[row.brand_id]
        assert b["leader_ids"] == list(row.leader_ids)
        assert b["mentions"] == len(ws.mentions(row.brand_id))
        assert b["brand_posts"] == len(ws.brand_posts(row.brand_id))
        stored = ws.connection.execute(
            "SELECT DISTINCT metric FROM attention WHERE subject_kind = 'brand' AND subject_id = ?",
            [row.brand_id],
        ).fetchall()
        assert b["metrics"] == sorted(m for (m,) in stored)


def test_amplification_equals_the_library(client: TestClient, ws: ll.Workspace) -> None:
    got = _get(client, "/api/brands/keynote/amplification", n_boot=199, seed=4)
    direct = ll.amplification(ws, "keynote", n_boot=199, seed=4)
    assert got["leader"] == "sam_archer"
    assert got["factor"] == pytest.approx(direct.factor, rel=1e-12)
    assert got["ci"] == pytest.approx([direct.ci_low, direct.ci_high], rel=1e-12)
    assert got["reading"] == direct.reading()
    assert got["summary"] == direct.summary()
    frame = direct.to_frame()
    _rows_equal(got["rows"], frame, ["factor", "leader_cumulative_lift", "brand_posts"])
    assert got["rows"][0]["brand_posts"] == direct.brand_lift.n_posts


def test_share_of_voice_equals_the_library(client: TestClient, ws: ll.Workspace) -> None:
    got = _get(client, "/api/brands/orbit/share-of-voice", freq="1w")
    direct = ll.brand_share_of_voice(ws, "orbit", freq="1w")
    assert got["share"] == pytest.approx(direct.share.share, rel=1e-12)
    assert got["ci"] == pytest.approx([direct.share.ci_low, direct.share.ci_high], rel=1e-12)
    assert got["mentions"] == len(ws.mentions("orbit"))
    frame = direct.to_frame()
    _rows_equal(got["rows"], frame, ["mentions", "leader_mentions", "share", "weighted_share"])
    assert got["terms"] == list(direct.share.terms)


def test_lift_equals_the_library_and_dense_posts_say_why(
    client: TestClient, ws: ll.Workspace
) -> None:
    got = _get(client, "/api/brands/keynote/lift", horizon=5, seasonal="none")
    direct = ll.attention_lift(ws, "keynote", window=(0, 5), seasonal="none")
    assert got["owner"] == "sam_archer"
    assert got["mean"]["mean_car"] == pytest.approx(direct.mean["mean_car"], rel=1e-12)
    assert got["mean"]["n_events"] == direct.mean["n_events"]
    _rows_equal(got["rows"], direct.to_frame(), ["car", "lift"])
    for url in ("/api/brands/orbit/lift", "/api/brands/keynote/lift?source=brand_posts"):
        r = client.get(url)
        assert r.status_code == 404 and "too dense" in r.json()["detail"], url


def test_spikes_and_lead_lag_equal_the_library(client: TestClient, ws: ll.Workspace) -> None:
    got = _get(client, "/api/brands/voltra/spikes", k=2.5)
    direct = ll.brand_spikes(ws, "voltra", k=2.5)
    table = direct.table
    assert [r["post_id"] for r in got["rows"]] == table["post_id"].tolist()
    assert [pd.Timestamp(r["peak"]) for r in got["rows"]] == table["peak"].tolist()
    _rows_equal(got["rows"], table, ["peak_value", "max_z", "lead_hours"])
    lag = _get(client, "/api/brands/keynote/lead-lag", maxlags=5, horizon=7)
    direct_lag = ll.brand_lead_lag(ws, "keynote", maxlags=5, horizon=7)
    assert lag["lag_order"] == direct_lag.lag_order
    assert lag["granger_leader_to_brand"] == pytest.approx(list(direct_lag.x_causes_y))
    _rows_equal(lag["rows"], direct_lag.to_frame(), ["response", "plain_response"])
    _rows_equal(lag["xcorr"], direct_lag.xcorr, ["lag", "correlation"])
    assert [g["p_value"] for g in lag["granger"]] == pytest.approx(
        [direct_lag.x_causes_y[1], direct_lag.y_causes_x[1]]
    )


def test_cascade_equals_the_library(client: TestClient, ws: ll.Workspace) -> None:
    got = _get(client, "/api/brands/voltra/cascade", by="none")
    direct = ll.cascade(ws, "voltra", by="none")
    assert got["cascade"]["branching_ratio"]["estimate"] == pytest.approx(direct.fit.branching()[0])
    assert got["cascade"]["shares"] == pytest.approx(direct.shares())
    _rows_equal(got["rows"], direct.to_frame(), ["per_post", "decay_hours", "share"])
    assert len(got["decomposition"]) == len(direct.labels)


def test_playbook_equals_the_library(client: TestClient, ws: ll.Workspace) -> None:
    got = _get(client, "/api/brands/keynote/playbook", asset="KNTE")
    direct = ll.playbook(ws, "keynote", asset="KNTE").to_frame()
    assert [r["channel"] for r in got["rows"]] == direct["channel"].tolist()
    _rows_equal(got["rows"], direct, ["cumulative_lift", "ci_low", "ci_high", "market_caar"])
    assert [r["verdict"] for r in got["rows"]] == direct["verdict"].tolist()


def test_volatility_equals_the_library(client: TestClient, ws: ll.Workspace) -> None:
    got = _get(client, "/api/leaders/sam_archer/risk/volatility", permutations=999, seed=3)
    direct = ll.leader_volatility(ws, "sam_archer", "KNTE", n_permutations=999, seed=3)
    assert got["result"]["asset"] == "KNTE"  # the company stock by default
    for key, value in direct.to_dict().items():
        assert got["result"][key] == (pytest.approx(value) if isinstance(value, float) else value)
    bars = ws.bars("KNTE")
    assert got["result"]["n_bars"] == len(bars) - 1  # every bar but the first has a return
    assert got["summary"] == direct.summary()


def test_radar_equals_the_library(client: TestClient, ws: ll.Workspace) -> None:
    got = _get(client, "/api/leaders/rex_vale/risk/radar", max_car=-0.1, top=3)
    direct = ll.negative_radar(ws, "rex_vale", "VLTR", rules=ll.AlertRules(max_car=-0.1))
    assert got["asset"] == "VLTR"
    _rows_equal(got["value"], direct.value, ["car", "car_t", "car_p", "value_rank"])
    assert [r["statement_ids"] for r in got["value"]] == [
        list(ids) for ids in direct.value["statement_ids"]
    ]
    assert len(got["alerts"]) == len(direct.alerts)
    assert len(got["controversy"]) == 50
    assert got["summary"] == direct.summary(top=3)
    assert direct.discoveries is not None and got["discoveries"] == direct.discoveries.to_dict()
    assert got["value"][0]["car"] == min(r["car"] for r in got["value"])


def test_dependence_equals_the_library(client: TestClient, ws: ll.Workspace) -> None:
    got = _get(client, "/api/brands/keynote/risk/dependence", min_silence=5)
    direct = ll.key_person_dependence(ws, "keynote", min_silence=5).to_dict()
    assert got["result"]["index"] == pytest.approx(direct["index"], rel=1e-12)
    assert got["result"]["silence"] == pytest.approx(direct["silence"], rel=1e-12)
    assert got["result"]["leader"] == "sam_archer"


def test_unknown_things_get_404_and_bad_parameters_422(client: TestClient) -> None:
    for url in (
        "/api/brands/nobody/amplification",
        "/api/brands/nobody/spikes",
        "/api/brands/nobody/risk/dependence",
        "/api/brands/orbit/spikes?leader=nobody",
        "/api/brands/orbit/spikes?metric=news",
        "/api/brands/orbit/playbook?asset=NOPE",
        "/api/leaders/nobody/risk/volatility",
        "/api/leaders/lin_wei/risk/radar?asset=NOPE",
    ):
        r = client.get(url)
        assert r.status_code == 404, (url, r.text)
        assert "no " in r.json()["detail"]
    for url, params in (
        ("/api/brands/orbit/playbook", {"by": "magic"}),
        ("/api/brands/orbit/amplification", {"seasonal": "monthly"}),
        ("/api/brands/orbit/amplification", {"level": "nan"}),
        ("/api/brands/orbit/share-of-voice", {"freq": "2d"}),
        ("/api/brands/orbit/spikes", {"k": 0}),
        ("/api/brands/orbit/spikes", {"k": "inf"}),
        ("/api/leaders/lin_wei/risk/radar", {"window_start": 2, "window_end": 1}),
        ("/api/leaders/lin_wei/risk/radar", {"market_cap": -5}),
        ("/api/leaders/lin_wei/risk/volatility", {"permutations": 5}),
        ("/api/brands/orbit/risk/dependence", {"min_silence": 0}),
    ):
        r = client.get(url, params=params)
        assert r.status_code == 422, (url, params, r.text)
        assert r.json()["detail"][0]["msg"], (url, params)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    brand=st.sampled_from(["orbit", "keynote", "voltra", "x", "", "<b>", "%00"]),
    leader=st.one_of(st.none(), st.sampled_from(["lin_wei", "sam_archer", "nobody"])),
    metric=st.sampled_from(["mentions", "search_interest", "news", ""]),
    horizon=st.integers(-2, 40),
    k=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(2.0)),
    path=st.sampled_from(["spikes", "lift", "share-of-voice", "risk/dependence"]),
)
def test_no_parameters_give_a_500(
    client: TestClient,
    brand: str,
    leader: str | None,
    metric: str,
    horizon: int,
    k: float,
    path: str,
) -> None:
    params: dict[str, object] = {"metric": metric, "horizon": horizon, "k": k}
    if leader is not None:
        params["leader"] = leader
    r = client.get(f"/api/brands/{brand}/{path}", params=params)
    assert r.status_code in (200, 404, 422), (path, params, r.status_code, r.text[:300])


@pytest.fixture(scope="module")
def sam_alone(ws: ll.Workspace) -> Any:
    """The library's comparison of sam_archer alone (with its defaults)."""
    compare = pytest.importorskip("leaderlens.risk.compare")
    return compare.compare_leaders(ws, leaders=["sam_archer"])


def test_compare_equals_the_library(client: TestClient, sam_alone: Any) -> None:
    got = _get(client, "/api/compare", leaders=["sam_archer"])
    direct = sam_alone
    want = direct.to_dict()
    assert got["window"] == want["window"] and got["metrics"] == want["metrics"]
    (row,) = got["leaders"]
    for key, value in want["leaders"][0].items():
        assert row[key] == (pytest.approx(value, rel=1e-12) if isinstance(value, float) else value)
    assert row["asset"] == "KNTE" and row["brand"] == "keynote"
    assert got["summary"] == direct.summary()
    for url in ("/api/compare?leaders=nobody", "/api/compare?leaders=lin_wei&asset=NOPE"):
        r = client.get(url)
        assert r.status_code == 404, (url, r.text)


def test_compare_page_shows_every_leader_side_by_side(client: TestClient, sam_alone: Any) -> None:
    """The page's table carries the comparison of all leaders; a leader's column equals the
    library's comparison of that leader alone (each leader's row is computed on its own)."""
    page = client.get("/compare")
    assert page.status_code == 200
    tables = pd.read_html(io.StringIO(page.text), attrs={"id": "leader-comparison-table"})
    shown = tables[0].set_index("measure")
    assert list(shown.columns[1:]) == ["lin_wei", "rex_vale", "sam_archer"]
    alone = sam_alone.to_frame().iloc[0]
    for measure in ("amplification_factor", "caar", "volatility_share", "dependence"):
        assert float(shown.loc[measure, "sam_archer"]) == pytest.approx(
            float(alone[measure]), abs=5e-5
        ), measure
    assert 'id="plot-leader-comparison"' in page.text


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    leader=st.sampled_from(["lin_wei", "rex_vale", "nobody", "<b>"]),
    asset=st.one_of(st.none(), st.sampled_from(["KNTE", "VOLT-USD", "HKX", "zz", ""])),
    start=st.integers(-15, 70),
    end=st.integers(-15, 70),
    market_cap=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    path=st.sampled_from(["risk/radar", "risk/volatility"]),
)
def test_no_risk_parameters_give_a_500(
    client: TestClient,
    leader: str,
    asset: str | None,
    start: int,
    end: int,
    market_cap: float | None,
    path: str,
) -> None:
    params: dict[str, object] = {"window_start": start, "window_end": end, "permutations": 99}
    if asset is not None:
        params["asset"] = asset
    if market_cap is not None:
        params["market_cap"] = market_cap
    r = client.get(f"/api/leaders/{leader}/{path}", params=params)
    assert r.status_code in (200, 404, 422), (path, params, r.status_code, r.text[:300])
