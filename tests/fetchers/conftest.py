"""Fixtures for the live-source tests: no network, a fake clock, fresh workspaces.

Every test here runs with sockets disabled (pytest-socket), and libcurl transfers (used by
yfinance through curl_cffi, below Python's socket module) are blocked too, so any attempt to
reach the network fails the test instead of silently passing or hanging.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_socket = pytest.importorskip("pytest_socket")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    pytest_socket.disable_socket(allow_unix_socket=True)
    try:
        from curl_cffi.curl import Curl

        def blocked(self: object, *args: object, **kwargs: object) -> None:
            raise pytest_socket.SocketBlockedError()

        monkeypatch.setattr(Curl, "perform", blocked)
    except ImportError:
        pass
    yield
    pytest_socket.enable_socket()


class FakeClock:
    """A clock that never sleeps: ``sleep`` records the wait and moves time forward."""

    def __init__(self, start: float) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(seconds, 0.0)


@pytest.fixture
def make_clock() -> type[FakeClock]:
    return FakeClock


@pytest.fixture
def clock() -> FakeClock:
    # 2024-01-02 00:00 UTC: after every date used in these tests
    return FakeClock(1704153600.0)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[object]:
    from leaderlens import Workspace

    with Workspace.open(tmp_path / "w.duckdb") as workspace:
        yield workspace
