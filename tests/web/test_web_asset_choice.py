"""A leader whose asset cannot be told: the dashboard shows what to run or a picker (HTML,
never raw JSON); the JSON API speaks to an HTTP client (no command-line options)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient

import leaderlens as ll


def test_no_asset_and_several_assets(tmp_path: Path) -> None:
    from leaderlens.web import create_app

    path = tmp_path / "w.duckdb"
    with ll.Workspace.open(path) as ws:
        ws.add_leader("jobs", name="Steve Jobs", company="Apple")
        ws.add_leader("musk", name="Elon Musk", company="Tesla", stocks=["TSLA", "TSLA-FULL"])
        ws.add_asset("TSLA", calendar="XNYS")
        ws.add_asset("TSLA-FULL", calendar="XNYS")
        moments = pd.DataFrame({"time": ["2007-01-09T10:00-08:00"], "label": ["iPhone"]})
        ws.ingest_moments(moments, leader="jobs")
    with TestClient(create_app(path), base_url="http://127.0.0.1") as client:
        page = client.get("/leaders/jobs")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "leaderlens add leader jobs --stock TICKER" in page.text
        assert "--company &#x27;Apple&#x27;" in page.text or "--company 'Apple'" in page.text
        api = client.get("/api/leaders/jobs/event-study")
        assert api.status_code == 404 and "?asset=ID" in api.json()["detail"]
        assert "--asset" not in api.json()["detail"]
        picker = client.get("/leaders/musk")
        assert picker.status_code == 409
        assert 'href="/leaders/musk?asset=TSLA-FULL"' in picker.text
        api = client.get("/api/leaders/musk/event-study")
        assert api.status_code == 422
        detail = api.json()["detail"][0]["msg"]
        assert "TSLA (stock), TSLA-FULL (stock)" in detail and "--asset" not in detail
        leaders = {r["leader_id"]: r for r in client.get("/api/leaders").json()}
        assert leaders["musk"]["assets"] == ["TSLA", "TSLA-FULL"]
        assert leaders["musk"]["default_asset"] is None
