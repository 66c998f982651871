"""The report's moments section: the counterfactual next to the event study on the demo world.

Witness: the event study's own day-0 abnormal return (market model) for the same statement;
over one bar the counterfactual's effect must agree with it within its posterior s.d.
"""

from __future__ import annotations

from pathlib import Path

import leaderlens as ll
from leaderlens.report.content import default_asset
from leaderlens.report.moments import gather_moments, moments_section


def test_largest_moments_beside_their_car(world_path: Path) -> None:
    with ll.Workspace.open(world_path, read_only=True) as ws:
        asset = default_asset(ws, "lin_wei")
        study = ll.event_study(ws, leader="lin_wei", asset=asset, window=(0, 0))
        row = ws.assets().set_index("asset_id", drop=False).loc[asset].to_dict()
        notes: dict[str, str] = {}
        views = gather_moments(ws, row, study, notes)
    assert [v.which for v in views] == ["largest fall", "largest rise"] and not notes
    for view in views:
        effect = view.impact.moments[0].effect
        assert effect.n == 1
        assert abs(effect.effect[0] - view.car) < effect.prediction_sd[0]
    assert views[0].impact.moments[0].effect.effect[0] < 0 < views[1].car
    html = moments_section(views, notes)
    assert 'id="moments"' in html and html.count("plot-moment-") >= 2
    assert "needs a benchmark" in moments_section(
        (), {"moments": "moments not shown: the asset needs a benchmark"}
    )
