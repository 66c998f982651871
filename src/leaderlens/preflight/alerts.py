"""Alert rules a team keeps in the workspace, evaluated on statements as they are ingested.

A rule set is an :class:`~leaderlens.risk.radar.AlertRules` with a name and, optionally, the
leaders it watches (all leaders when none). Set it from a TOML file (``leaderlens risk alerts
set --rules rules.toml``) or from Python (:func:`set_alert_rules`)::

    name = "comms"              # optional; default "default"; setting a name again replaces it
    leaders = ["rex_vale"]      # optional; default: every leader
    [rules]                     # only the rules written here are switched on
    topics = ["politics", "controversy"]
    max_sentiment = -0.5        # sentiment at or below
    min_replies_per_like = 0.5  # replies per like at or above
    max_car = -0.05             # CAR at or below (checked by the radar, once prices exist)
    max_car_p = 0.05
    max_car_q = 0.05            # ... and its Benjamini-Hochberg q-value over all events
    max_value_at_stake = -1e9

After a load of statements commits, :func:`alerts_for_load` evaluates every rule set on exactly
the rows that load added or replaced: their language, sentiment and topics are computed with
the annotator of the leader's stored annotations (in memory; ``leaderlens annotate`` stores
them), replies per like from the row. Rules on CARs need prices after the statement and are
left to the radar. Each (rule set, statement) alerts at most once, so loading the same file
again fires nothing new.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from leaderlens.errors import BadInputError, EngineError
from leaderlens.jsonsafe import records
from leaderlens.preflight.draft import annotator_settings
from leaderlens.preflight.tables import has_table
from leaderlens.risk.common import result_html
from leaderlens.risk.radar import AlertRules, evaluate_alerts, replies_per_like
from leaderlens.store.sql import first_row
from leaderlens.text.annotate import annotate_texts

RULE_KEYS: tuple[str, ...] = tuple(f.name for f in fields(AlertRules))
OFF = AlertRules(
    max_car=None,
    max_car_p=None,
    max_car_q=None,
    max_value_at_stake=None,
    min_replies_per_like=None,
    topics=(),
    max_sentiment=None,
)


@dataclass(frozen=True)
class RuleSet:
    """A named set of alert rules; ``leaders`` empty means every leader."""

    name: str
    rules: AlertRules
    leaders: tuple[str, ...] = ()

    def applies_to(self, leader: str) -> bool:
        return not self.leaders or leader in self.leaders

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "leaders": list(self.leaders), "rules": self.rules.to_dict()}


def _rules_from(mapping: dict[str, Any], source: str) -> AlertRules:
    unknown = sorted(set(mapping) - set(RULE_KEYS))
    if unknown:
        raise BadInputError(
            f"unknown alert rule {unknown[0]!r}; rules are {', '.join(RULE_KEYS)}",
            file=source,
            field=unknown[0],
        )
    values: dict[str, Any] = {}
    for key, value in mapping.items():
        if key == "topics":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise BadInputError("topics must be a list of topic names", file=source, field=key)
            values[key] = tuple(value)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise BadInputError(f"{key} must be a number; got {value!r}", file=source, field=key)
        else:
            values[key] = float(value)
    for key in ("max_car_p", "max_car_q"):
        if key in values and "max_car" not in values:
            raise BadInputError(f"{key} applies only with max_car", file=source, field=key)
    return AlertRules(**{**OFF.__dict__, **values})


def read_alert_rules(path: str | Path) -> RuleSet:
    """A rule set from a TOML file (format in the module docstring)."""
    source = str(path)
    try:
        with Path(path).open("rb") as handle:
            body = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise BadInputError("no such rules file", file=source) from exc
    except tomllib.TOMLDecodeError as exc:
        raise BadInputError(f"not a TOML file ({exc})", file=source) from exc
    extra = sorted(set(body) - {"name", "leaders", "rules"})
    if extra:
        raise BadInputError(
            f"unknown key {extra[0]!r}; a rules file has name, leaders and [rules]",
            file=source,
            field=extra[0],
        )
    rules = body.get("rules")
    if not isinstance(rules, dict) or not rules:
        raise BadInputError("the file needs a [rules] table with at least one rule", file=source)
    name = body.get("name", "default")
    leaders = body.get("leaders", [])
    if not isinstance(name, str) or not name.strip():
        raise BadInputError("name must be a non-empty text", file=source, field="name")
    if not isinstance(leaders, list) or not all(isinstance(x, str) for x in leaders):
        raise BadInputError("leaders must be a list of leader ids", file=source, field="leaders")
    return RuleSet(name=name, rules=_rules_from(rules, source), leaders=tuple(leaders))


def set_alert_rules(
    ws: Any, rules: RuleSet | AlertRules | str | Path, *, source: str = ""
) -> RuleSet:
    """Store a rule set (replacing one of the same name); a path is read as TOML."""
    if isinstance(rules, str | Path):
        source = source or str(rules)
        rules = read_alert_rules(rules)
    if isinstance(rules, AlertRules):
        rules = RuleSet("default", rules)
    ws.connection.execute(
        "INSERT OR REPLACE INTO alert_rules VALUES (?, ?, ?, ?, ?)",
        [
            rules.name,
            list(rules.leaders),
            json.dumps(rules.rules.to_dict()),
            source or None,
            datetime.now(UTC),
        ],
    )
    return rules


def alert_rules(ws: Any) -> list[RuleSet]:
    """Every stored rule set, by name."""
    if not has_table(ws, "alert_rules"):
        return []
    rows = ws.connection.execute(
        "SELECT name, leader_ids, rules FROM alert_rules ORDER BY name"
    ).fetchall()
    out = []
    for name, leaders, payload in rows:
        stored = json.loads(payload)
        stored["topics"] = tuple(stored.get("topics") or ())
        out.append(RuleSet(str(name), AlertRules(**stored), tuple(leaders or ())))
    return out


def rules_for_leader(ws: Any, leader: str) -> list[tuple[str, AlertRules]]:
    """(name, rules) of the stored rule sets watching ``leader``."""
    return [(r.name, r.rules) for r in alert_rules(ws) if r.applies_to(leader)]


def remove_alert_rules(ws: Any, name: str) -> bool:
    """Delete a stored rule set; False when there was none of that name."""
    found = first_row(ws.connection, "SELECT count(*) FROM alert_rules WHERE name = ?", [name])
    ws.connection.execute("DELETE FROM alert_rules WHERE name = ?", [name])
    return bool(found and found[0])


@dataclass(frozen=True)
class FiredAlerts:
    """Alerts fired by one load of statements.

    load_id: the load (None when it added nothing). checked: statements evaluated. rule_sets:
    names of the rule sets applied. alerts: one row per new alert: rule_set, leader_id,
    statement_id, ts, text, reasons (list), sentiment, topics, replies_per_like. notes.
    """

    load_id: int | None
    checked: int
    rule_sets: tuple[str, ...]
    alerts: pd.DataFrame
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        if not self.rule_sets:
            return "alerts: no alert rules set (leaderlens risk alerts set --rules FILE)"
        lines = [
            f"alerts: {len(self.alerts):,} fired on {self.checked:,} new statements "
            f"(rule sets {', '.join(self.rule_sets)})"
        ]
        for row in self.alerts.itertuples():
            text = " ".join(str(row.text).split())[:70]
            lines.append(
                f"  [{row.rule_set}] {row.leader_id} {row.statement_id} {row.ts}: "
                f"{'; '.join(row.reasons)} | {text}"
            )
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "load_id": self.load_id,
            "checked": self.checked,
            "rule_sets": list(self.rule_sets),
            "alerts": _records(self.alerts),
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.alerts)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.copy()
    if "ts" in out:
        out["ts"] = pd.to_datetime(out["ts"], utc=True).map(lambda t: t.isoformat())
    for col in ("reasons", "topics"):
        if col in out:
            out[col] = out[col].map(lambda v: [str(x) for x in v] if v is not None else [])
    return records(out)


ALERT_COLUMNS = [
    "rule_set", "leader_id", "statement_id", "ts", "text", "reasons", "sentiment", "topics",
    "replies_per_like",
]  # fmt: skip


def _annotate(ws: Any, rows: pd.DataFrame) -> pd.DataFrame:
    """Sentiment and topics of new rows, per leader with that leader's annotator."""
    parts = []
    for leader, part in rows.groupby("leader_id", sort=True):  # a few leaders per load
        languages, tax, _ = annotator_settings(ws, str(leader))
        texts = [None if pd.isna(t) else str(t) for t in part["text"]]
        found = annotate_texts(texts, languages=languages, taxonomy=tax)
        parts.append(part.assign(sentiment=found.sentiment, topics=found.topics))
    return pd.concat(parts) if parts else rows.assign(sentiment=np.nan, topics=None)


def alerts_for_load(ws: Any, load_id: int | None) -> FiredAlerts:
    """Evaluate the stored rule sets on the statements load ``load_id`` added or replaced,
    store the alerts that are new and return them."""
    sets = alert_rules(ws)
    empty = pd.DataFrame(columns=ALERT_COLUMNS)
    if load_id is None or not sets:
        return FiredAlerts(load_id, 0, tuple(r.name for r in sets), empty)
    rows = ws.connection.execute(
        """SELECT leader_id, statement_id, ts, text, likes, replies FROM statements
           WHERE load_id = ? ORDER BY ts, statement_id""",
        [load_id],
    ).df()
    watched = [r for r in sets if rows["leader_id"].map(r.applies_to).any()]
    if rows.empty or not watched:
        return FiredAlerts(load_id, len(rows), tuple(r.name for r in sets), empty)
    rows = _annotate(ws, rows)
    rows["replies_per_like"] = replies_per_like(rows["likes"], rows["replies"])
    fired = []
    for rule_set in watched:  # a few rule sets; the rows are evaluated as one frame
        mine = rows[rows["leader_id"].map(rule_set.applies_to)]
        hit = evaluate_alerts(mine.reset_index(drop=True), rule_set.rules)
        fired.append(hit.assign(rule_set=rule_set.name))
    found = pd.concat(fired, ignore_index=True)[ALERT_COLUMNS]
    new = _store(ws, found, load_id)
    return FiredAlerts(
        load_id,
        len(rows),
        tuple(r.name for r in sets),
        new,
        notes=("rules on CARs are checked by the radar once prices cover the statements",),
    )


def _store(ws: Any, found: pd.DataFrame, load_id: int) -> pd.DataFrame:
    """Insert the alerts not stored yet; return those."""
    if found.empty:
        return found
    con = ws.connection
    table = pa.table(
        {
            "rule_set": pa.array(found["rule_set"].astype(str).tolist(), pa.string()),
            "leader_id": pa.array(found["leader_id"].astype(str).tolist(), pa.string()),
            "statement_id": pa.array(found["statement_id"].astype(str).tolist(), pa.string()),
            "ts": pa.array(pd.to_datetime(found["ts"], utc=True)),
            "text": pa.array(found["text"].tolist(), pa.string()),
            "reasons": pa.array(found["reasons"].tolist(), pa.list_(pa.string())),
            "sentiment": pa.array(found["sentiment"].astype(float), pa.float64()),
            "topics": pa.array(found["topics"].map(list).tolist(), pa.list_(pa.string())),
            "replies_per_like": pa.array(found["replies_per_like"].astype(float), pa.float64()),
        }
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_ll_alerts", table)
        new = con.execute(
            """SELECT f.* FROM _ll_alerts f ANTI JOIN alerts a USING (rule_set, leader_id,
               statement_id) ORDER BY f.ts, f.statement_id, f.rule_set"""
        ).df()
        con.execute(
            """INSERT INTO alerts SELECT f.*, ?, ? FROM _ll_alerts f
               ANTI JOIN alerts a USING (rule_set, leader_id, statement_id)""",
            [load_id, datetime.now(UTC)],
        )
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        raise EngineError(f"storing alerts failed ({exc})") from exc
    finally:
        con.unregister("_ll_alerts")
    return new


def list_alerts(ws: Any, leader: str | None = None) -> pd.DataFrame:
    """Stored alerts (all leaders, or one), newest statement first."""
    if not has_table(ws, "alerts"):
        return pd.DataFrame(columns=[*ALERT_COLUMNS, "load_id", "fired_at"])
    where, params = ("WHERE leader_id = ?", [leader]) if leader is not None else ("", [])
    return ws.connection.execute(
        f"""SELECT rule_set, leader_id, statement_id, ts, text, reasons, sentiment, topics,
                   replies_per_like, load_id, fired_at FROM alerts {where}
            ORDER BY ts DESC, statement_id, rule_set""",
        params,
    ).df()


def alerts_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Alert rows as JSON-safe records (times in ISO 8601)."""
    out = frame.copy()
    if "fired_at" in out:
        out["fired_at"] = pd.to_datetime(out["fired_at"], utc=True).map(lambda t: t.isoformat())
    return _records(out)
