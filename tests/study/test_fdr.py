"""q-values and discovery counts against statsmodels' multipletests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from leaderlens.errors import BadInputError
from leaderlens.study.fdr import discoveries, q_values, with_q_values

SM = {"bh": "fdr_bh", "by": "fdr_by"}


def p_values(seed: int = 1) -> np.ndarray:
    """Nulls and a few true effects, with ties, exact zeros and ones, and NaNs."""
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(size=400), rng.uniform(0, 1e-3, 40), [0.0, 1.0, 0.5, 0.5]])
    p[::23] = np.nan
    return rng.permutation(p)


@pytest.mark.parametrize("method", ["bh", "by"])
def test_q_values_equal_multipletests(method: str) -> None:
    p = p_values()
    ok = np.isfinite(p)
    q = q_values(p, method)
    want = multipletests(p[ok], method=SM[method])[1]
    np.testing.assert_allclose(q[ok], want, rtol=0, atol=1e-12)
    assert np.isnan(q[~ok]).all()
    assert (q[ok] >= p[ok]).all()


@pytest.mark.parametrize("rate", [0.01, 0.05, 0.2])
def test_discoveries_count_multipletests_rejections(rate: float) -> None:
    p = p_values(2)
    ok = np.isfinite(p)
    found = discoveries(p, rate, "by")
    assert found.m == ok.sum()
    assert found.raw == (p[ok] <= rate).sum()
    assert found.discoveries_bh == multipletests(p[ok], rate, "fdr_bh")[0].sum()
    assert found.discoveries_by == multipletests(p[ok], rate, "fdr_by")[0].sum()
    assert found.discoveries == found.discoveries_by <= found.discoveries_bh <= found.raw
    assert f"{found.raw} of {found.m}" in found.summary()
    assert found.to_frame().loc[0, "discoveries_bh"] == found.discoveries_bh
    assert "discoveries at FDR" in found._repr_html_()


def test_with_q_values_adds_columns_and_keeps_the_input() -> None:
    frame = pd.DataFrame({"car_p": p_values(3)[:50], "p_value": p_values(4)[:50], "x": 1.0})
    before = frame.copy()
    out = with_q_values(frame, ("car_p", "p_value", "absent_p"))
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.columns) == [
        "car_p",
        "car_q_bh",
        "car_q_by",
        "p_value",
        "q_value_bh",
        "q_value_by",
        "x",
    ]
    ok = np.isfinite(frame["p_value"])
    want = multipletests(frame.loc[ok, "p_value"], method="fdr_by")[1]
    np.testing.assert_allclose(out.loc[ok, "q_value_by"], want, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("rate", "method", "field"),
    [(0.0, "bh", "fdr"), (1.0, "by", "fdr"), (0.05, "holm", "fdr_method")],
)
def test_bad_options_are_refused_at_the_door(rate: float, method: str, field: str) -> None:
    with pytest.raises(BadInputError) as err:
        discoveries([0.01, 0.2], rate, method)
    assert err.value.field == field
