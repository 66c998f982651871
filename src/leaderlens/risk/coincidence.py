"""Coincidence risk of an attribution: would a statement of this leader sit beside a move this
large anyway?

A leader who posts on most sessions has a statement beside every large move, so "the statement
that destroyed the most value" is often a market day with a tweet on it. For each event this
module states:

* ``posting_rate``: share of the asset's sessions (first to last statement) that are some
  statement's day 0, and ``chance_beside`` = 1 - (1 - posting_rate)^L, the chance that an
  L-bar window holds a statement when statements fall independently of moves;
* ``silent_share``: the share of silent sessions (no statement in their window; placebo days)
  whose abnormal move over the window is at least as large as the event's CAR (full-sample
  market-model ARs, the placebo test's residuals), and ``expected_by_chance`` = sessions x
  silent_share x chance_beside, how many moves at least this large would have a statement
  beside them by chance over the sample;
* ``market_move`` (the benchmark's return over the window), ``market_adjusted`` (the asset's
  minus the benchmark's) and ``market_wide``: the benchmark moved at least as much as the CAR,
  a market-wide or sector day rather than the leader's;
* ``about_company``: one of the event's statements names the company, its asset or a brand
  term (topic relevance).
An attribution is ``attributable`` when it is about the company, not market-wide, and fewer
than one move this large is expected beside a statement by chance.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from leaderlens.study.activity_study import day0_positions, session_series

if TYPE_CHECKING:
    from leaderlens.store.workspace import Workspace

COLUMNS = (
    "posting_rate",
    "chance_beside",
    "silent_share",
    "expected_by_chance",
    "market_move",
    "market_adjusted",
    "market_wide",
    "about_company",
    "attributable",
)


def window_sums(x: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    """S_t = sum_{k=t1..t2} x_{t+k} for every session t (NaN where the window leaves the
    sample or holds a missing value)."""
    t1, t2 = window
    c = np.concatenate([[0.0], np.cumsum(np.nan_to_num(x))])
    bad = np.concatenate([[0], np.cumsum(~np.isfinite(x))])
    t = np.arange(x.size)
    lo, hi = t + t1, t + t2 + 1
    ok = (lo >= 0) & (hi <= x.size)
    lo_c, hi_c = np.clip(lo, 0, x.size), np.clip(hi, 0, x.size)
    out = c[hi_c] - c[lo_c]
    return np.where(ok & (bad[hi_c] - bad[lo_c] == 0), out, np.nan)


def company_terms(ws: Workspace, leader: str, asset: str) -> list[str]:
    """Words that make a statement about the company: the leader's company name, the asset id
    (with or without a leading $) and the query terms of brands naming the leader."""
    terms = [asset, asset.split(".")[0].split("-")[0]]
    leaders = ws.leaders().set_index("leader_id")
    if leader in leaders.index and isinstance(leaders.loc[leader, "company"], str):
        terms.append(leaders.loc[leader, "company"].split()[0])
    for _, brand in ws.brands().iterrows():
        ids = brand.get("leader_ids")
        if ids is not None and leader in list(ids):
            terms.append(str(brand["name"]))
            query = brand.get("query_terms")
            terms += [str(q) for q in (list(query) if query is not None else [])]
    return sorted({t for t in terms if t and len(t) >= 3})


def attribution_columns(
    ws: Workspace,
    leader: str,
    asset: str,
    events: pd.DataFrame,
    statements: pd.DataFrame,
    window: tuple[int, int],
) -> pd.DataFrame:
    """:data:`COLUMNS` for the events (rows of an event study's ``events_frame()``: ``day0``
    ISO date, ``car``, ``statement_ids``), aligned on their index; ``statements`` holds the
    leader's statements (``statement_id``, ``ts``, ``text``)."""
    ts, r, m, calendars = session_series(ws, asset, None, "simple")
    ok = np.isfinite(r) & np.isfinite(m)
    design = np.column_stack([np.ones(ok.sum()), m[ok]])
    coef = np.linalg.lstsq(design, r[ok], rcond=None)[0]
    ar = r - coef[0] - coef[1] * m
    pos, hit = day0_positions(statements["ts"], asset, calendars, ts)
    posted = np.zeros(ts.size, dtype=bool)
    posted[pos[hit]] = True
    span = slice(int(pos[hit].min()), int(pos[hit].max()) + 1) if hit.any() else slice(0, 0)
    rate = float(posted[span].mean()) if hit.any() else 0.0
    length = window[1] - window[0] + 1
    moves = window_sums(ar, window)
    # Silent sessions: no statement anywhere in their window (the placebo days).
    beside = window_sums(posted.astype(float), window)
    silent = np.sort(np.abs(moves[(beside == 0) & np.isfinite(moves)]))
    day = pd.to_datetime(pd.Series(events["day0"])).to_numpy("datetime64[ns]").view(np.int64)
    at = np.searchsorted(ts, day)
    found = (at < ts.size) & (ts[np.minimum(at, ts.size - 1)] == day)
    k = np.minimum(at, ts.size - 1)
    car = events["car"].to_numpy(float)
    share = (
        1.0 - np.searchsorted(silent, np.abs(car), side="left") / silent.size
        if silent.size
        else np.full(car.size, np.nan)
    )
    chance = 1.0 - (1.0 - rate) ** length
    market = np.where(found, window_sums(m, window)[k], np.nan)
    raw = np.where(found, window_sums(r, window)[k], np.nan)
    pattern = re.compile("|".join(re.escape(t) for t in company_terms(ws, leader, asset)), re.I)
    about = statements["text"].fillna("").str.contains(pattern).to_numpy()
    is_about = dict(zip(statements["statement_id"], about, strict=True))
    about_event = events["statement_ids"].map(lambda ids: any(is_about.get(i, False) for i in ids))
    expected = ts[span].size * share * chance
    out = pd.DataFrame(
        {
            "posting_rate": rate,
            "chance_beside": chance,
            "silent_share": share,
            "expected_by_chance": expected,
            "market_move": market,
            "market_adjusted": raw - market,
            "market_wide": np.abs(market) >= np.abs(car),
            "about_company": about_event.to_numpy(bool),
        },
        index=events.index,
    )
    out["attributable"] = (
        out["about_company"] & ~out["market_wide"] & (out["expected_by_chance"] < 1.0)
    )
    return out
