"""Float noise between two price files of one stock is not a conflict; real differences are,
and the message shows plain values with the tolerance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import leaderlens as ll

OLD = "xiaomi_1810hk_daily_2018_2025/1810.HK_2018-07-09_2020-10-09.csv"
NEW = "xiaomi_1810hk_daily_2018_2025/1810.HK_2020-01-02_2025-07-18.csv"


def test_overlap_of_two_yahoo_files_is_unchanged_within_the_tolerance(
    shared_data: Path, tmp_path: Path
) -> None:
    old, new = pd.read_csv(shared_data / OLD), pd.read_csv(shared_data / NEW)
    new["Date"] = new["Date"].str.slice(0, 10)
    both = old.merge(new, on="Date", suffixes=("_a", "_b"))
    cols = ["Open", "High", "Low", "Close"]
    a, b = both[[c + "_a" for c in cols]].to_numpy(), both[[c + "_b" for c in cols]].to_numpy()
    # The witness: numpy's own relative comparison, bar by bar, on the raw files.
    within = np.isclose(a, b, rtol=1e-6, atol=0).all(axis=1)
    assert within.all() and not (a == b).all()  # noise only, and some of it
    with ll.Workspace.open(tmp_path / "w.duckdb") as ws:
        ws.ingest_prices(shared_data / NEW, asset="1810.HK", calendar="XHKG")
        report = ws.ingest_prices(shared_data / OLD, asset="1810.HK")
        assert report.rows_unchanged == int(within.sum())
        assert report.rows_added == len(old) - len(both)
        with pytest.raises(ll.ConflictError) as caught:
            ws.ingest_prices(shared_data / OLD, asset="1810.HK", conflict_rtol=0.0)
    message = caught.value.message
    assert "np.float64" not in message and "relative tolerance 0" in message
    assert caught.value.field == "open" and "10.86" in message
