"""The dashboards of the README tour's workspaces in a real browser: every page the home page
links to (each leader, its first event's drill-down, its pre-flight page), the comparison and
the API docs answer 200 with no console error, no request leaving 127.0.0.1 and every chart
drawn (an empty chart fails)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM, Watch, plots_drawn, serving

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not found at /usr/bin/chromium"),
]


@pytest.fixture(scope="module", params=["tesla.duckdb", "moments.duckdb"])
def tour_server(request: pytest.FixtureRequest, readme_tour: dict) -> Iterator[str]:
    from leaderlens.web import create_app

    path: Path = readme_tour["folder"] / request.param
    if not path.exists():
        pytest.fail(f"the README tour did not make {path.name}")
    with serving(create_app(path)) as url:
        yield url


def _open(p: Any, url: str, wait: str | None = None, timeout: int = 90_000) -> None:
    response = p.goto(url, timeout=timeout)
    assert response is not None and response.status == 200, (url, response and response.status)
    if wait:
        p.wait_for_selector(wait, timeout=timeout)


def _charts(p: Any) -> list[str]:
    return list(p.eval_on_selector_all("div.plotly-graph-div", "els => els.map(e => e.id)"))


def test_every_page_the_tour_links_to(
    tour_server: str, page: tuple[Any, Watch], tmp_path: Path
) -> None:
    p, watch = page
    _open(p, tour_server + "/", "#leaders-table")
    leaders = p.eval_on_selector_all("#leaders-table a", "as => as.map(a => a.href)")
    assert leaders
    for n, leader in enumerate(leaders):
        _open(p, leader, "#plot-caar svg.main-svg")
        plots_drawn(p, [c for c in _charts(p) if c in ("plot-caar", "plot-timeline")])
        p.screenshot(path=str(tmp_path / f"leader-{n}.png"), full_page=True)
        first_event = p.locator("#events-table a").first.get_attribute("href")
        _open(p, tour_server + str(first_event), "#plot-event-prices svg.main-svg")
        plots_drawn(p, ["plot-event-prices"])
        p.screenshot(path=str(tmp_path / f"event-{n}.png"), full_page=True)
        _open(p, leader.split("?")[0] + "/preflight", "#preflight-text")
    _open(p, tour_server + "/compare", "#plot-comparison svg.main-svg", timeout=180_000)
    plots_drawn(p, ["plot-comparison"])
    p.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
    _open(p, tour_server + "/docs", ".swagger-ui .opblock-summary")
    watch.clean()
