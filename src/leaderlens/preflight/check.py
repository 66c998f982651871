"""``preflight``: what history predicts for a draft statement before it goes out.

The draft is annotated like the leader's statements (language, sentiment, topics); its ``k``
most similar past statements (:mod:`leaderlens.preflight.space`) are listed with their
realised CARs and attention lifts (:mod:`leaderlens.preflight.history`); the predicted range
is the similarity-weighted 10 %, 50 % and 90 % quantiles of the neighbours' values
(:mod:`leaderlens.preflight.predict`); risk flags come from the draft's topics and sentiment,
from neighbours whose CARs were significantly negative, and from the workspace's alert rules.
How far to trust the range is the backtest's business (:func:`preflight_backtest`); its
verdict is carried when one was computed now or is stored for the current data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError
from leaderlens.jsonsafe import records
from leaderlens.preflight.backtest import (
    LEVEL,
    backtest_history,
    store_backtest,
    stored_backtest,
)
from leaderlens.preflight.draft import DraftText, describe_draft
from leaderlens.preflight.history import NEVER, statement_history
from leaderlens.preflight.predict import weighted_quantiles
from leaderlens.preflight.similarity import top_k
from leaderlens.preflight.space import text_space
from leaderlens.risk.common import result_html
from leaderlens.risk.radar import CONTROVERSY_TOPICS, AlertRules, evaluate_alerts

NEGATIVE = -0.5
SIGNIFICANT = 0.05


@dataclass(frozen=True)
class Preflight:
    """A pre-flight check of one draft.

    Fields
    ------
    leader, asset, channel, text: what was checked. draft: language, sentiment, topics
    (:class:`DraftText`). similarity, similarity_detail: the method used and why.
    neighbours: the k most similar past statements, most similar first: statement_id, ts,
    channel, text, similarity, car, car_p, lift (NaN where unknown). prediction: per target
    (``car``, ``lift``) a dict of low, median, high (the similarity-weighted quantiles at
    (1 - level) / 2, 0.5, (1 + level) / 2), level, n (neighbours with a value), source.
    risk_flags: tuple of (flag, detail). alerts: reasons the workspace's alert rules (or the
    default rules) fire on the draft. backtest: the verdict dict of
    :meth:`Backtest.to_dict` (None when none was computed or stored). notes.
    """

    leader: str
    asset: str | None
    channel: str | None
    text: str
    draft: DraftText
    similarity: str
    similarity_detail: str
    neighbours: pd.DataFrame
    prediction: dict[str, dict[str, object]]
    risk_flags: tuple[tuple[str, str], ...]
    alerts: tuple[str, ...]
    backtest: dict[str, Any] | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def trusted(self) -> dict[str, bool] | None:
        """Per target, whether the backtest found the predictions beat the naive baseline."""
        if self.backtest is None:
            return None
        return {t["target"]: bool(t["beats_baseline"]) for t in self.backtest["targets"]}

    def summary(self, top: int = 5) -> str:
        d = self.draft
        lines = [
            f"pre-flight check for {self.leader}"
            + (f" on {self.asset}" if self.asset else "")
            + (f", channel {self.channel}" if self.channel else ""),
            f"  draft: {_short(self.text)}",
            f"  language {d.language}, sentiment {d.sentiment:+.2f} ({d.sentiment_label}), "
            f"topics {', '.join(d.topics) or 'none'}",
            f"  similarity: {self.similarity}",
        ]
        for name, p in self.prediction.items():
            if p["n"] == 0:
                lines.append(f"  predicted {name}: no neighbour has a known {name}")
                continue
            lines.append(
                f"  predicted {name}: median {p['median']:+.4f}, {p['level']:.0%} range "
                f"{p['low']:+.4f} to {p['high']:+.4f} (from {p['n']} similar statements)"
            )
        bt = self.backtest
        if bt is None:
            lines.append(
                "  how far to trust it: not backtested (run with --backtest); read the range "
                "as history, not as a forecast"
            )
        else:
            for t in bt["targets"]:
                lines.append(f"  backtest {t['verdict']}")
        lines.append("  most similar past statements:")
        for row in self.neighbours.head(top).itertuples():
            car = "" if np.isnan(row.car) else f" CAR {row.car:+.2%} (p {row.car_p:.2g})"
            lift = "" if np.isnan(row.lift) else f" lift {row.lift:+.3f}"
            lines.append(f"    {row.similarity:.2f}{car}{lift}: {_short(row.text, 60)}")
        lines.append("  risk flags:" + ("" if self.risk_flags else " none"))
        lines += [f"    {flag}: {detail}" for flag, detail in self.risk_flags]
        if self.alerts:
            lines.append(f"  alert rules that would fire: {'; '.join(self.alerts)}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return self.neighbours.copy()

    def to_dict(self) -> dict[str, object]:
        """JSON-safe, the contract of ``leaderlens preflight --json`` and the web API:

        leader, asset, channel, text; language, sentiment, sentiment_label, topics (list),
        annotator; similarity {method, detail}; neighbours (list of statement_id, ts (ISO
        8601 UTC), channel, text, similarity, car, car_p, lift; null where unknown);
        prediction {car|lift: {low, median, high, level, n, source}} (targets absent when
        not computable); risk_flags (list of {flag, detail}); alerts (list of reasons);
        backtest (the verdict of a backtest, see :meth:`Backtest.to_dict`, or null);
        trusted ({target: bool} or null); notes (list).
        """
        rows = self.neighbours.assign(
            ts=pd.to_datetime(self.neighbours["ts"], utc=True).map(lambda t: t.isoformat())
        )
        return {
            "leader": self.leader,
            "asset": self.asset,
            "channel": self.channel,
            "text": self.text,
            "language": self.draft.language,
            "sentiment": self.draft.sentiment,
            "sentiment_label": self.draft.sentiment_label,
            "topics": list(self.draft.topics),
            "annotator": self.draft.annotator,
            "similarity": {"method": self.similarity, "detail": self.similarity_detail},
            "neighbours": records(rows),
            "prediction": {k: {**v} for k, v in self.prediction.items()},
            "risk_flags": [{"flag": f, "detail": d} for f, d in self.risk_flags],
            "alerts": list(self.alerts),
            "backtest": self.backtest,
            "trusted": self.trusted,
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.to_frame())


def _short(text: object, width: int = 90) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= width else s[: width - 1] + "…"


def _predict(
    values: np.ndarray, known: np.ndarray, sims: np.ndarray, k: int, level: float, source: str
) -> dict[str, object]:
    near = top_k(sims[None, :], known[None, :], k)
    picked = np.where(near.valid, values[np.maximum(near.index, 0)], np.nan)
    probs = (0.5 - level / 2.0, 0.5, 0.5 + level / 2.0)
    q = weighted_quantiles(picked, np.nan_to_num(near.similarity), probs)[0]
    n = int(near.valid.sum())
    return {
        "low": float(q[0]) if n else None,
        "median": float(q[1]) if n else None,
        "high": float(q[2]) if n else None,
        "level": level,
        "n": n,
        "source": source,
    }


def _flags(
    draft: DraftText, neighbours: pd.DataFrame, history: pd.DataFrame, alerts: list[str]
) -> list[tuple[str, str]]:
    flags = []
    hot = [t for t in draft.topics if t in CONTROVERSY_TOPICS]
    if hot:
        flags.append(("controversial topic", f"the draft is about {', '.join(hot)}"))
    if draft.sentiment <= NEGATIVE:
        flags.append(
            ("strongly negative", f"sentiment {draft.sentiment:+.2f} (at or below {NEGATIVE})")
        )
    known = history["car"].notna()
    if known.any():
        bad = (history["car"] < 0) & (history["car_p"] <= SIGNIFICANT)
        base = float(bad[known].mean())
        near = neighbours["car"].notna()
        near_bad = (neighbours["car"] < 0) & (neighbours["car_p"] <= SIGNIFICANT)
        if near.any():
            share = float(near_bad[near].mean())
            if int(near_bad.sum()) >= 2 and share > base:
                flags.append(
                    (
                        "similar statements hurt",
                        f"{int(near_bad.sum())} of {int(near.sum())} similar statements "
                        f"({share:.0%}) had a significantly negative CAR (p <= {SIGNIFICANT}), "
                        f"against {base:.0%} of all the leader's statements",
                    )
                )
    if alerts:
        flags.append(("alert rules", "; ".join(alerts)))
    return flags


def draft_alerts(draft: DraftText, rules: AlertRules) -> list[str]:
    """Reasons the text rules of ``rules`` (topics, sentiment) fire on the draft; rules on
    CARs and replies need a posted statement and are not checked."""
    text_only = replace(
        rules, max_car=None, max_car_p=None, max_value_at_stake=None, min_replies_per_like=None
    )
    frame = pd.DataFrame({"topics": [list(draft.topics)], "sentiment": [draft.sentiment]})
    fired = evaluate_alerts(frame, text_only)
    return list(fired["reasons"].iloc[0]) if len(fired) else []


def preflight(
    ws: Any,
    leader: str,
    text: str,
    *,
    asset: str | None = None,
    k: int = 25,
    channel: str | None = None,
    window: tuple[int, int] = (0, 1),
    metric: str | None = None,
    backtest: bool = False,
    min_history: int = 50,
    level: float = LEVEL,
    taxonomy: str | Path | None = None,
) -> Preflight:
    """Check a draft ``text`` of ``leader`` against history (see the module docstring).

    ``asset``: the asset whose CARs (over bars ``window``) the neighbours carry; ``channel``:
    compare only with past statements on this channel; ``metric``: the brand's attention
    series for lifts (default mentions, else search_interest). ``backtest=True`` also runs
    :func:`preflight_backtest` on the same history (otherwise a stored verdict for the same
    settings and data is shown, if any).
    """
    if not isinstance(text, str) or not text.strip():
        raise BadInputError("the draft text is empty", field="text")
    if k < 1:
        raise BadInputError(f"k must be at least 1; got {k}", field="k")
    draft = describe_draft(ws, leader, text, taxonomy)
    history = statement_history(
        ws, leader, asset=asset, window=window, channel=channel, metric=metric
    )
    frame = history.frame
    space = text_space(ws, leader, frame, draft=text)
    sims = space.draft_similarity()
    now = np.int64(pd.Timestamp.now(tz="UTC").as_unit("ns").value)
    prediction = {}
    for name, source in (("car", history.car_source), ("lift", history.lift_source)):
        if source is None:
            continue
        values = frame[name].to_numpy(float)
        known = np.isfinite(values) & (frame[f"{name}_end"].to_numpy(np.int64) < now)
        prediction[name] = _predict(values, known, sims, k, level, source)
    near = top_k(sims[None, :], np.ones((1, len(frame)), dtype=bool), k)
    idx = near.index[0][near.valid[0]]
    neighbours = frame.iloc[idx][
        ["statement_id", "ts", "channel", "text", "car", "car_p", "lift"]
    ].reset_index(drop=True)
    neighbours.insert(4, "similarity", near.similarity[0][near.valid[0]])
    rules = _rules_for(ws, leader)
    alerts = draft_alerts(draft, rules)
    flags = _flags(draft, neighbours, frame, alerts)
    notes = list(draft.notes) + list(history.notes)
    if (frame["car_end"] == NEVER).all() and asset is not None:
        notes.append(f"no statement of {leader!r} has a CAR on {asset}")
    verdict: dict[str, Any] | None
    if backtest:
        result = backtest_history(ws, history, k=k, min_history=min_history, level=level)
        store_backtest(ws, result, window=window, channel=channel, metric=metric)
        verdict = result.to_dict()
    else:
        verdict = stored_backtest(
            ws, leader, asset=asset, window=window, channel=channel, metric=metric
        )
    return Preflight(
        leader=leader,
        asset=asset,
        channel=channel,
        text=text,
        draft=draft,
        similarity=space.method,
        similarity_detail=space.detail,
        neighbours=neighbours,
        prediction=prediction,
        risk_flags=tuple(flags),
        alerts=tuple(alerts),
        backtest=verdict,
        notes=tuple(notes),
    )


def _rules_for(ws: Any, leader: str) -> AlertRules:
    from leaderlens.preflight.alerts import rules_for_leader

    found = rules_for_leader(ws, leader)
    return found[0][1] if found else AlertRules()
