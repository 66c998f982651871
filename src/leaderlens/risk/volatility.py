"""Leader-driven volatility: how much of an asset's abnormal-return variance falls on the bars
of the leader's statements, beside the share of bars those statements occupy (METHODS section 5).

Abnormal returns come from the market model fitted by ordinary least squares over the whole
sample of the asset's daily grid, ``e_t = R_t - alpha - beta R_mt`` (MacKinlay 1997, "Event
studies in economics and finance", J. Econ. Lit. 35, eq. 7). Because the fit has an intercept
the residuals sum to zero, so ``sum_E e_t^2 / sum_T e_t^2`` is the share of their variance
falling on the event bars ``E``.

Permutation test (Good 2005, "Permutation, Parametric and Bootstrap Tests of Hypotheses",
ch. 3). H0: which bars carry an event is exchangeable with respect to the squared abnormal
returns, i.e. event bars are no more volatile than other bars. Each draw picks the same number
of event bars uniformly at random, without replacement, among the bars with an abnormal return;
the one-sided p-value counts the observed labelling as one draw (Phipson & Smyth 2010,
"Permutation p-values should never be zero", Stat. Appl. Genet. Mol. Biol. 9):
``p = (1 + #{share* >= share}) / (1 + B)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leaderlens.errors import BadInputError, MissingDataError, unknown_asset
from leaderlens.risk.common import result_html

# Draws are taken in blocks of at most this many (draw, bar) cells, to bound memory.
_BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class VolatilityShare:
    """Share of abnormal-return variance on event bars, with its permutation test.

    Fields
    ------
    n_bars: bars with an abnormal return (T). n_event_bars: those carrying an event (|E|).
    variance_share: ``sum_E e^2 / sum_T e^2``. bar_share: ``|E| / T``.
    concentration: ``variance_share / bar_share`` (1 when event bars are ordinary bars).
    p_value: one-sided permutation p-value, ``(1 + #{share* >= share}) / (1 + B)``.
    n_permutations: B. seed: seed of the draws.
    null: the H0 the p-value tests. asset, leader, benchmark: what was measured (empty when
    computed from arrays). alpha, beta: the market model (NaN when computed from residuals).
    """

    n_bars: int
    n_event_bars: int
    variance_share: float
    bar_share: float
    concentration: float
    p_value: float
    n_permutations: int
    seed: int
    null: str = "event bars are exchangeable with other bars (no extra abnormal variance)"
    asset: str = ""
    leader: str = ""
    benchmark: str = ""
    alpha: float = float("nan")
    beta: float = float("nan")
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        who = f"{self.leader} on {self.asset}" if self.asset else "event bars"
        lines = [
            f"leader-driven volatility ({who}): {self.variance_share:.1%} of abnormal-return "
            f"variance falls on {self.n_event_bars:,} of {self.n_bars:,} bars "
            f"({self.bar_share:.1%} of bars); concentration {self.concentration:.2f}x",
            f"permutation test, one-sided, B={self.n_permutations:,}, seed {self.seed}: "
            f"p = {self.p_value:.4f} (H0: {self.null})",
        ]
        if self.benchmark:
            lines.append(
                f"market model over the whole sample against {self.benchmark}: "
                f"alpha {self.alpha:.5f}, beta {self.beta:.3f}; simple returns"
            )
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "asset": self.asset,
                    "leader": self.leader,
                    "benchmark": self.benchmark,
                    "n_bars": self.n_bars,
                    "n_event_bars": self.n_event_bars,
                    "variance_share": self.variance_share,
                    "bar_share": self.bar_share,
                    "concentration": self.concentration,
                    "p_value": self.p_value,
                    "n_permutations": self.n_permutations,
                    "alpha": self.alpha,
                    "beta": self.beta,
                }
            ]
        )

    def to_dict(self) -> dict[str, object]:
        return {
            k: (None if isinstance(v, float) and np.isnan(v) else v)
            for k, v in self.to_frame().iloc[0].to_dict().items()
        } | {"null": self.null}

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.to_frame())


@dataclass(frozen=True)
class MarketModel:
    """OLS market model over a whole sample. alpha, beta: estimates. residuals: (T,) abnormal
    returns, NaN where the asset or the benchmark return is missing. n: bars in the fit."""

    alpha: float
    beta: float
    residuals: np.ndarray
    n: int


def market_model_residuals(r: np.ndarray, m: np.ndarray) -> MarketModel:
    """Fit ``r = alpha + beta m + e`` by OLS on the bars where both are finite (MacKinlay 1997)."""
    r = np.asarray(r, dtype=float)
    m = np.asarray(m, dtype=float)
    ok = np.isfinite(r) & np.isfinite(m)
    n = int(ok.sum())
    if n < 3:
        raise MissingDataError(f"the market model needs at least 3 bars with both returns; got {n}")
    mx, my = m[ok].mean(), r[ok].mean()
    sxx = float(((m[ok] - mx) ** 2).sum())
    if sxx == 0.0:
        raise MissingDataError("the benchmark return is constant: the market model is undefined")
    beta = float(((m[ok] - mx) * (r[ok] - my)).sum() / sxx)
    alpha = float(my - beta * mx)
    resid = np.where(ok, r - alpha - beta * m, np.nan)
    return MarketModel(alpha=alpha, beta=beta, residuals=resid, n=n)


def variance_share(
    abnormal: np.ndarray, is_event: np.ndarray, *, n_permutations: int = 9_999, seed: int = 0
) -> VolatilityShare:
    """Share of the variance of ``abnormal`` (T,) on the bars where ``is_event`` (T,) is True,
    with its one-sided permutation p-value (module docstring). Bars whose abnormal value is not
    finite take no part, neither as events nor as draws."""
    e = np.asarray(abnormal, dtype=float)
    flag = np.asarray(is_event, dtype=bool)
    if e.shape != flag.shape or e.ndim != 1:
        raise BadInputError(
            f"abnormal and is_event must be 1-d of one length; got {e.shape} and {flag.shape}",
            field="is_event",
        )
    if n_permutations < 1:
        raise BadInputError(
            f"n_permutations must be >= 1; got {n_permutations}", field="n_permutations"
        )
    ok = np.isfinite(e)
    sq = e[ok] ** 2
    flag = flag[ok]
    n, m = sq.size, int(flag.sum())
    total = float(sq.sum())
    if m == 0 or m == n:
        raise MissingDataError(
            f"{m} of {n} bars carry an event: the variance share needs events and non-events",
            field="is_event",
        )
    if total == 0.0:
        raise MissingDataError("the abnormal returns are all zero: no variance to share")
    observed = float(sq[flag].sum()) / total
    exceed = _count_exceeding(sq, m, observed * total, n_permutations, seed)
    return VolatilityShare(
        n_bars=n,
        n_event_bars=m,
        variance_share=observed,
        bar_share=m / n,
        concentration=observed / (m / n),
        p_value=(1 + exceed) / (1 + n_permutations),
        n_permutations=int(n_permutations),
        seed=int(seed),
    )


def _count_exceeding(sq: np.ndarray, m: int, observed: float, b: int, seed: int) -> int:
    """How many of ``b`` random ``m``-subsets of ``sq`` sum to at least ``observed``."""
    rng = np.random.default_rng(seed)
    n = sq.size
    # a relative tolerance so that a draw equal to the observed labelling counts as >= despite
    # the order in which floating-point sums are taken
    bar = observed * (1.0 - 1e-12)
    block = max(1, _BLOCK_CELLS // n)
    count = 0
    done = 0
    while done < b:
        k = min(block, b - done)
        # the m smallest of n iid uniforms are a uniform random m-subset of the bars
        picks = np.argpartition(rng.random((k, n)), m - 1, axis=1)[:, :m]
        count += int((sq[picks].sum(axis=1) >= bar).sum())
        done += k
    return count


def leader_volatility(
    ws: object,
    leader: str,
    asset: str,
    *,
    benchmark: str | None = None,
    n_permutations: int = 9_999,
    seed: int = 0,
    start: str | None = None,
    end: str | None = None,
) -> VolatilityShare:
    """Leader-driven volatility of ``asset``: daily simple returns on the asset's grid, market
    model against ``benchmark`` (default: the asset's declared one) over the whole sample, event
    bars = day 0 of each of the leader's statements (the first session whose close follows the
    statement), see :func:`variance_share`."""
    from leaderlens.align import get_calendar
    from leaderlens.study.eventize import daily_day0
    from leaderlens.study.series import build_grid

    meta = ws.assets().set_index("asset_id")  # type: ignore[attr-defined]
    if asset not in meta.index:
        raise unknown_asset(asset, meta.index)
    bench = benchmark if benchmark is not None else meta.loc[asset, "benchmark_id"]
    if bench is None or (isinstance(bench, float) and np.isnan(bench)) or bench == "":
        raise MissingDataError(
            f"asset {asset!r} has no benchmark: give --benchmark", asset=asset, field="benchmark"
        )
    bench = str(bench)
    if bench not in meta.index:
        raise MissingDataError(f"benchmark {bench!r} is not in the workspace", asset=bench)
    statements = ws.statements(leader, start=start, end=end)  # type: ignore[attr-defined]
    if statements.empty:
        raise MissingDataError(f"leader {leader!r} has no statements", field="leader")
    calendars = {a: get_calendar(str(meta.loc[a, "calendar"])) for a in (asset, bench)}
    grid = build_grid(ws.bars_for([asset, bench], freq="1d"), calendars, "1d")  # type: ignore[attr-defined]
    code = {a: i for i, a in enumerate(grid.assets)}
    seg = grid.segment(code[asset])
    ts = grid.ts[seg]
    r = grid.r[seg]
    m = grid.values_at(code[bench], ts)
    if start is not None or end is not None:
        lo = pd.Timestamp(start, tz="UTC").value if start is not None else ts[0]
        hi = pd.Timestamp(end, tz="UTC").value if end is not None else ts[-1] + 1
        keep = (ts >= lo) & (ts < hi)
        ts, r, m = ts[keep], r[keep], m[keep]
    model = market_model_residuals(r, m)
    moments = pd.DataFrame({"time": statements["ts"], "asset": asset})
    day0, _, _ = daily_day0(moments, calendars)
    is_event = np.isin(ts, day0[day0 >= 0])
    outside = int(((day0 < ts[0]) | (day0 > ts[-1])).sum())
    result = variance_share(model.residuals, is_event, n_permutations=n_permutations, seed=seed)
    notes = [f"{len(statements):,} statements on {int(is_event.sum()):,} distinct day-0 bars"]
    if outside:
        notes.append(f"{outside:,} statements have day 0 outside the asset's bars and are left out")
    return VolatilityShare(
        **{
            **result.__dict__,
            "asset": asset,
            "leader": leader,
            "benchmark": bench,
            "alpha": model.alpha,
            "beta": model.beta,
            "notes": tuple(notes),
        }
    )
