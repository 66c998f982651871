"""Shared by the browser tests: Debian's Chromium (never a downloaded browser), what a page
did (console errors, requests leaving 127.0.0.1, dialogs), a server on a free local port, and
whether a plot drew marks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Watch:
    """What a page did: console errors, requests outside 127.0.0.1, dialogs."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)

        def route(r: Any) -> None:
            url = urlparse(r.request.url)
            if url.scheme in ("file", "data", "blob", "about") or url.hostname == "127.0.0.1":
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def clean(self) -> None:
        assert self.errors == []
        assert self.outside == []
        assert self.dialogs == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 in a thread; yields its base address."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def plots_drawn(p: Any, ids: list[str]) -> None:
    for plot in ids:
        marks = p.evaluate(
            """id => {
                const el = document.getElementById(id);
                if (!el) return -1;
                const svg = el.querySelector('svg.main-svg');
                if (!svg) return 0;
                const box = svg.getBoundingClientRect();
                if (box.width < 50 || box.height < 50) return 0;
                return el.querySelectorAll('.scatterlayer path, .scatterlayer .point').length;
            }""",
            plot,
        )
        assert marks > 0, plot
