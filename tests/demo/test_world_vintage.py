"""The demo world is a pure function of its seed, whatever the calendar vintage.

Upstream calendars get corrected: exchange_calendars 4.13.3 added the Hong Kong weather
closures of 2023-09-01 and 2023-09-08 that 4.13.2 listed as sessions. The world is generated
under two vintages of one calendar (with and without such sessions, built from whichever
exchange_calendars is installed) and compared frame by frame: a session added or removed changes
only that exchange's bars on the changed days and on the next session (whose return spans the
closure: its open, high, low and volume may move, its close does not), and the day 0 of the
posts that fell on the changed days. Every other bar, every other asset, the coin, the
statements, attention and mentions are identical to the bit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import exchange_calendars as xcals
import pandas as pd
import pandas.testing as pdt
import pytest

from leaderlens.demo import DemoWorld, generate_world

REAL_GET_CALENDAR = xcals.get_calendar


@dataclass(frozen=True)
class Vintage:
    """The two fields of a calendar the demo reads, with ``dates`` removed or added."""

    sessions: pd.DatetimeIndex
    closes: pd.Series


def vintage(name: str, start: str, end: str, dates: list[str], close: str, *, with_: bool):
    """The real calendar ``name`` with ``dates`` as sessions (``with_``) or as closures; added
    sessions close at ``close`` UTC."""
    cal = REAL_GET_CALENDAR(name, start=start, end=end)
    closes = cal.closes.drop(pd.DatetimeIndex(dates), errors="ignore")
    if with_:
        added = pd.DatetimeIndex(dates)
        extra = pd.Series(
            (added + pd.Timedelta(close)).tz_localize("UTC"), index=added, name="close"
        )
        closes = pd.concat([closes, extra.astype(closes.dtype)]).sort_index()
    return Vintage(pd.DatetimeIndex(closes.index), closes)


def world_under(
    monkeypatch: pytest.MonkeyPatch, name: str, dates: list[str], close: str, *, with_: bool
) -> DemoWorld:
    def get_calendar(calendar: str, start: str, end: str) -> object:
        if calendar == name:
            return vintage(name, start, end, dates, close, with_=with_)
        return REAL_GET_CALENDAR(calendar, start=start, end=end)

    with monkeypatch.context() as patch:
        patch.setattr(xcals, "get_calendar", get_calendar)
        return generate_world(7)


def changed_days(world: DemoWorld, asset: str, dates: list[str]) -> Iterator[pd.Timestamp]:
    """The changed dates and, after each, the next session of ``asset`` (in ``world``)."""
    labels = pd.DatetimeIndex(world.bars[(asset, "1d")]["ts"])
    for date in pd.DatetimeIndex(dates).tz_localize("UTC"):
        yield date
        yield labels[labels.searchsorted(date, side="right")]


CASES = {
    # The Hong Kong weather closures exchange_calendars 4.13.3 added.
    "XHKG": (["2023-09-01", "2023-09-08"], "08:00:00", ("HKX", "ORBT.HK")),
    # A hypothetical unscheduled New York closure, such as a national day of mourning.
    "XNYS": (["2023-06-14"], "20:00:00", ("USX", "KNTE", "VLTR")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_calendar_correction_changes_only_that_exchange_on_those_days(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    dates, close, assets = CASES[name]
    old = world_under(monkeypatch, name, dates, close, with_=True)
    new = world_under(monkeypatch, name, dates, close, with_=False)
    assert len(old.bars[(assets[0], "1d")]) == len(new.bars[(assets[0], "1d")]) + len(dates)

    for key, bars in old.bars.items():
        if key[0] not in assets:
            pdt.assert_frame_equal(bars, new.bars[key], obj=str(key))
            continue
        touched = set(changed_days(old, key[0], dates))
        kept_old = bars[~bars["ts"].isin(touched)].reset_index(drop=True)
        kept_new = new.bars[key][~new.bars[key]["ts"].isin(touched)].reset_index(drop=True)
        pdt.assert_frame_equal(kept_old, kept_new, obj=str(key))
        # The session after a closure spans it: same close, the closed day's return folded in.
        after = bars[bars["ts"].isin(touched - set(pd.DatetimeIndex(dates).tz_localize("UTC")))]
        pdt.assert_series_equal(
            after.set_index("ts")["close"],
            new.bars[key].set_index("ts").loc[after["ts"], "close"],
            obj=f"{key} close after the closure",
        )

    for part in ("statements", "brand_posts", "attention", "mentions"):
        for key, frame in getattr(old, part).items():
            pdt.assert_frame_equal(frame, getattr(new, part)[key], obj=f"{part} {key}")
    pdt.assert_frame_equal(old.key_person, new.key_person)

    # Ground truth: only the day 0 (and the gap to its close) of posts on a removed day move.
    moved = old.planted["asset"].isin(assets) & old.planted["day0"].isin(
        pd.DatetimeIndex(dates).tz_localize("UTC")
    )
    still = ~moved
    pdt.assert_frame_equal(
        old.planted[still].reset_index(drop=True), new.planted[still].reset_index(drop=True)
    )
    pdt.assert_frame_equal(
        old.planted[moved].drop(columns=["day0", "gap_hours"]).reset_index(drop=True),
        new.planted[moved].drop(columns=["day0", "gap_hours"]).reset_index(drop=True),
    )
