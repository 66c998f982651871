"""The pre-flight API and the dashboard's pre-flight page through FastAPI's test client.

Witness: ``leaderlens.preflight.preflight`` called directly on the same demo world (the
endpoint must give its ``to_dict()``), and the draft's text read back from the page as text.
"""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

import leaderlens as ll

preflight_module = pytest.importorskip("leaderlens.preflight")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DRAFT = "<script>alert(3)</script> The new Orbit phone ships today, love it!"


def test_preflight_equals_the_library(client: TestClient, ws: ll.Workspace) -> None:
    r = client.post("/api/leaders/lin_wei/preflight", json={"text": DRAFT, "k": 10})
    assert r.status_code == 200, r.text[:300]
    got = r.json()
    direct = preflight_module.preflight(ws, "lin_wei", DRAFT, asset="ORBT.HK", k=10).to_dict()
    assert got["asset"] == "ORBT.HK"  # the company stock by default
    assert got["text"] == DRAFT
    for key in ("language", "sentiment_label", "topics", "risk_flags", "alerts"):
        assert got[key] == direct[key], key
    assert [n["statement_id"] for n in got["neighbours"]] == [
        n["statement_id"] for n in direct["neighbours"]
    ]
    assert [n["car"] for n in got["neighbours"]] == [
        None if n["car"] is None else pytest.approx(n["car"], rel=1e-12)
        for n in direct["neighbours"]
    ]
    for target, p in direct["prediction"].items():
        assert got["prediction"][target]["median"] == pytest.approx(p["median"], rel=1e-12)
        assert got["prediction"][target]["n"] == p["n"]
    assert got["summary"].startswith("pre-flight check for lin_wei on ORBT.HK")


def test_preflight_rejects_bad_drafts(client: TestClient) -> None:
    for body in ({}, {"text": ""}, {"text": "   "}, {"text": "x", "k": 0}, {"text": 5}):
        r = client.post("/api/leaders/lin_wei/preflight", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"][0]["loc"][0] == "body", body
    for body in ({"text": "x", "asset": "NOPE"}, {"text": "x", "channel": "carrier-pigeon"}):
        r = client.post("/api/leaders/lin_wei/preflight", json=body)
        assert r.status_code == 404, (body, r.text)
    r = client.post("/api/leaders/nobody/preflight", json={"text": "x"})
    assert r.status_code == 404 and "nobody" in r.json()["detail"]


def test_preflight_page_escapes_the_draft(client: TestClient) -> None:
    overview = client.get("/leaders/lin_wei").text
    assert 'id="preflight-form"' in overview
    assert 'action="/leaders/lin_wei/preflight"' in overview
    r = client.post("/leaders/lin_wei/preflight", data={"text": DRAFT, "channel": ""})
    assert r.status_code == 200
    assert "<script>alert(3)" not in r.text
    shown = re.search(r'<pre class="text" id="preflight-draft">(.*?)</pre>', r.text, re.S)
    assert shown is not None and html.unescape(shown.group(1)) == DRAFT
    # The textarea keeps the draft, escaped, so it can be edited and checked again.
    kept = re.search(r'<textarea id="preflight-text"[^>]*>(.*?)</textarea>', r.text, re.S)
    assert kept is not None and html.unescape(kept.group(1)) == DRAFT
    for part in ("preflight-facts", "preflight-prediction", "preflight-flags"):
        assert f'id="{part}"' in r.text, part
    empty = client.post("/leaders/lin_wei/preflight", data={"text": "  "})
    assert empty.status_code == 422 and 'id="preflight-problem"' in empty.text
