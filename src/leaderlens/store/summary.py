"""What a workspace holds: counts, first and last instants, frequency and gaps per series.

Gaps are counted against what the series should have: every step for 24/7 assets and attention
series, every session of the asset's exchange calendar for daily exchange-traded bars. Intraday
bars of exchange-traded assets are not counted (their expected bars depend on session hours and
bar conventions; the event study reports them where they matter).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from leaderlens.store.calendars import session_count

STEP_SECONDS = {"1m": 60, "1h": 3600, "1d": 86400, "1w": 7 * 86400}


@dataclass(frozen=True)
class WorkspaceSummary:
    """Tidy tables of what a workspace holds (all times UTC).

    leaders: leader_id, name, company, statements, first, last, channels
    brands: brand_id, name, brand_posts, mentions, first, last
    assets: asset_id, calendar, benchmark_id, freq, bars, first, last, missing
    attention: subject_kind, subject_id, metric, freq, points, first, last, missing
    ``missing`` is the count of absent bars or buckets between first and last (NA when not
    counted, see the module docstring).
    """

    path: str
    schema_version: int
    leaders: pd.DataFrame
    brands: pd.DataFrame
    assets: pd.DataFrame
    attention: pd.DataFrame

    def to_dict(self) -> dict[str, object]:
        def records(frame: pd.DataFrame) -> list[dict[str, object]]:
            out = frame.copy()
            for column in out.columns:
                if isinstance(out[column].dtype, pd.DatetimeTZDtype):
                    out[column] = out[column].map(lambda t: None if pd.isna(t) else t.isoformat())
            return [
                {k: (None if _is_missing(v) else v) for k, v in row.items()}
                for row in out.astype(object).to_dict(orient="records")
            ]

        return {
            "workspace": self.path,
            "schema_version": self.schema_version,
            "leaders": records(self.leaders),
            "brands": records(self.brands),
            "assets": records(self.assets),
            "attention": records(self.attention),
        }


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def summarize(con: duckdb.DuckDBPyConnection, path: str, version: int) -> WorkspaceSummary:
    """Build the :class:`WorkspaceSummary` with one grouped query per table."""
    leaders = con.execute(
        """SELECT l.leader_id, l.name, l.company, count(s.statement_id) AS statements,
                  min(s.ts) AS first, max(s.ts) AS last,
                  string_agg(DISTINCT s.channel, ',' ORDER BY s.channel) AS channels
           FROM leaders l LEFT JOIN statements s USING (leader_id)
           GROUP BY ALL ORDER BY l.leader_id"""
    ).df()
    brands = con.execute(
        """WITH p AS (SELECT brand_id, count(*) n, min(ts) f, max(ts) l
                      FROM brand_posts GROUP BY 1),
                m AS (SELECT brand_id, count(*) n, min(ts) f, max(ts) l
                      FROM mentions GROUP BY 1)
           SELECT b.brand_id, b.name, coalesce(p.n, 0) AS brand_posts, coalesce(m.n, 0) AS mentions,
                  least(p.f, m.f) AS first, greatest(p.l, m.l) AS last
           FROM brands b LEFT JOIN p USING (brand_id) LEFT JOIN m USING (brand_id)
           ORDER BY b.brand_id"""
    ).df()
    assets = con.execute(
        """SELECT a.asset_id, a.calendar, a.benchmark_id, b.freq, count(b.ts) AS bars,
                  min(b.ts) AS first, max(b.ts) AS last
           FROM assets a LEFT JOIN bars b USING (asset_id)
           GROUP BY ALL ORDER BY a.asset_id, b.freq"""
    ).df()
    assets["missing"] = [
        _missing_bars(row.calendar, row.freq, row.first, row.last, row.bars)
        for row in assets.itertuples()
    ]
    attention = con.execute(
        """SELECT subject_kind, subject_id, metric, freq, count(*) AS points,
                  min(ts) AS first, max(ts) AS last
           FROM attention GROUP BY ALL ORDER BY subject_kind, subject_id, metric, freq"""
    ).df()
    attention["missing"] = [
        _missing_bars("24/7", row.freq, row.first, row.last, row.points)
        for row in attention.itertuples()
    ]
    for frame in (assets, attention):
        frame["missing"] = frame["missing"].astype("Int64")
    return WorkspaceSummary(path, version, leaders, brands, assets, attention)


def _missing_bars(
    calendar: str, freq: object, first: pd.Timestamp, last: pd.Timestamp, n: int
) -> int | None:
    """Expected bars between ``first`` and ``last`` minus the ``n`` present (None if unknown)."""
    if not isinstance(freq, str) or pd.isna(first) or n == 0:
        return None
    if calendar != "24/7":
        if freq != "1d":
            return None
        sessions = session_count(calendar, first.date().isoformat(), last.date().isoformat())
        return None if sessions is None else max(sessions - int(n), 0)
    if freq == "1mo":
        expected = (last.year - first.year) * 12 + last.month - first.month + 1
    elif freq in STEP_SECONDS:
        expected = int((last - first).total_seconds() // STEP_SECONDS[freq]) + 1
    else:
        return None
    return max(expected - int(n), 0)
