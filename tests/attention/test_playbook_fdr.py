"""The playbook's q-values over its categories, against statsmodels' multipletests."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.multitest import multipletests

from leaderlens import playbook
from leaderlens.store.workspace import Workspace


def test_playbook_q_values_and_discoveries(demo_ws: Workspace) -> None:
    book = playbook(demo_ws, "voltra", asset="VLTR", n_boot=49)
    frame = book.to_frame()
    for p_col, q_col in (("p_value", "q_value"), ("market_p", "market_q")):
        p = frame[p_col].to_numpy(float)
        ok = np.isfinite(p)
        for method in ("bh", "by"):
            want = multipletests(p[ok], method=f"fdr_{method}")[1]
            got = frame[f"{q_col}_{method}"].to_numpy(float)
            np.testing.assert_allclose(got[ok], want, rtol=0, atol=1e-12)
            assert np.isnan(got[~ok]).all()
    found = book.discoveries
    p = frame["p_value"].to_numpy(float)
    assert found.raw == (p <= 0.05 + 1e-12).sum()
    assert found.discoveries == multipletests(p, 1 - book.level, "fdr_bh")[0].sum()
    assert "discoveries at FDR 0.05" in book.summary()
