"""Fixtures of the attention tests: one demo workspace per session (built in about 6 s)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaderlens.demo.build import build_demo
from leaderlens.store.workspace import Workspace


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("attention_demo") / "demo.duckdb"
    build_demo(path, seed=7)
    return path


@pytest.fixture(scope="session")
def demo_ws(demo_path: Path) -> Iterator[Workspace]:
    with Workspace.open(demo_path, read_only=True) as ws:
        yield ws
