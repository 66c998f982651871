"""The report's risk section carries the leaders side by side (escaped table and chart)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leaderlens.report.risk import RiskParts, comparison_html, gather_risk
from leaderlens.risk.compare import METRICS, LeaderComparison


def test_gather_risk_compares_the_leaders(risk_ws) -> None:
    parts = gather_risk(risk_ws, "rex_vale", "VLTR", compare=True)
    assert parts.comparison is not None
    assert set(parts.comparison.table["leader"]) == {"lin_wei", "rex_vale", "sam_archer"}
    assert "risk_comparison" in parts.tables()
    html = comparison_html(parts)
    assert 'id="risk-comparison-table"' in html and "plot-risk-comparison" in html
    alone = gather_risk(risk_ws, "rex_vale", "VLTR")  # off by default: it costs seconds
    assert alone.comparison is None and comparison_html(alone) == ""


def test_comparison_html_escapes_names() -> None:
    row = {"leader": "<b>x</b>", "brand": "b", "asset": "A", "reasons": "<i>why</i>"}
    row |= {name: np.nan for name, _ in METRICS}
    found = LeaderComparison(table=pd.DataFrame([row]), window=(0, 0), metric="mentions")
    html = comparison_html(RiskParts(None, None, (), (), found))
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<i>why</i>" not in html
