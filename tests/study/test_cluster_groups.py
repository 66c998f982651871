"""Groups from all statements of a same-bar cluster (a cluster counts for every group it holds).

Witnesses: the demo's ground truth. Each channel's events are the sessions on which the
leader made at least one statement of that channel (counted from the planted statements), and
the day-0 CAAR of the keynote channel lies within three standard errors of the planted effect
of those sessions (all statements of a session add up in the world).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import leaderlens as ll


def test_a_cluster_counts_for_every_channel_it_holds(demo_ws):
    result = ll.event_study(
        demo_ws,
        leader="lin_wei",
        asset="ORBT.HK",
        by="channel",
        window=(0, 0),
        n_placebo=0,
        n_bootstrap=0,
    )
    events = result.events_frame()
    studied = events[events["excluded"] == ""]
    truth = demo_ws.ground_truth("planted_events")
    mine = truth[(truth["leader"] == "lin_wei") & (truth["asset"] == "ORBT.HK")]
    day0 = pd.to_datetime(mine["day0"]).dt.strftime("%Y-%m-%d")
    kept = day0.isin(studied["day0"])
    table = result.groups.table.set_index("group")
    per_channel = mine[kept].assign(day=day0[kept]).groupby("channel")["day"].nunique()
    assert table["n"].to_dict() == per_channel.to_dict()
    mixed = studied["channel"].str.contains("+", regex=False)
    assert mixed.any() and table["n_shared"].sum() >= mixed.sum()
    session_ar = mine[kept].assign(day=day0[kept]).groupby("day")["planted_ar"].sum()
    keynote_days = mine[kept & (mine["channel"] == "keynote")].assign(day=day0)["day"].unique()
    planted = session_ar.loc[keynote_days].mean()
    row = table.loc["keynote"]
    assert abs(row["caar"] - planted) < 3 * row["sd"] / np.sqrt(row["n"]), (row, planted)
    # the tests of equal means run on the events of one channel only (disjoint groups)
    assert all(t.n == int((~mixed).sum()) for t in result.groups.tests)
