"""Key-person dependence: how much of a brand's attention rests on its leader (METHODS
section 5), as one index with its parts shown.

Parts, each in [0, 1]:

* ``share``: the leader's share of the brand's mentions (:func:`leaderlens.brand_share_of_voice`,
  Wilson interval);
* ``silence_drop``: ``1 - mean(attention on silent days) / mean(attention on active days)``,
  clipped to [0, 1]. Active day: a UTC day with at least one statement. Silent day: a day inside
  a run of at least ``min_silence`` consecutive statement-free days (short pauses between posts
  are neither). The difference of log attention between the two groups is tested with Welch's
  t test (Welch 1947, Biometrika 34), H0: equal mean log attention;
* ``key_person`` (only when key-person events are given): the mean |CAR| of the key-person
  events (:func:`leaderlens.risk.keyperson.key_person_study`) divided by ``car_scale`` (default
  0.10: a mean move of 10% or more in either direction counts as full exposure) and capped at 1.
  The mean |CAR| itself is shown beside the part.

Index: the plain mean of the parts present (equal weights, stated; no hidden model). Without
key-person events it is the mean of ``share`` and ``silence_drop``, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from leaderlens.errors import BadInputError, MissingDataError
from leaderlens.risk.common import result_html
from leaderlens.risk.keyperson import KeyPersonStudy


@dataclass(frozen=True)
class SilenceContrast:
    """Brand attention on the leader's active vs. silent days.

    n_active, n_silent: days in each group. mean_active, mean_silent: mean attention.
    ratio: mean_silent / mean_active. drop: ``1 - ratio`` clipped to [0, 1].
    log_diff: mean log attention silent minus active; t, df, p_value: Welch's t test of
    log_diff (two-sided), H0: equal mean log attention. min_silence: run length of a silence.
    """

    n_active: int
    n_silent: int
    mean_active: float
    mean_silent: float
    ratio: float
    drop: float
    log_diff: float
    t: float
    df: float
    p_value: float
    min_silence: int


def day_groups(days: np.ndarray, statement_days: np.ndarray, min_silence: int) -> np.ndarray:
    """Label each day (UTC ns at midnight, ascending) ``1`` active, ``0`` silent (in a run of
    >= ``min_silence`` statement-free days) or ``-1`` neither."""
    if min_silence < 1:
        raise BadInputError(f"min_silence must be >= 1; got {min_silence}", field="min_silence")
    active = np.isin(days, statement_days)
    # run id of each day: a new run starts at every change between active and inactive
    change = np.concatenate([[True], active[1:] != active[:-1]])
    run = np.cumsum(change) - 1
    length = np.bincount(run)[run]
    return np.where(active, 1, np.where(length >= min_silence, 0, -1))


def silence_contrast(values: np.ndarray, groups: np.ndarray, min_silence: int) -> SilenceContrast:
    """Compare attention ``values`` (days,) on active (group 1) and silent (group 0) days."""
    values = np.asarray(values, dtype=float)
    a = values[(groups == 1) & np.isfinite(values)]
    s = values[(groups == 0) & np.isfinite(values)]
    if a.size < 2 or s.size < 2:
        raise MissingDataError(
            f"need at least 2 active and 2 silent days (silence: {min_silence}+ days without a "
            f"statement); got {a.size} active and {s.size} silent",
            field="min_silence",
        )
    ratio = float(s.mean() / a.mean()) if a.mean() != 0 else float("nan")
    la, ls = np.log1p(a), np.log1p(s)  # log(1 + x): attention counts can be zero
    test = stats.ttest_ind(ls, la, equal_var=False)
    va, vs = la.var(ddof=1) / la.size, ls.var(ddof=1) / ls.size
    df = (va + vs) ** 2 / (va**2 / (la.size - 1) + vs**2 / (ls.size - 1))
    return SilenceContrast(
        n_active=int(a.size),
        n_silent=int(s.size),
        mean_active=float(a.mean()),
        mean_silent=float(s.mean()),
        ratio=ratio,
        drop=float(np.clip(1.0 - ratio, 0.0, 1.0)),
        log_diff=float(ls.mean() - la.mean()),
        t=float(test.statistic),
        df=float(df),
        p_value=float(test.pvalue),
        min_silence=int(min_silence),
    )


@dataclass(frozen=True)
class Dependence:
    """Key-person dependence of a brand on its leader.

    Fields
    ------
    brand, leader, metric: what was measured. share, share_low, share_high: leader share of
    the brand's mentions and its Wilson interval. silence: :class:`SilenceContrast` on the
    ``metric`` series. parts: the parts of the index by name. index: their plain mean.
    key_person: the study of key-person events behind the ``key_person`` part (None when no
    events were given). car_scale: the mean |CAR| that counts as full exposure.
    """

    brand: str
    leader: str
    metric: str
    share: float
    share_low: float
    share_high: float
    silence: SilenceContrast
    parts: dict[str, float]
    index: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    key_person: KeyPersonStudy | None = None
    car_scale: float = 0.10

    def summary(self) -> str:
        s = self.silence
        lines = [
            f"key-person dependence of {self.brand} on {self.leader}: index {self.index:.2f} "
            f"(plain mean of the parts below, each in [0, 1])",
            f"  share: leader share of mentions {self.share:.1%} "
            f"(95% CI {self.share_low:.1%}-{self.share_high:.1%})",
            f"  silence_drop: {self.metric} on silent days ({s.n_silent:,} days in runs of "
            f"{s.min_silence}+ without a statement) is {s.ratio:.2f}x active days "
            f"({s.n_active:,}); drop {s.drop:.2f}; Welch t on log(1+x) {s.t:.2f} "
            f"(df {s.df:.1f}), p {s.p_value:.3g} (H0: equal mean log attention)",
        ]
        kp = self.key_person
        if kp is not None:
            lines.append(
                f"  key_person: mean |CAR| of {kp.n_studied} key-person events on {kp.asset} "
                f"{kp.mean_abs_car:.2%} / {self.car_scale:.0%}, capped at 1 = "
                f"{self.parts['key_person']:.2f}"
            )
            lines += ["  " + line for line in kp.summary().splitlines()]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        rows = [{"part": k, "value": v} for k, v in self.parts.items()]
        rows.append({"part": "index", "value": self.index})
        return pd.DataFrame(rows).assign(brand=self.brand, leader=self.leader)

    def to_dict(self) -> dict[str, object]:
        return {
            "brand": self.brand,
            "leader": self.leader,
            "metric": self.metric,
            "share": self.share,
            "share_low": self.share_low,
            "share_high": self.share_high,
            "silence": dict(self.silence.__dict__),
            "parts": dict(self.parts),
            "index": self.index,
            "car_scale": self.car_scale,
            "key_person": self.key_person.to_dict() if self.key_person is not None else None,
        }

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.to_frame())


def key_person_dependence(
    ws: object,
    brand: str,
    *,
    leader: str | None = None,
    metric: str = "mentions",
    min_silence: int = 3,
    events: str | Path | pd.DataFrame | None = None,
    asset: str | None = None,
    window: tuple[int, int] = (-1, 5),
    car_scale: float = 0.10,
) -> Dependence:
    """Key-person dependence of ``brand`` on ``leader`` (default: the brand's only leader):
    share of voice, attention in silences vs. active days and, with key-person ``events`` (an
    events file or frame) studied on ``asset`` over ``window``, the key-person part; the index
    is the plain mean of the parts (module docstring)."""
    from leaderlens.attention.api import brand_share_of_voice

    voice = brand_share_of_voice(ws, brand, leader=leader)
    lead = leader if leader is not None else only_leader(ws, brand)
    series = ws.attention(metric, brand=brand)  # type: ignore[attr-defined]
    if series.empty:
        raise MissingDataError(
            f"brand {brand!r} has no {metric!r} attention series", field="metric"
        )
    if (series["freq"] != "1d").any():
        raise BadInputError(f"the {metric!r} series must be daily", field="metric")
    days = utc_day_ns(series["ts"])
    said = ws.statements(lead)  # type: ignore[attr-defined]
    groups = day_groups(days, np.unique(utc_day_ns(said["ts"])), min_silence)
    silence = silence_contrast(series["value"].to_numpy(float), groups, min_silence)
    parts = {"share": float(voice.share.share), "silence_drop": silence.drop}
    study = None
    if events is not None:
        if not np.isfinite(car_scale) or car_scale <= 0:
            raise BadInputError(f"car_scale must be > 0; got {car_scale}", field="car_scale")
        from leaderlens.risk.keyperson import key_person_study

        study = key_person_study(ws, events, asset=asset, window=window)
        if study.n_studied == 0:
            raise MissingDataError(
                "none of the key-person events could be studied: "
                + "; ".join(sorted(set(study.events["excluded"]))),
                field="events",
            )
        parts["key_person"] = float(min(1.0, study.mean_abs_car / car_scale))
    return Dependence(
        brand=brand,
        leader=lead,
        metric=metric,
        share=float(voice.share.share),
        share_low=float(voice.share.ci_low),
        share_high=float(voice.share.ci_high),
        silence=silence,
        parts=parts,
        index=float(np.mean(list(parts.values()))),
        notes=(f"share of voice terms: {', '.join(voice.share.terms)}",),
        key_person=study,
        car_scale=float(car_scale),
    )


def utc_day_ns(ts: pd.Series) -> np.ndarray:
    """UTC midnight (int64 ns) of each instant: the UTC day it falls on."""
    idx = pd.DatetimeIndex(ts)
    idx = idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")
    return idx.floor("D").as_unit("ns").asi8


def only_leader(ws: object, brand: str) -> str:
    """The brand's only leader; refused when it has none or several."""
    brands = ws.brands().set_index("brand_id")  # type: ignore[attr-defined]
    if brand not in brands.index:
        raise MissingDataError(f"brand {brand!r} is not in the workspace", field="brand")
    ids = list(brands.loc[brand, "leader_ids"])
    if len(ids) != 1:
        raise BadInputError(f"brand {brand!r} has leaders {ids}: give --leader", field="leader")
    return str(ids[0])
