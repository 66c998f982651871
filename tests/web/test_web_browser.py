"""The report and the dashboard in a real browser (Playwright driving Debian's Chromium).

Each page must load with no console error, no request leaving 127.0.0.1 and no dialog (the
hostile statement must not run); plots must draw (SVG with marks); clicking an event opens its
drill-down; the per-event table sorts; the pre-flight box shows its result with a hostile draft
as text. Screenshots go to the test's tmp folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM, Watch, plots_drawn, serving

import leaderlens as ll
from leaderlens.report import build_report

HOSTILE_TEXT = "<script>alert(1)</script><img src=x onerror=alert(2)>"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium not found at /usr/bin/chromium (apt-get install -y chromium)",
)


@pytest.fixture(scope="module")
def server(web_app: Any) -> Iterator[str]:
    with serving(web_app) as url:
        yield url


def test_report_opens_offline_and_draws(
    page: tuple[Any, Watch], world_path: Path, tmp_path: Path
) -> None:
    p, watch = page
    target = tmp_path / "lin_wei.html"
    with ll.Workspace.open(world_path, read_only=True) as ws:
        build_report(ws, "lin_wei", target)
    p.goto(target.as_uri())
    p.wait_for_selector("#plot-caar svg.main-svg")
    plots_drawn(p, ["plot-timeline", "plot-caar", "plot-comparison"])
    # The hostile statement is shown as text in the events table.
    assert HOSTILE_TEXT in p.inner_text("#events-table")
    # Sorting by CAR puts the rows in numeric order.
    header = p.locator("#events-table th", has_text="car").first
    header.click()
    values = p.eval_on_selector_all(
        "#events-table tbody tr td:nth-child(7)",
        "cells => cells.map(c => c.getAttribute('data-v')).filter(v => v !== '').map(Number)",
    )
    assert len(values) > 100 and values == sorted(values)
    p.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    # The hostile statement's hover label shows its text as text.
    shown = p.evaluate(
        """() => {
            const gd = document.getElementById('plot-timeline');
            for (let c = 0; c < gd.data.length; c++) {
                const texts = gd.data[c].hovertext || [];
                const i = texts.findIndex(t => t.includes('alert(1)'));
                if (i >= 0) {
                    Plotly.Fx.hover(gd, [{curveNumber: c, pointNumber: i}]);
                    return gd.querySelector('.hoverlayer').textContent;
                }
            }
            return null;
        }"""
    )
    assert shown is not None and "<script>alert(1)</script>" in shown
    watch.clean()


def test_dashboard_pages_and_drill_down(
    page: tuple[Any, Watch], server: str, tmp_path: Path
) -> None:
    p, watch = page
    p.goto(server + "/")
    p.click("#leaders-table a:has-text('lin_wei')")
    p.wait_for_url("**/leaders/lin_wei")
    p.wait_for_selector("#plot-caar svg.main-svg")
    plots_drawn(p, ["plot-caar", "plot-timeline"])
    p.screenshot(path=str(tmp_path / "overview.png"))
    # Click the hostile statement's event: its drill-down shows the text, literally.
    p.click("#events-table a:has-text('<script>alert(1)')")
    p.wait_for_url("**/leaders/lin_wei/events/*")
    p.wait_for_selector("#plot-event-prices svg.main-svg")
    plots_drawn(p, ["plot-event-prices", "plot-counterfactual"])
    assert "Cumulative effect" in p.inner_text("#counterfactual")
    assert p.inner_text("#statement-text pre.text") == HOSTILE_TEXT
    assert "CAR" in p.inner_text("#event-facts")
    p.screenshot(path=str(tmp_path / "drill-down.png"))
    # The comparison runs every analysis per leader: slow once, then cached.
    p.goto(server + "/compare", timeout=90_000)
    p.wait_for_selector("#plot-comparison svg.main-svg")
    plots_drawn(p, ["plot-comparison"])
    cells = p.evaluate(
        "() => document.querySelectorAll('#plot-leader-comparison .heatmaplayer image').length"
    )
    assert cells > 0
    assert "sam_archer" in p.inner_text("#leader-comparison-table thead")
    p.screenshot(path=str(tmp_path / "compare.png"))
    watch.clean()


def test_preflight_box_shows_the_result_escaped(
    page: tuple[Any, Watch], server: str, tmp_path: Path
) -> None:
    pytest.importorskip("leaderlens.preflight")
    p, watch = page
    draft = "<script>alert(3)</script><img src=x onerror=alert(4)> New Orbit phone today!"
    p.goto(server + "/leaders/lin_wei")
    p.fill("#preflight-text", draft)
    p.click("#preflight-submit")
    p.wait_for_url("**/leaders/lin_wei/preflight")
    p.wait_for_selector("#preflight-result", timeout=30_000)
    assert p.inner_text("#preflight-draft") == draft
    assert p.input_value("#preflight-text") == draft
    facts = p.inner_text("#preflight-facts")
    assert "language" in facts and "topics" in facts
    assert "CAR" in p.inner_text("#preflight-prediction")
    assert p.locator("#preflight-neighbours tbody tr").count() > 0
    assert p.locator("#preflight-flags li").count() > 0
    plots_drawn(p, ["plot-preflight"])
    p.screenshot(path=str(tmp_path / "preflight.png"), full_page=True)
    watch.clean()


def test_api_docs_draw_with_no_network(
    server: str, page: tuple[Any, Watch], tmp_path: Path
) -> None:
    """Swagger UI and ReDoc come from the package: every request outside 127.0.0.1 is
    aborted, and both still draw every documented route."""
    p, watch = page
    p.goto(f"{server}/docs")
    p.wait_for_selector(".swagger-ui .opblock-summary")
    assert p.locator(".opblock-summary-path").count() >= 20
    assert "/api/leaders/{leader}/event-study" in p.locator(".swagger-ui").inner_text()
    p.screenshot(path=str(tmp_path / "docs.png"))
    p.goto(f"{server}/redoc")
    p.wait_for_selector("redoc [role=menuitem], redoc li[data-item-id]")
    assert "event-study" in p.locator("redoc").inner_text().lower().replace(" ", "-")
    watch.clean()
