"""The report as data: every table as CSV / JSON / Parquet, and the JSON document.

:func:`report_tables` names every table the HTML report shows; :func:`write_tables` writes them
to a folder; :func:`report_dict` is the ``leaderlens report --format json`` contract.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from leaderlens.errors import check_choice
from leaderlens.jsonsafe import plain, records
from leaderlens.options import TABLE_FORMATS
from leaderlens.report.attention import PARTS, BrandAttention, granger_table
from leaderlens.report.content import PENDING_SECTIONS, ReportContent

#: Notes that stand for a whole section the report cannot show.
UNAVAILABLE = (*PENDING_SECTIONS, "attention")


def report_tables(content: ReportContent) -> dict[str, pd.DataFrame]:
    """Every table of the report by name (events, aggregate, tests, groups, persona,
    comparison, recovered, statements, and per brand of the leader amplification_<brand>,
    playbook_<brand>, share_of_voice_<brand>, granger_<brand>, lead_lag_<brand>)."""
    result = content.study
    tables = {
        "events": result.events_frame(),
        "aggregate": result.caar_band(),
        "tests": result.tests_frame(),
        "comparison": content.comparison,
        "statements": content.statements.drop(columns=["topic_evidence"], errors="ignore"),
    }
    if result.groups is not None:
        tables["groups"] = result.groups.table
    if content.persona is not None:
        tables["persona"] = content.persona.to_frame().reset_index()
    if content.recovered is not None:
        tables["recovered"] = content.recovered
    if content.market is not None:
        tables["market"] = content.market
    for brand in content.brand_attention:
        tables |= brand.tables()
    if content.risk is not None:
        tables |= content.risk.tables()
    return tables


def write_tables(
    content: ReportContent, folder: str | Path, formats: tuple[str, ...] = ("csv", "json")
) -> list[Path]:
    """Write every table to ``folder`` as ``<name>.<format>``; returns the paths written."""
    for f in formats:
        check_choice("table format", f, TABLE_FORMATS)
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in report_tables(content).items():
        flat = _flat(frame)
        for f in formats:
            path = target / f"{name}.{f}"
            if f == "csv":
                flat.to_csv(path, index=False)
            elif f == "json":
                path.write_text(
                    json.dumps(records(frame), ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8",
                )
            else:
                frame.to_parquet(path, index=False)
            written.append(path)
    return written


def report_dict(content: ReportContent) -> dict[str, Any]:
    """The report as one JSON-ready document."""
    out: dict[str, Any] = {
        "leader": content.leader,
        "asset": content.asset,
        "data_range": content.data_range,
        "headline": content.headline(),
        "event_study": content.study.to_dict(),
        "persona": (
            records(content.persona.to_frame().reset_index())
            if content.persona is not None
            else None
        ),
        "comparison": records(content.comparison),
        "recovered": records(content.recovered) if content.recovered is not None else None,
        "market": records(content.market) if content.market is not None else None,
        "attention": [attention_dict(brand) for brand in content.brand_attention],
        "not_available": {k: v for k, v in content.notes.items() if k in UNAVAILABLE},
        "notes": {k: v for k, v in content.notes.items() if k not in UNAVAILABLE},
    }
    return out


def attention_dict(brand: BrandAttention) -> dict[str, Any]:
    """One brand's attention section: each result's summary and rows, and the notes."""
    parts: dict[str, Any] = {}
    for part in PARTS:
        result = getattr(brand, part)
        parts[part] = (
            {"summary": result.summary(), "rows": records(result.to_frame())}
            if result is not None
            else None
        )
    if brand.amplification is not None:
        a = brand.amplification
        parts["amplification"] |= {
            "reading": a.reading(),
            "factor": plain(a.factor),
            "ci": [plain(a.ci_low), plain(a.ci_high)],
            "level": a.level,
            "defined": a.defined,
        }
    if brand.lead_lag is not None:
        parts["lead_lag"]["granger"] = records(granger_table(brand.lead_lag))
    return {
        "brand": brand.brand,
        "name": brand.name,
        "metric": brand.metric,
        **parts,
        "notes": dict(brand.notes),
    }


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists and dicts as JSON text, for CSV."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, list | dict)).any():
            out[col] = out[col].map(lambda v: json.dumps(plain(v), ensure_ascii=False))
    return out
