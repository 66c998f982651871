"""The JSON API and the pages through FastAPI's test client: status codes, tokens, the
single-writer lock, no 500s on any parameter, and numbers checked against the stored data.

Witnesses: statements and bars read back through ``Workspace`` and recomputed with pandas
(returns as ``close.pct_change()``), the study run directly through the public API.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leaderlens as ll
from leaderlens.web import create_app, is_local

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_openapi_schema_lists_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/leaders",
        "/api/leaders/{leader}",
        "/api/assets",
        "/api/leaders/{leader}/statements",
        "/api/leaders/{leader}/event-study",
        "/api/leaders/{leader}/events/{index}",
        "/api/leaders/{leader}/persona",
    ):
        assert "get" in schema["paths"][path], path
    params = {
        p["name"]: p
        for p in schema["paths"]["/api/leaders/{leader}/event-study"]["get"]["parameters"]
    }
    assert params["model"]["schema"]["enum"] == ["constant-mean", "market-adjusted", "market"]
    assert params["window_start"]["schema"]["minimum"] == -60


def test_leaders_assets_and_statements(client: TestClient, ws: ll.Workspace) -> None:
    leaders = client.get("/api/leaders").json()
    assert {r["leader_id"]: r["default_asset"] for r in leaders} == {
        "lin_wei": "ORBT.HK",
        "rex_vale": "VLTR",
        "sam_archer": "KNTE",
    }
    counts = {r["leader_id"]: r["statements"] for r in leaders}
    assert counts["sam_archer"] == len(ws.statements("sam_archer"))
    assets = {r["asset_id"] for r in client.get("/api/assets").json()}
    assert set(ws.assets()["asset_id"]) <= assets
    page = client.get("/api/leaders/lin_wei/statements", params={"limit": 5, "offset": 3}).json()
    stored = ws.statements("lin_wei")
    assert page["total"] == len(stored)
    assert [i["statement_id"] for i in page["items"]] == stored["statement_id"][3:8].tolist()
    assert {"sentiment", "topics", "text_language"} <= set(page["items"][0])
    only = client.get(
        "/api/leaders/lin_wei/statements",
        params={"channel": "keynote", "start": "2023-01-01T00:00Z", "limit": 1000},
    ).json()
    ts = pd.to_datetime(stored["ts"], utc=True)
    expected = stored[(stored["channel"] == "keynote") & (ts >= pd.Timestamp("2023-01-01T00:00Z"))]
    assert only["total"] == len(expected)


def test_event_study_matches_the_public_api(client: TestClient, ws: ll.Workspace) -> None:
    got = client.get(
        "/api/leaders/sam_archer/event-study", params={"model": "market-adjusted"}
    ).json()
    direct = ll.event_study(
        ws,
        leader="sam_archer",
        asset="KNTE",
        model="market-adjusted",
        n_bootstrap=200,
        n_placebo=0,
        by="channel",
    ).to_dict()
    assert got["settings"]["model"] == "market-adjusted"
    assert got["aggregate"]["caar"] == pytest.approx(direct["aggregate"]["caar"], rel=1e-12)
    assert [e["car"] for e in got["events"]] == [e["car"] for e in direct["events"]]


def test_event_detail_returns_match_the_bars(client: TestClient, ws: ll.Workspace) -> None:
    study = client.get("/api/leaders/sam_archer/event-study").json()
    index = next(i for i, e in enumerate(study["events"]) if e["excluded"] is None)
    detail = client.get(f"/api/leaders/sam_archer/events/{index}").json()
    bars = ws.bars("KNTE")
    closes = bars.set_index(pd.to_datetime(bars["ts"], utc=True))["close"]
    returns = closes.pct_change()
    k0 = returns.index.get_loc(pd.Timestamp(detail["day0"], tz="UTC"))
    path = pd.DataFrame(detail["path"])
    np.testing.assert_allclose(path["return"], returns.iloc[k0 - 1 : k0 + 2], rtol=1e-9)
    np.testing.assert_allclose(path["car"], np.cumsum(path["ar"]), rtol=1e-12)
    assert detail["car"] == pytest.approx(path["car"].iloc[-1], rel=1e-9)
    ids = study["events"][index]["statement_ids"]
    assert [s["statement_id"] for s in detail["statements"]] == ids


def test_the_drill_down_shows_the_moments_counterfactual(
    client: TestClient, ws: ll.Workspace
) -> None:
    """The page's counterfactual is ``leaderlens.impact`` on the asset's returns against its
    benchmark, from day 0 to the window's end (seeded: the same call gives the same draws)."""
    from leaderlens.report.html_parts import pct
    from leaderlens.report.moments import moment_impact

    study = client.get("/api/leaders/sam_archer/event-study").json()
    index = next(i for i, e in enumerate(study["events"]) if e["excluded"] is None)
    detail = client.get(f"/api/leaders/sam_archer/events/{index}").json()
    page = client.get(f"/leaders/sam_archer/events/{index}").text
    benchmark = ws.assets().set_index("asset_id").loc["KNTE", "benchmark_id"]
    direct = moment_impact(ws, "KNTE", benchmark, detail["time"], detail["window"][1] + 1)
    effect = direct.moments[0].effect
    section = page[page.index('id="counterfactual"') :]
    assert f"Cumulative effect {pct(effect.effect[1])}" in section
    assert f"[{pct(effect.effect_lower[1])}, {pct(effect.effect_upper[1])}]" in section


def test_bad_parameters_get_422_with_a_message(client: TestClient) -> None:
    bad = [
        ("/api/leaders/lin_wei/event-study", {"model": "magic"}),
        ("/api/leaders/lin_wei/event-study", {"window_start": 3, "window_end": 1}),
        ("/api/leaders/lin_wei/event-study", {"window_start": -20}),
        ("/api/leaders/lin_wei/event-study", {"returns": "weird"}),
        ("/api/leaders/lin_wei/statements", {"limit": 0}),
        ("/api/leaders/lin_wei/statements", {"start": "yesterday"}),
        ("/api/leaders/lin_wei/statements", {"start": "2023-01-01T00:00"}),
        ("/api/leaders/lin_wei/events/-1", {}),
        ("/leaders/lin_wei", {"window_end": "x"}),
    ]
    for url, params in bad:
        r = client.get(url, params=params)
        assert r.status_code == 422, (url, params, r.text)
        (first, *_) = r.json()["detail"]
        assert first["msg"] and first["loc"], (url, params)
    r = client.get("/api/leaders/lin_wei/event-study", params={"window_start": 3, "window_end": 1})
    assert r.json()["detail"][0] == {
        "loc": ["query", "window_start"],
        "msg": "field 'window_start': window_start (3) must not be after window_end (1)",
        "type": "value_error",
    }


def test_unknown_things_get_404(client: TestClient) -> None:
    for url in (
        "/api/leaders/nobody",
        "/api/leaders/nobody/statements",
        "/api/leaders/nobody/event-study",
        "/api/leaders/nobody/persona",
        "/api/leaders/lin_wei/event-study?asset=NOPE",
        "/api/leaders/lin_wei/events/999999",
        "/leaders/nobody",
        "/leaders/lin_wei/events/999999",
    ):
        r = client.get(url)
        assert r.status_code == 404, (url, r.text)
        if url.startswith("/api/"):
            assert "no " in r.json()["detail"]
        else:  # dashboard pages answer with a page a person reads, never raw JSON
            assert r.headers["content-type"].startswith("text/html")
            assert "<h1>Not available</h1>" in r.text and "no " in r.text


def test_pages_escape_the_hostile_statement(client: TestClient) -> None:
    study = client.get("/api/leaders/lin_wei/event-study").json()
    index = next(i for i, e in enumerate(study["events"]) if "lw-hostile" in e["statement_ids"])
    for url in ("/leaders/lin_wei", f"/leaders/lin_wei/events/{index}"):
        html = client.get(url).text
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    overview = client.get("/leaders/lin_wei").text
    assert f'href="/leaders/lin_wei/events/{index}"' in overview


def test_token_is_required_when_set(world_path: Path) -> None:
    with TestClient(create_app(world_path, token="s3cret"), base_url="http://127.0.0.1") as c:
        assert c.get("/api/leaders").status_code == 401
        assert c.get("/").status_code == 401
        assert c.get("/api/brands/orbit/spikes").status_code == 401
        assert c.post("/api/leaders/lin_wei/preflight", json={"text": "hi"}).status_code == 401
        assert c.post("/leaders/lin_wei/preflight", data={"text": "hi"}).status_code == 401
        assert c.get("/openapi.json").status_code == 401
        assert c.get("/api/leaders", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/api/leaders", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert c.get("/api/assets", headers={"X-Leaderlens-Token": "s3cret"}).status_code == 200
        # ?token= once sets a cookie, so that the pages' own links work in a browser.
        assert c.get("/", params={"token": "s3cret"}).status_code == 200
        assert c.get("/leaders/sam_archer").status_code == 200
    with pytest.raises(ll.BadInputError):
        create_app(world_path, token=" ")


def test_is_local() -> None:
    assert all(is_local(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"))
    assert not any(is_local(h) for h in ("0.0.0.0", "::", "192.168.1.2", "example.org"))


def test_a_writer_holding_the_workspace_is_handled(world_path: Path, tmp_path: Path) -> None:
    """While another process writes, everything is served from the last published state
    (cached or computed afresh); once it is done, its changes are seen at once."""
    copy = tmp_path / "busy.duckdb"
    copy.write_bytes(world_path.read_bytes())
    with TestClient(create_app(copy), base_url="http://127.0.0.1") as c:
        before = c.get("/api/leaders")
        assert before.status_code == 200 and len(before.json()) == 3
        spikes = c.get("/api/brands/keynote/spikes")
        assert spikes.status_code == 200
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, leaderlens as ll; ws = ll.Workspace.open(sys.argv[1]); "
                "print('open', flush=True); sys.stdin.readline(); "
                "ws.add_leader('newbie', name='New Bie', company='Nowhere Inc'); ws.close()",
                str(copy),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
            assert c.get("/api/leaders").json() == before.json()
            assert c.get("/api/brands/keynote/spikes").json() == spikes.json()
            fresh = c.get("/api/brands/keynote/spikes", params={"k": 3})
            assert fresh.status_code == 200, fresh.text
            assert c.get("/leaders/lin_wei").status_code == 200
        finally:
            holder.communicate("go\n", timeout=60)
        assert holder.returncode == 0
        after = c.get("/api/leaders").json()
        assert {r["leader_id"] for r in after} == {"lin_wei", "rex_vale", "sam_archer", "newbie"}
        assert c.get("/leaders/lin_wei").status_code == 200
    with TestClient(create_app(tmp_path / "absent.duckdb"), base_url="http://127.0.0.1") as c:
        assert c.get("/api/leaders").status_code == 503


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    leader=st.sampled_from(["lin_wei", "sam_archer", "x", "", "%00", "../etc", "<b>"]),
    model=st.one_of(st.sampled_from(["market", "constant-mean", "market-adjusted"]), st.text()),
    start=st.integers(-100, 100),
    end=st.integers(-100, 100),
    asset=st.one_of(st.none(), st.sampled_from(["KNTE", "ORBT.HK", "VOLT-USD", "zz"])),
    index=st.integers(-5, 100),
)
def test_no_parameters_give_a_500(
    client: TestClient,
    leader: str,
    model: str,
    start: int,
    end: int,
    asset: str | None,
    index: int,
) -> None:
    params: dict[str, object] = {"model": model, "window_start": start, "window_end": end}
    if asset is not None:
        params["asset"] = asset
    for url in (
        f"/api/leaders/{leader}/event-study",
        f"/api/leaders/{leader}/events/{index}",
        f"/leaders/{leader}/events/{index}",
    ):
        r = client.get(url, params=params)
        assert r.status_code in (200, 404, 422), (url, params, r.status_code, r.text[:300])


def test_cached_pages_answer_fast(client: TestClient) -> None:
    client.get("/leaders/sam_archer")
    started = time.perf_counter()
    for _ in range(5):
        assert client.get("/leaders/sam_archer/events/10").status_code == 200
    assert (time.perf_counter() - started) / 5 < 1.0


def test_event_detail_shows_the_brands_attention_around_day0(
    client: TestClient, ws: ll.Workspace
) -> None:
    study = client.get("/api/leaders/sam_archer/event-study").json()
    index = next(i for i, e in enumerate(study["events"]) if e["excluded"] is None)
    detail = client.get(f"/api/leaders/sam_archer/events/{index}").json()
    attention = detail["attention"]
    assert attention["label"] == "keynote search_interest"
    stored = ws.attention("search_interest", brand="keynote")
    ts = pd.to_datetime(stored["ts"], utc=True)
    day0 = pd.Timestamp(detail["day0"], tz="UTC")
    near = stored[(ts >= day0 - pd.Timedelta(days=14)) & (ts <= day0 + pd.Timedelta(days=14))]
    assert [p["value"] for p in attention["points"]] == near["value"].tolist()
    assert len(near) == 29  # a daily series: 14 days each side and day 0
    page = client.get(f"/leaders/sam_archer/events/{index}").text
    assert 'id="plot-event-attention"' in page
