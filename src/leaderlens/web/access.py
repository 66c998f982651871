"""Read-only access to the workspace for the web application.

The workspace is opened read-only only when something is not cached yet. Loads write a side
copy and rename it over the workspace when they commit (:mod:`leaderlens.store.opening`), so a
read-only open always succeeds on the last published state, also while a load runs; a file
that cannot be read (missing, damaged) becomes HTTP 503 with the reason. What was read is
cached per workspace state (inode, size and modification time of the file): the leaders, and
per (leader, asset, settings) a :class:`StudyView` with the finished study, its per-event
table, the leader's statements and the asset's bars; rendered pages are cached the same way.
Pages therefore answer from memory and see a finished load at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from fastapi import HTTPException, Request

import leaderlens as ll
from leaderlens.errors import LeaderlensError, MissingDataError
from leaderlens.report.content import StudyOptions, brand_attention, default_asset

T = TypeVar("T")
# How an HTTP client names the asset when the leader's own cannot be told.
CHOOSE = "add ?asset=ID to the address"
CACHE_SIZE = 256


class WorkspaceBusy(HTTPException):
    """The workspace cannot be opened for reading right now (HTTP 503)."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=503, detail=message, headers={"Retry-After": "5"})


@dataclass(frozen=True)
class StudyView:
    """One leader's study on one asset, with what pages need around it.

    result: the event study (split by channel). events: ``result.events_frame()``.
    statements: the leader's statements (statement_id, ts, channel, text, url), oldest first.
    prices: the asset's daily bars (ts, close), oldest first.
    attention: the first attention series of a brand naming the leader (ts, value; its
        ``attrs["label"]`` names it), or None.
    """

    leader: dict[str, Any]
    asset: str
    options: StudyOptions
    result: Any
    events: pd.DataFrame
    statements: pd.DataFrame
    prices: pd.DataFrame
    attention: pd.DataFrame | None


def workspace_access(request: Request) -> WorkspaceAccess:
    """The application's :class:`WorkspaceAccess` (set by ``create_app``)."""
    access: WorkspaceAccess = request.app.state.access
    return access


class WorkspaceAccess:
    """Opens the workspace read-only when needed and caches what it read, per file state."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[tuple[Any, ...], threading.Lock] = {}

    def state(self) -> tuple[int, ...]:
        """Inode, size and modification time (ns) of the workspace file (a published load
        replaces the file) and of a write-ahead log an older writer may have left."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise WorkspaceBusy(f"no workspace at {self.path}") from None
        wal = self.path.with_name(self.path.name + ".wal")
        log = wal.stat() if wal.exists() else None
        return (
            st.st_ino,
            st.st_size,
            st.st_mtime_ns,
            *((log.st_size, log.st_mtime_ns) if log else ()),
        )

    def data_as_of(self) -> datetime:
        """When the workspace last changed (the last published load), in UTC."""
        return datetime.fromtimestamp(self.state()[2] / 1e9, tz=UTC)

    @contextmanager
    def open(self) -> Iterator[ll.Workspace]:
        """A read-only workspace for one request; 503 when it cannot be read."""
        self.state()
        try:
            ws = ll.Workspace.open(self.path, read_only=True)
        except LeaderlensError as exc:
            raise WorkspaceBusy(f"the workspace cannot be read: {exc.message}") from exc
        try:
            yield ws
        finally:
            ws.close()

    def cached(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """``make()`` once per key and workspace state (least recently used dropped first).

        Concurrent requests for the same missing key wait for the first one's answer instead
        of each computing it: a slow analysis asked for by many clients at once runs once."""
        full = (*key, self.state())
        with self._lock:
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full]
            gate = self._making.setdefault(full, threading.Lock())
        with gate:
            with self._lock:
                if full in self._cache:  # made by the request this one waited for
                    self._cache.move_to_end(full)
                    return self._cache[full]
            try:
                value = make()
            except BaseException:
                with self._lock:
                    self._making.pop(full, None)
                raise
            with self._lock:
                self._cache[full] = value
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
                self._making.pop(full, None)
        return value

    def computed(self, key: tuple[Any, ...], compute: Callable[[ll.Workspace], T]) -> T:
        """``compute(ws)`` on a read-only workspace, once per key and workspace state: heavy
        analyses run once and then answer from memory, also while a writer holds the file."""

        def run() -> T:
            with self.open() as ws:
                return compute(ws)

        return self.cached(key, run)

    def brands(self) -> pd.DataFrame:
        """The workspace's brands (``Workspace.brands()``), cached."""
        return self.computed(("brands",), lambda ws: ws.brands())

    def require_brand(self, brand: str) -> dict[str, Any]:
        """The brand's row; 404 (MissingDataError) when the workspace has no such brand."""
        found = self.brands()
        row = found[found["brand_id"] == brand]
        if row.empty:
            raise MissingDataError(f"no brand {brand!r} in the workspace", field="brand")
        return dict(row.iloc[0].items())

    def leaders(self) -> pd.DataFrame:
        def read() -> pd.DataFrame:
            with self.open() as ws:
                return ws.leaders()

        return self.cached(("leaders",), read)

    def require_leader(self, leader: str) -> dict[str, Any]:
        """The leader's row; 404 (MissingDataError) when the workspace has no such leader."""
        found = self.leaders()
        row = found[found["leader_id"] == leader]
        if row.empty:
            raise MissingDataError(f"no leader {leader!r} in the workspace", field="leader")
        return {k: (v.item() if hasattr(v, "item") else v) for k, v in row.iloc[0].items()}

    def view(self, leader: str, asset: str | None, options: StudyOptions) -> StudyView:
        """The study of ``leader`` on ``asset`` (default: the company's stock), cached."""
        row = self.require_leader(leader)

        def read() -> StudyView:
            with self.open() as ws:
                used = asset if asset is not None else default_asset(ws, leader, choose=CHOOSE)
                if asset is not None and asset not in set(ws.assets()["asset_id"]):
                    raise MissingDataError(f"no asset {asset!r} in the workspace", asset=asset)
                result = options.call(ws, leader, used, by="channel")
                texts = ws.statements(leader)[["statement_id", "ts", "channel", "text", "url"]]
                prices = ws.bars(used, freq="1d")[["ts", "close"]]
                attention = brand_attention(ws, leader)
            return StudyView(
                row, used, options, result, result.events_frame(), texts, prices, attention
            )

        return self.cached(("view", leader, asset, options), read)
