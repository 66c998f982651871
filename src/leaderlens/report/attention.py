"""The brand attention a leader's report shows, gathered through the public attention API.

For every brand whose ``leader_ids`` name the leader (``Workspace.brands()``), the report runs
:func:`leaderlens.amplification`, :func:`leaderlens.playbook` (by channel, with the market CAAR
per channel on the report's asset), :func:`leaderlens.brand_share_of_voice`,
:func:`leaderlens.brand_lead_lag` and :func:`leaderlens.cascade` with their documented
defaults, on one attention series of the brand (mention counts preferred: they are what the
leader's statements add to). A part whose data are missing (no attention series, no brand
posts, no mentions, too short a series) keeps the reason instead of a result, so the report
never breaks on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import leaderlens as ll
from leaderlens.errors import LeaderlensError

#: Attention metrics tried for a brand, in order of preference.
METRICS: tuple[str, ...] = ("mentions", "search_interest", "news", "engagement")

#: The parts of a brand's attention section, in the order the report shows them.
PARTS: tuple[str, ...] = ("amplification", "playbook", "share_of_voice", "lead_lag", "cascade")


@dataclass(frozen=True)
class BrandAttention:
    """The attention analyses of one brand of the leader.

    brand: the brand id; name: its display name.
    metric: the attention series used (``mentions`` when the brand has it), or None when the
        brand has no attention series.
    amplification: :class:`~leaderlens.AmplificationResult` (leader statements vs. the brand's
        own posts), or None.
    playbook: :class:`~leaderlens.attention.Playbook` by channel (with the market CAAR per
        channel when ``asset`` is set), or None.
    share_of_voice: :class:`~leaderlens.attention.BrandVoice`, or None.
    lead_lag: :class:`~leaderlens.attention.LeadLag` (leader statement count vs.
        ``log(1 + metric)``), or None.
    cascade: :class:`~leaderlens.Cascade` (the self-exciting decomposition), or None.
    asset: the asset of the playbook's market CAAR.
    notes: part name (one of :data:`PARTS`) -> why that part is not available.
    """

    brand: str
    name: str
    metric: str | None
    amplification: Any | None = None
    playbook: Any | None = None
    share_of_voice: Any | None = None
    lead_lag: Any | None = None
    cascade: Any | None = None
    asset: str | None = None
    notes: dict[str, str] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the section by name (``<part>_<brand>``); the lead-lag gives its
        Granger tests and its impulse responses."""
        # The brand id is user data and becomes part of a file name: keep it to safe characters.
        key = re.sub(r"[^0-9A-Za-z_.-]", "_", self.brand)
        out: dict[str, pd.DataFrame] = {}
        if self.amplification is not None:
            out[f"amplification_{key}"] = self.amplification.to_frame()
        if self.playbook is not None:
            out[f"playbook_{key}"] = self.playbook.to_frame()
        if self.share_of_voice is not None:
            out[f"share_of_voice_{key}"] = self.share_of_voice.to_frame()
        if self.lead_lag is not None:
            out[f"granger_{key}"] = granger_table(self.lead_lag)
            out[f"lead_lag_{key}"] = self.lead_lag.to_frame()
        if self.cascade is not None:
            out[f"cascade_{key}"] = self.cascade.to_frame()
            out[f"cascade_decomposition_{key}"] = self.cascade.decomposition()
        return out


def granger_table(result: Any) -> pd.DataFrame:
    """Both Granger F tests of a :class:`~leaderlens.attention.LeadLag` as rows (cause,
    effect, lags, F, df1, df2, p_value, H0)."""
    x, y = result.names
    rows = []
    for cause, effect, test in ((x, y, result.x_causes_y), (y, x, result.y_causes_x)):
        f, p, df1, df2 = test
        rows.append(
            {
                "cause": cause,
                "effect": effect,
                "lags": result.lag_order,
                "F": f,
                "df1": df1,
                "df2": df2,
                "p_value": p,
                "H0": f"{cause} does not Granger-cause {effect}",
            }
        )
    return pd.DataFrame(rows)


def leader_brands(ws: ll.Workspace, leader: str) -> pd.DataFrame:
    """The brands whose ``leader_ids`` contain ``leader`` (rows of ``ws.brands()``)."""
    brands = ws.brands()
    # A boolean mask, also when there are no brands (an empty object mask would select columns).
    mine = brands["leader_ids"].map(lambda ids: leader in list(ids if ids is not None else []))
    return brands.loc[mine.astype(bool)]


def gather_attention(
    ws: ll.Workspace, leader: str, asset: str | None = None, window: tuple[int, int] = (-1, 1)
) -> tuple[BrandAttention, ...]:
    """The attention analyses of every brand of ``leader`` (none: an empty tuple); with
    ``asset``, the playbook adds the market CAAR per channel over ``window``."""
    mine = leader_brands(ws, leader)
    if mine.empty:
        return ()
    stored = ws.summary().attention
    found = []
    for row in mine.itertuples(index=False):  # a leader has a handful of brands
        brand = str(row.brand_id)
        has = set(
            stored.loc[
                (stored["subject_kind"] == "brand") & (stored["subject_id"] == brand), "metric"
            ]
        )
        metric = next((m for m in METRICS if m in has), min(has) if has else None)
        found.append(_one_brand(ws, leader, brand, str(row.name or brand), metric, asset, window))
    return tuple(found)


def _one_brand(
    ws: ll.Workspace,
    leader: str,
    brand: str,
    name: str,
    metric: str | None,
    asset: str | None,
    window: tuple[int, int],
) -> BrandAttention:
    notes: dict[str, str] = {}
    results: dict[str, Any] = dict.fromkeys(PARTS)
    calls = {
        "amplification": lambda: ll.amplification(ws, brand, leader=leader, metric=str(metric)),
        "playbook": lambda: _playbook(ws, brand, leader, str(metric), asset, window, notes),
        "share_of_voice": lambda: ll.brand_share_of_voice(ws, brand, leader=leader),
        "lead_lag": lambda: ll.brand_lead_lag(ws, brand, leader=leader, metric=str(metric)),
        "cascade": lambda: ll.cascade(ws, brand, leader=leader, metric=str(metric)),
    }
    for part in PARTS:
        if part != "share_of_voice" and metric is None:
            notes[part] = f"not available: brand {brand!r} has no attention series"
            continue
        try:
            results[part] = calls[part]()
        except LeaderlensError as exc:
            notes[part] = f"not available: {exc.message}"
            if part == "playbook":
                notes.pop("playbook_market", None)
    return BrandAttention(
        brand=brand, name=name, metric=metric, asset=asset, notes=notes, **results
    )


def _playbook(
    ws: ll.Workspace,
    brand: str,
    leader: str,
    metric: str,
    asset: str | None,
    window: tuple[int, int],
    notes: dict[str, str],
) -> Any:
    """The playbook with the market CAAR per channel; without it (and a note saying why)
    when the event study on ``asset`` cannot be run, since the attention lifts stand alone."""
    if asset is not None:
        try:
            return ll.playbook(ws, brand, leader=leader, metric=metric, asset=asset, window=window)
        except LeaderlensError as exc:
            notes["playbook_market"] = f"market CAAR per channel not available: {exc.message}"
    return ll.playbook(ws, brand, leader=leader, metric=metric)
