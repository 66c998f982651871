"""Fixtures of the study tests: one demo workspace per session (planted effects in its truth)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leaderlens.demo.build import build_demo
from leaderlens.store.workspace import Workspace


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("study_demo") / "demo.duckdb"
    build_demo(path, seed=7)
    with Workspace.open(path) as ws:
        yield ws
