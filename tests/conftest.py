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
