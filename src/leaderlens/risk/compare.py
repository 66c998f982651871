"""Leader comparison: every leader of a workspace side by side on the measures leaderlens
computes one by one (DESIGN question 5).

Per leader, on the leader's brand (the first brand whose ``leader_ids`` name the leader) and
asset (given, or the stock whose name starts with the leader's company name):

* amplification: ``amplification_per_post``, the mean cumulative attention lift of one of the
  leader's statements over ``[0, H]`` in log points of ``log(1 + mentions)``, and
  ``amplification_factor`` (per post, over the brand's own posts), both from
  :func:`leaderlens.amplification` (joint distributed-lag model);
* market impact: CAAR and mean |CAR| of the leader's statements over ``window`` (market model,
  :func:`leaderlens.event_study`) with the p-value of the battery's headline test
  (:func:`leaderlens.risk.keyperson.headline_test`: the study's headline, chosen from the design);
* ``volatility_share``: share of abnormal-return variance on the leader's event bars, with
  ``bar_share`` and its permutation p (:func:`leaderlens.leader_volatility`);
* controversy: ``replies_per_like`` (total replies over total likes of the statements with
  both counts, METHODS section 4) and ``controversy_topic_share`` (share of statements tagged
  politics or controversy; needs annotations);
* persona (:func:`leaderlens.persona`): reply share, first-person rate, product-experience
  share, informality, mean sentiment;
* ``dependence``: the key-person dependence index of the brand on the leader
  (:func:`leaderlens.key_person_dependence`).

A part that cannot be computed leaves NaN in its columns and says why in ``reasons``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, LeaderlensError, MissingDataError
from leaderlens.jsonsafe import records
from leaderlens.risk.common import result_html
from leaderlens.risk.radar import CONTROVERSY_TOPICS

#: The compared measures: column, what it is, and which way is "more".
METRICS: tuple[tuple[str, str], ...] = (
    ("amplification_per_post", "attention lift per statement, log points over [0, H]"),
    ("amplification_factor", "lift per statement / lift per brand post"),
    ("caar", "mean CAR of the statements"),
    ("mean_abs_car", "mean |CAR| of the statements"),
    ("caar_p", "p of the headline cross-event test"),
    ("volatility_share", "share of abnormal-return variance on event bars"),
    ("bar_share", "share of bars carrying an event"),
    ("volatility_p", "permutation p of the volatility share"),
    ("replies_per_like", "replies / likes"),
    ("controversy_topic_share", "share of statements on politics / controversy"),
    ("reply_share", "share of statements that are replies"),
    ("first_person_rate", "share in the first person singular"),
    ("product_experience_share", "share on the product in the first person"),
    ("informality", "mean of emoji and exclamation rates"),
    ("mean_sentiment", "mean sentiment score"),
    ("dependence", "key-person dependence index of the brand"),
)
PERSONA_COLUMNS: tuple[str, ...] = (
    "reply_share",
    "first_person_rate",
    "product_experience_share",
    "informality",
    "mean_sentiment",
)


@dataclass(frozen=True)
class LeaderComparison:
    """Leaders side by side.

    Fields
    ------
    table: one row per leader: ``leader``, ``brand``, ``asset``, the columns of
        :data:`METRICS`, ``headline_test`` (the test behind ``caar_p``) and ``reasons`` (why
        a part is missing; "" when nothing is).
    window: event window of the CARs. metric: attention series of the amplification.
    """

    table: pd.DataFrame
    window: tuple[int, int]
    metric: str

    @property
    def leaders(self) -> tuple[str, ...]:
        return tuple(self.table["leader"])

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        rows = records(self.table)
        return {
            "window": list(self.window),
            "metric": self.metric,
            "metrics": [{"name": n, "meaning": m} for n, m in METRICS],
            "leaders": rows,
        }

    def top(self, column: str) -> str | None:
        """The leader with the highest finite value of ``column`` (None when none has one)."""
        values = self.table[column].astype(float)
        if not np.isfinite(values).any():
            return None
        return str(self.table["leader"].iloc[int(np.nanargmax(values.to_numpy()))])

    def summary(self) -> str:
        shown = self.table.set_index("leader")[[n for n, _ in METRICS]].T
        lines = [
            f"leaders compared: {', '.join(self.leaders)} (CAR window [{self.window[0]}, "
            f"{self.window[1]}], market model, simple returns; amplification on "
            f"{self.metric})",
            shown.to_string(float_format=lambda v: f"{v:.4g}"),
        ]
        for column in ("amplification_per_post", "volatility_share", "dependence"):
            leader = self.top(column)
            if leader is not None:
                lines.append(f"highest {column}: {leader}")
        for row in self.table.itertuples(index=False):
            if row.reasons:
                lines.append(f"missing for {row.leader}: {row.reasons}")
        return "\n".join(lines)

    def figure(self) -> Any:
        """A normalised heat table (plotly): each measure scaled to [0, 1] across the leaders
        (min to max), the raw value written in each cell; blank where missing."""
        import plotly.graph_objects as go

        names = [n for n, _ in METRICS]
        raw = self.table[names].astype(float).to_numpy().T  # (metrics, leaders)
        finite = np.isfinite(raw)
        # a row without any value gets low = inf > high = -inf, and stays blank
        low = np.where(finite, raw, np.inf).min(axis=1, keepdims=True)
        high = np.where(finite, raw, -np.inf).max(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            z = np.where(high > low, (raw - low) / (high - low), 0.5)
        z = np.where(finite, z, np.nan)
        text = [[("" if not np.isfinite(v) else f"{v:.3g}") for v in row] for row in raw]
        fig = go.Figure(
            go.Heatmap(
                z=z,
                x=[html.escape(x) for x in self.leaders],
                y=names,
                text=text,
                texttemplate="%{text}",
                colorscale="Blues",
                zmin=0,
                zmax=1,
                colorbar={"title": "scaled"},
            )
        )
        fig.update_layout(
            title="Leaders side by side (each row scaled min to max)",
            template="plotly_white",
            yaxis={"autorange": "reversed"},
            height=120 + 28 * len(names),
        )
        return fig

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.to_frame())


def leader_brand(ws: Any, leader: str) -> str:
    """The first brand (by id) whose ``leader_ids`` name ``leader``."""
    brands = ws.brands()
    mine = brands[brands["leader_ids"].map(lambda ids: ids is not None and leader in list(ids))]
    if mine.empty:
        raise MissingDataError(f"no brand names {leader!r} among its leaders", field="leader")
    return str(mine["brand_id"].iloc[0])


def compare_leaders(
    ws: Any,
    *,
    leaders: Sequence[str] | None = None,
    asset: str | Mapping[str, str] | None = None,
    window: tuple[int, int] = (0, 0),
    metric: str = "mentions",
    n_boot: int = 199,
    n_permutations: int = 999,
    seed: int = 0,
) -> LeaderComparison:
    """Every leader (default: all in the workspace) side by side; ``asset`` is one asset for
    all, a mapping leader -> asset, or None for each leader's company stock. See the module
    docstring for the measures; a part that fails leaves NaN and its reason."""
    known = ws.leaders()["leader_id"].astype(str).tolist()
    chosen = list(leaders) if leaders is not None else known
    if not chosen:
        raise MissingDataError("the workspace holds no leaders", field="leader")
    unknown = [x for x in chosen if x not in known]
    if unknown:
        raise BadInputError(
            f"unknown leader {', '.join(map(repr, unknown))}; known: {', '.join(known)}",
            field="leader",
        )
    rows = [
        _leader_row(ws, leader, asset, window, metric, n_boot, n_permutations, seed)
        for leader in chosen
    ]
    return LeaderComparison(
        table=pd.DataFrame(rows), window=(int(window[0]), int(window[1])), metric=metric
    )


def _leader_row(
    ws: Any,
    leader: str,
    asset: str | Mapping[str, str] | None,
    window: tuple[int, int],
    metric: str,
    n_boot: int,
    n_permutations: int,
    seed: int,
) -> dict[str, Any]:
    from leaderlens.attention.api import amplification
    from leaderlens.risk.dependence import key_person_dependence
    from leaderlens.risk.keyperson import headline_test
    from leaderlens.risk.volatility import leader_volatility
    from leaderlens.text.annotate import annotated
    from leaderlens.text.persona import persona

    row: dict[str, Any] = {"leader": leader, "brand": None, "asset": None}
    row |= {name: float("nan") for name, _ in METRICS}
    row["headline_test"] = None
    reasons: list[str] = []

    def part(name: str, work: Any) -> None:
        try:
            work()
        except LeaderlensError as exc:
            reasons.append(f"{name}: {exc.message}")

    def find_brand() -> None:
        row["brand"] = leader_brand(ws, leader)

    def find_asset() -> None:
        if isinstance(asset, str):
            row["asset"] = asset
        elif isinstance(asset, Mapping) and leader in asset:
            row["asset"] = str(asset[leader])
        else:
            row["asset"] = ws.default_asset(leader)

    part("brand", find_brand)
    part("asset", find_asset)
    brand, chosen = row["brand"], row["asset"]

    def amplify() -> None:
        found = amplification(ws, brand, leader=leader, metric=metric, n_boot=n_boot, seed=seed)
        row["amplification_per_post"] = found.leader_lift.cumulative
        row["amplification_factor"] = found.factor if found.defined else float("nan")
        if not found.defined:
            reasons.append("amplification_factor: the brand's own posts add no measurable lift")

    def impact() -> None:
        study = ws.event_study(
            leader=leader, asset=chosen, window=window, n_bootstrap=0, n_placebo=0
        )
        cars = study.events_frame()
        cars = cars.loc[cars["excluded"] == "", "car"].astype(float).to_numpy()
        cars = cars[np.isfinite(cars)]
        if cars.size == 0:
            raise MissingDataError("no statement could be studied", field="asset")
        row["caar"] = float(cars.mean())
        row["mean_abs_car"] = float(np.abs(cars).mean())
        head = headline_test(study)
        if head is not None:
            row["caar_p"] = head.p_value
            row["headline_test"] = head.name

    def volatility() -> None:
        found = leader_volatility(ws, leader, chosen, n_permutations=n_permutations, seed=seed)
        row["volatility_share"] = found.variance_share
        row["bar_share"] = found.bar_share
        row["volatility_p"] = found.p_value

    def controversy() -> None:
        said = ws.statements(leader)
        if said.empty:
            raise MissingDataError(f"leader {leader!r} has no statements", field="leader")
        likes = pd.to_numeric(said["likes"], errors="coerce").to_numpy(float)
        replies = pd.to_numeric(said["replies"], errors="coerce").to_numpy(float)
        both = np.isfinite(likes) & np.isfinite(replies)
        if likes[both].sum() > 0:
            row["replies_per_like"] = float(replies[both].sum() / likes[both].sum())
        else:
            reasons.append("replies_per_like: no statement has like and reply counts")
        notes = annotated(ws, "statements", leader=leader)
        if not len(notes) or not notes["annotation_current"].all():
            raise MissingDataError(
                f"statements are not annotated: run 'leaderlens annotate --leader {leader}'",
                field="topics",
            )
        wanted = set(CONTROVERSY_TOPICS)
        hit = notes["topics"].map(
            lambda t: bool(wanted.intersection(t)) if t is not None else False
        )
        row["controversy_topic_share"] = float(hit.mean())

    def voice() -> None:
        features = persona(ws, leader).features.iloc[0]
        for name in PERSONA_COLUMNS:
            row[name] = float(features[name])

    def dependence() -> None:
        row["dependence"] = key_person_dependence(ws, brand, leader=leader, metric=metric).index

    if brand is not None:
        part("amplification", amplify)
    if chosen is not None:
        part("market impact", impact)
        part("volatility", volatility)
    part("controversy", controversy)
    part("persona", voice)
    if brand is not None:
        part("dependence", dependence)
    row["reasons"] = "; ".join(reasons)
    return row
