"""Fixtures of the pre-flight tests: one annotated demo workspace per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderlens.demo.build import build_demo
from leaderlens.store.workspace import Workspace


@pytest.fixture(scope="session")
def preflight_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("preflight_demo") / "demo.duckdb"
    build_demo(path, seed=7)
    with Workspace.open(path) as ws:
        ws.annotate(leader="rex_vale", progress=False)
    return path
