"""What a study could not do, and what would work instead: one sentence each.

Every requested test that did not run says why, and designs the event study handles badly
point to the one that handles them (a leader who posts on most sessions: the event-day
regression of :mod:`leaderlens.study.event_days`).
"""

from __future__ import annotations

import pandas as pd

from leaderlens.study.abnormal import AbnormalReturns
from leaderlens.study.settings import StudySettings

#: Above this share of sessions holding an event (with at least DENSE_MIN_EVENTS events), the
#: study recommends the event-day regression.
DENSE_SHARE = 0.5
DENSE_MIN_EVENTS = 20

EVENT_DAYS = (
    "the event-day regression fits the market model and the statements' effects jointly on "
    "every session (leaderlens study --event-days, or leaderlens.event_day_study)"
)


def event_share(events: pd.DataFrame) -> float:
    """Share of sessions between each asset's first and last event that are some event's day 0
    (events pooled over assets; NaN without events)."""
    placed = events[events["k0"] >= 0]
    if placed.empty:
        return float("nan")
    spans = placed.groupby("asset")["k0"].agg(["min", "max", "nunique"])
    return float(spans["nunique"].sum() / (spans["max"] - spans["min"] + 1).sum())


def study_advice(
    settings: StudySettings,
    events: pd.DataFrame,
    abn: AbnormalReturns,
    *,
    ran_battery: bool,
    ran_placebo: bool,
    ran_bhar: bool,
    battery_notes: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """One sentence per requested test that did not run, and per design the study handles badly."""
    out = []
    share = event_share(events)
    if share > DENSE_SHARE and int((events["k0"] >= 0).sum()) >= DENSE_MIN_EVENTS:
        out.append(
            f"Statements fall on {share:.0%} of the sessions between the first and the last "
            f"event: other statements' effects sit in every estimation window and the normal "
            f"model absorbs them, biasing the ARs toward zero; {EVENT_DAYS}."
        )
    studied = int(abn.valid.sum())
    if settings.mask_overlaps and abn.n_obs.size and studied < abn.n_obs.size:
        most = int(abn.n_obs.max())
        out.append(
            f"Masking other events' windows leaves at most {most} clean estimation bars per "
            f"event (minimum {settings.min_estimation}), so {abn.n_obs.size - studied} events "
            f"were excluded; {EVENT_DAYS}"
            + (
                f", or lower --min-estimation to {most} (estimates on so few bars are noisy)."
                if most >= 30
                else "."
            )
        )
    if settings.tests != "all":
        return tuple(out)
    out += list(battery_notes)
    if not ran_battery:
        out.append(f"The cross-event tests need at least 2 valid events; {studied} valid.")
    if settings.n_placebo > 0 and not ran_placebo and studied >= 2:
        n_assets = int(events.loc[events["excluded"] == "", "asset"].nunique())
        why = (
            f"pseudo-events are drawn on one asset's series and this study has {n_assets} assets"
            if n_assets > 1
            else "too few bars lie outside the events' windows to draw pseudo-events"
        )
        out.append(f"The placebo test did not run: {why}.")
    if not ran_bhar and studied >= 1:
        out.append(
            "The BHAR test did not run: "
            + (
                f"the {settings.model} model has no benchmark series"
                if settings.model in ("constant-mean", "factor")
                else "it needs at least 3 events with a benchmark over the whole window"
            )
            + "."
        )
    return tuple(out)
