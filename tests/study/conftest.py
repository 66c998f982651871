"""Fixtures of the study tests: one demo workspace per session (planted effects in its truth)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaderlens.demo.build import build_demo
from leaderlens.store.workspace import Workspace


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo workspace, and an untouched copy of it for commands that open it themselves."""
    folder = tmp_path_factory.mktemp("study_demo")
    path = folder / "demo.duckdb"
    build_demo(path, seed=7)
    copy = folder / "copy.duckdb"
    shutil.copyfile(path, copy)
    return path, copy


@pytest.fixture(scope="session")
def demo_ws(demo_files: tuple[Path, Path]) -> Iterator[Workspace]:
    with Workspace.open(demo_files[0]) as ws:
        yield ws
