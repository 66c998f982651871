"""Fixtures of the web tests: the annotated demo world with a hostile statement (built by
the report tests' helper, ``tests/report/report_world.py``) and one application over it,
shared by every web test module so that an analysis computed once (the leader comparison
takes seconds) answers from the application's cache afterwards, as it does in production."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import leaderlens as ll

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))

from browser import ARGS, CHROMIUM, Watch
from report_world import build_world


@pytest.fixture(scope="session")
def world_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("web-world") / "demo.duckdb")


@pytest.fixture(scope="session")
def web_app(world_path: Path) -> FastAPI:
    from leaderlens.web import create_app
    from leaderlens.web.app import LOOPBACK_NAMES

    # schemathesis calls the application as host "testserver"
    return create_app(world_path, allowed_hosts=[*LOOPBACK_NAMES, "testserver"])


@pytest.fixture(scope="module")
def client(web_app: FastAPI) -> Iterator[TestClient]:
    """A test client of the shared app, one per test module."""
    with TestClient(web_app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="module")
def ws(world_path: Path) -> Iterator[ll.Workspace]:
    """The test world, read-only, one per test module (the library side of each witness)."""
    with ll.Workspace.open(world_path, read_only=True) as workspace:
        yield workspace


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    p = context.new_page()
    watch = Watch()
    watch.attach(p)
    yield p, watch
    context.close()
