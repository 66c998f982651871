"""The workspace access's cache: one computation per key and workspace state, also when many
requests ask for a missing key at once; a failed computation is not cached."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from leaderlens.web.access import WorkspaceAccess


def test_concurrent_requests_compute_a_key_once(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    path.write_bytes(b"stand-in: only its size and modification time are read")
    access = WorkspaceAccess(path)
    calls: list[int] = []
    answers: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    threads = [
        threading.Thread(target=lambda: answers.append(access.cached(("k",), slow)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert answers == [42] * 8
    assert len(calls) == 1
    # Another key is computed on its own; a new workspace state computes again.
    assert access.cached(("other",), slow) == 42 and len(calls) == 2
    path.write_bytes(b"written: another size")
    assert access.cached(("k",), slow) == 42 and len(calls) == 3


def test_a_failed_computation_is_not_cached(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    path.write_bytes(b"x")
    access = WorkspaceAccess(path)

    def fail() -> int:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        access.cached(("k",), fail)
    assert access.cached(("k",), lambda: 7) == 7


def test_a_foreign_host_header_is_refused(world_path: Path) -> None:
    """DNS rebinding: a page on evil.example that resolves its name to 127.0.0.1 sends
    ``Host: evil.example``; the server answers only the names it is reached by."""
    from leaderlens.web import create_app
    from leaderlens.web.app import allowed_hosts_for

    app = create_app(world_path, allowed_hosts=allowed_hosts_for("127.0.0.1", ["dash.lan"]))
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/health", headers={"host": "localhost:8000"}).status_code == 200
        assert c.get("/api/health", headers={"host": "dash.lan"}).status_code == 200
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
            assert c.get("/api/leaders", headers={"host": host}).status_code == 400
    assert allowed_hosts_for("0.0.0.0") == ["*"]
    assert allowed_hosts_for("10.0.0.5") == ["10.0.0.5"]


def test_pages_cannot_be_framed_and_load_only_this_server(client: TestClient) -> None:
    for url in ("/", "/api/health", "/leaders/lin_wei", "/docs", "/redoc"):
        got = client.get(url)
        assert got.headers["x-frame-options"] == "DENY"
        policy = got.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
        assert "http" not in policy  # nothing from elsewhere
