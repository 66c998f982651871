"""Shared fixtures: the real public data beside the project, and fresh workspaces."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get(
        "LEADERLENS_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder ../shared/data; tests using it skip, saying why, when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data not found at {SHARED_DATA} (set LEADERLENS_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def readme_tour(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The README tour run once per session: its folder, workspaces and steps (see
    tests/readme_tour.py); the tests that use it check the steps and open the dashboards."""
    from readme_tour import run_block, tour_blocks

    folder = tmp_path_factory.mktemp("readme-tour")
    steps = [step for block in tour_blocks() for step in run_block(block, folder, shared_data)]
    workspaces = sorted(folder.glob("*.duckdb"))
    return {"folder": folder, "steps": steps, "workspaces": workspaces}
