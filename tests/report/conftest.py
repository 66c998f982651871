"""Fixtures of the report tests: the annotated demo world with a hostile statement."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_world import build_world


@pytest.fixture(scope="session")
def world_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("report-world") / "demo.duckdb")
