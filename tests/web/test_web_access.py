"""The workspace access's cache: one computation per key and workspace state, also when many
requests ask for a missing key at once; a failed computation is not cached."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

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
