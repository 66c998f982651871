"""Fixtures of the risk tests: one annotated demo workspace per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaderlens.demo.build import build_demo
from leaderlens.store.workspace import Workspace


@pytest.fixture(scope="session")
def risk_demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("risk_demo") / "demo.duckdb"
    build_demo(path, seed=7)
    with Workspace.open(path) as ws:
        for leader in ("rex_vale", "lin_wei", "sam_archer"):  # persona and topics per leader
            ws.annotate(leader=leader, progress=False)
    return path


@pytest.fixture(scope="session")
def risk_ws(risk_demo_path: Path) -> Iterator[Workspace]:
    with Workspace.open(risk_demo_path, read_only=True) as ws:
        yield ws
