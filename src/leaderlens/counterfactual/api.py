"""``leaderlens.impact``: what would have happened to a series without one or several moments.

Periods: the pre-period (by default the 250 bars before the post-period) fits the model. Each
moment's window starts at its bar and runs ``horizon`` bars, or to the bar before the next
moment; with ``post=(start, end)`` the windows tile the post-period (the first starts at
``start``, the last ends at ``end``). Bars between windows, after the first moment, are taken
as back to normal and inform the fit; bars between the pre-period and the first window do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from leaderlens.counterfactual.bsts import BstsPrior, sample_bsts
from leaderlens.counterfactual.effects import EffectSummary, summarise_window
from leaderlens.counterfactual.result import ImpactResult, Moment
from leaderlens.counterfactual.series import gather
from leaderlens.counterfactual.synthetic import placebo_in_space, placebo_in_time, synthetic_control
from leaderlens.errors import BadInputError, check_choice

Method = Literal["bsts", "synthetic"]
Values = Literal["returns", "log_prices"]
METHODS: tuple[str, ...] = ("bsts", "synthetic")
VALUES: tuple[str, ...] = ("returns", "log_prices")
DEFAULT_PRE = 250
BREAK_Z = 3.0  # a control's own change over a window beyond 3 s.d. is reported


def impact(
    data: Any,
    moments: Any,
    *,
    series: str | None = None,
    controls: Sequence[str] | None = None,
    pre: tuple[Any, Any] | None = None,
    post: tuple[Any, Any] | None = None,
    horizon: int = 10,
    method: Method = "bsts",
    values: Values = "returns",
    niter: int = 1000,
    trend: bool = False,
    nseasons: int = 1,
    alpha: float = 0.05,
    seed: int = 1,
    predictors: Sequence[Any] | None = None,
    placebo_time: Any | None = None,
) -> ImpactResult:
    """Counterfactual impact of ``moments`` on ``series`` given ``controls``.

    ``data`` is a :class:`~leaderlens.Workspace` (``series`` and ``controls`` name assets or
    ``BRAND:METRIC`` attention series; moments are tz-aware instants aligned to the series'
    calendar: after the close, on a weekend or a holiday, the next session) or a DataFrame
    indexed by time (``series`` a column, by default the first; ``controls`` by default the
    others; values used as given; a moment lands on the first row at or after it).

    ``method="bsts"`` is R CausalImpact's model with its default priors (``niter`` draws, the
    first 10% burnt, optional ``trend`` and ``nseasons``); ``"synthetic"`` is a synthetic
    control of the donors ``controls`` (``predictors``: pre-period times whose values are the
    predictors, default every pre-period bar; ``placebo_time``: a fake moment inside the
    pre-period). Seeded: the same call gives the same numbers.
    """
    check_choice("method", method, METHODS)
    check_choice("values", values, VALUES)
    if not isinstance(horizon, int) or horizon < 1:
        raise BadInputError(
            f"horizon must be a positive whole number of bars; got {horizon!r}", field="horizon"
        )
    for name, value, least in (("niter", niter, 10), ("nseasons", nseasons, 1)):
        if not isinstance(value, int) or value < least:
            raise BadInputError(
                f"{name} must be a whole number >= {least}; got {value!r}", field=name
            )
    if not 0 < alpha < 1:
        raise BadInputError(f"alpha must lie in (0, 1); got {alpha!r}", field="alpha")
    many = isinstance(moments, list | tuple | np.ndarray | pd.Index | pd.Series)
    listed = list(moments) if many else [moments]
    if not listed:
        raise BadInputError("give at least one moment", field="moment")
    if isinstance(data, pd.DataFrame):
        frame, rows, how, calendar, label = _from_frame(data, listed, series, controls)
    else:
        if series is None or not controls:
            raise BadInputError("name the series and at least one control", field="series")
        got = gather(data, series, list(controls), listed, values)
        frame, rows, how, calendar, label = (
            got.frame,
            got.moment_rows,
            got.moment_how,
            got.calendar,
            got.values,
        )
    plan = _plan(frame.index, rows, how, [str(m) for m in listed], pre, post, horizon)
    frame, plan = frame.iloc[plan.pre[0] : plan.windows[-1][1] + 1], plan.shifted()
    settings: dict[str, Any] = {
        "method": method,
        "alpha": alpha,
        "calendar": calendar,
        "pre": (frame.index[plan.pre[0]], frame.index[plan.pre[1]]),
        "horizon": horizon,
        "alignment": "after the close, weekends and holidays move to the next session"
        if calendar not in ("24/7", "none")
        else "a moment lands on the first bar at or after it",
    }
    if method == "synthetic" and frame.shape[1] < 3:
        raise BadInputError(
            "synthetic control needs at least two donors (controls)", field="controls"
        )
    y = frame.iloc[:, 0].to_numpy(dtype=float)
    X = frame.iloc[:, 1:].to_numpy(dtype=float)
    names = tuple(str(c) for c in frame.columns[1:])
    if method == "bsts":
        settings |= {
            "niter": niter,
            "burn": int(niter * 0.1),
            "seed": seed,
            "trend": trend,
            "nseasons": nseasons,
            "prior": BstsPrior().__dict__,
        }
        core = _bsts(
            y, X, plan, names, niter=niter, trend=trend, nseasons=nseasons, alpha=alpha, seed=seed
        )
    else:
        if predictors is not None:
            settings["predictors"] = [str(p) for p in predictors]
        core = _synthetic(y, X, plan, names, frame.index, predictors, placebo_time)
    warnings = _warnings(plan, X, names, label, method, trend, nseasons)
    paths = core.paths.assign(time=frame.index, observed=y)
    period = np.full(len(y), "", dtype=object)
    period[plan.pre[0] : plan.pre[1] + 1] = "pre"
    for m, (a, b) in zip(plan.labels, plan.windows, strict=True):
        period[a : b + 1] = m
    paths["period"] = period
    moments_out = tuple(
        Moment(label=lab, instant=m, how=h, start=frame.index[a], end=frame.index[b], effect=e)
        for lab, m, h, (a, b), e in zip(
            plan.labels, plan.instants, plan.how, plan.windows, core.effects, strict=True
        )
    )
    return ImpactResult(
        method=method,
        series=str(frame.columns[0]),
        values=label,
        controls=names,
        paths=paths[_PATH_COLUMNS],
        moments=moments_out,
        controls_table=core.controls_table,
        fit=core.fit | {"n": float(plan.n_pre)},
        warnings=warnings,
        settings=settings,
        placebos=core.placebos,
    )


_PATH_COLUMNS = [
    "time",
    "period",
    "observed",
    "predicted",
    "lower",
    "upper",
    "effect",
    "effect_lower",
    "effect_upper",
    "cumulative",
    "cumulative_lower",
    "cumulative_upper",
]


@dataclass(frozen=True)
class _Plan:
    pre: tuple[int, int]
    windows: tuple[tuple[int, int], ...]
    labels: tuple[str, ...]
    instants: tuple[str, ...]
    how: tuple[str, ...]
    fit: np.ndarray  # rows informing the fit
    in_window: np.ndarray  # window number per row, -1 outside

    def shifted(self) -> _Plan:
        """The plan on the rows from the pre-period's start to the last window's end."""
        a, b = self.pre[0], self.windows[-1][1] + 1
        return _Plan(
            pre=(0, self.pre[1] - a),
            windows=tuple((s - a, e - a) for s, e in self.windows),
            labels=self.labels,
            instants=self.instants,
            how=self.how,
            fit=self.fit[a:b],
            in_window=self.in_window[a:b],
        )

    @property
    def n_pre(self) -> int:
        return self.pre[1] - self.pre[0] + 1


@dataclass(frozen=True)
class _Core:
    paths: pd.DataFrame
    effects: tuple[EffectSummary, ...]
    controls_table: pd.DataFrame
    fit: dict[str, float]
    placebos: pd.DataFrame | None = None


def _from_frame(
    data: pd.DataFrame, moments: list[Any], series: str | None, controls: Sequence[str] | None
) -> tuple[pd.DataFrame, np.ndarray, tuple[str, ...], str, str]:
    series = series if series is not None else str(data.columns[0])
    if series not in data.columns:
        raise BadInputError(f"no column {series!r} in the frame", field="series")
    others = [c for c in data.columns if c != series] if controls is None else list(controls)
    missing = [c for c in others if c not in data.columns]
    if missing:
        raise BadInputError(f"no column {missing[0]!r} in the frame", field="controls")
    frame = data[[series, *others]].astype(float)
    if not frame.index.is_monotonic_increasing or frame.index.has_duplicates:
        raise BadInputError("the frame's index must be strictly increasing", field="data")
    index = frame.index
    keys = [_key(index, m) for m in moments]
    rows = np.searchsorted(index, keys)
    if (rows >= len(index)).any():
        raise BadInputError("a moment falls after the last row", field="moment")
    how = tuple(
        "on its row" if index[r] == k else f"next row -> {index[r]}"
        for r, k in zip(rows, keys, strict=True)
    )
    return frame, rows.astype(np.int64), how, "none", "as given"


def _key(index: pd.Index, moment: Any) -> Any:
    if isinstance(index, pd.DatetimeIndex):
        stamp = pd.Timestamp(moment)
        if index.tz is not None and stamp.tzinfo is None:
            return stamp.tz_localize(index.tz)
        return stamp
    return moment


def _plan(
    index: pd.Index,
    rows: np.ndarray,
    how: tuple[str, ...],
    labels: list[str],
    pre: tuple[Any, Any] | None,
    post: tuple[Any, Any] | None,
    horizon: int,
) -> _Plan:
    order = np.argsort(rows, kind="stable")
    rows = rows[order]
    if (np.diff(rows) == 0).any():
        raise BadInputError("two moments land on the same bar; merge them", field="moment")
    n = len(index)
    starts = rows.copy()
    ends = np.append(rows[1:] - 1, n - 1)
    if post is None:
        ends = np.minimum(ends, rows + horizon - 1)
    else:
        a, b = _row(index, post[0], "left"), _row(index, post[1], "right")
        if a > rows[0] or b < rows[-1]:
            raise BadInputError("every moment must fall inside the post-period", field="post")
        starts[0], ends[-1] = a, b
    if pre is None:
        pre_end = int(starts[0]) - 1
        pre_start = max(0, pre_end - DEFAULT_PRE + 1)
    else:
        pre_start, pre_end = _row(index, pre[0], "left"), _row(index, pre[1], "right")
    if pre_end < pre_start or pre_end >= starts[0]:
        raise BadInputError("the pre-period must end before the first moment", field="pre")
    in_window = np.full(n, -1)
    for k, (a, b) in enumerate(zip(starts, ends, strict=True)):
        in_window[a : b + 1] = k
    rows_all = np.arange(n)
    fit = ((rows_all >= pre_start) & (rows_all <= pre_end)) | (
        (rows_all > starts[0]) & (rows_all <= ends[-1]) & (in_window < 0)
    )
    return _Plan(
        pre=(pre_start, pre_end),
        windows=tuple((int(a), int(b)) for a, b in zip(starts, ends, strict=True)),
        labels=tuple(f"m{i + 1}" for i in range(len(rows))),
        instants=tuple(labels[i] for i in order),
        how=tuple(how[i] for i in order),
        fit=fit,
        in_window=in_window,
    )


def _row(index: pd.Index, value: Any, side: Literal["left", "right"]) -> int:
    """First row at or after ``value`` (left) or last row at or before it (right)."""
    pos = int(np.searchsorted(index, _key(index, value), side=side))
    return pos if side == "left" else pos - 1


def _bsts(
    y: np.ndarray,
    X: np.ndarray,
    plan: _Plan,
    names: tuple[str, ...],
    *,
    niter: int,
    trend: bool,
    nseasons: int,
    alpha: float,
    seed: int,
) -> _Core:
    draws = sample_bsts(y, X, plan.fit, niter=niter, trend=trend, nseasons=nseasons, seed=seed)
    mean, response = draws.mean, draws.response
    lo, hi = alpha / 2, 1 - alpha / 2
    bands = np.quantile(response, [lo, hi], axis=0)
    gaps = y - response
    cum, cum_bands = _cumulative(gaps, plan, (lo, hi))
    predicted = mean.mean(axis=0)
    effects = tuple(
        summarise_window(y[a : b + 1], mean[:, a : b + 1], response[:, a : b + 1], alpha)
        for a, b in plan.windows
    )
    fitted = plan.fit
    resid = y[fitted] - predicted[fitted]
    table = pd.DataFrame(
        {
            "control": names,
            "inclusion": draws.inclusion,
            "coefficient": draws.beta.mean(axis=0),
            "coefficient_sd": draws.beta.std(axis=0, ddof=1),
        }
    )
    paths = pd.DataFrame(
        {
            "predicted": predicted,
            "lower": bands[0],
            "upper": bands[1],
            "effect": y - predicted,
            "effect_lower": y - bands[1],
            "effect_upper": y - bands[0],
            "cumulative": cum,
            "cumulative_lower": cum_bands[0],
            "cumulative_upper": cum_bands[1],
        }
    )
    return _Core(
        paths,
        effects,
        table,
        {
            "rmse": float(np.sqrt(np.mean(resid**2))),
            "r2": float(1 - resid.var() / y[fitted].var()),
            "sigma_obs": float(draws.sigma_obs.mean()),
            "sigma_level": float(draws.sigma_state[:, 0].mean()),
        },
    )


def _cumulative(
    gaps: np.ndarray, plan: _Plan, probs: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative effect from each window's start, per draw, as one array operation: the
    running sum of the in-window gaps minus its value just before each window."""
    inside = plan.in_window >= 0
    running = np.cumsum(np.where(inside, gaps, 0.0), axis=1)
    starts = np.array([a for a, _ in plan.windows])
    base_col = np.where(inside, starts[np.maximum(plan.in_window, 0)] - 1, -1)
    base = np.where(base_col >= 0, running[:, np.maximum(base_col, 0)], 0.0)
    point = np.full(gaps.shape[1], np.nan)
    bands = np.full((2, gaps.shape[1]), np.nan)
    per_draw = (running - base)[:, inside]
    point[inside] = per_draw.mean(axis=0)
    bands[:, inside] = np.quantile(per_draw, probs, axis=0)
    return point, bands


def _synthetic(
    y: np.ndarray,
    X: np.ndarray,
    plan: _Plan,
    names: tuple[str, ...],
    index: pd.Index,
    predictors: Sequence[Any] | None,
    placebo_time: Any | None,
) -> _Core:
    pre = np.zeros(len(y), dtype=bool)
    pre[plan.pre[0] : plan.pre[1] + 1] = True
    post = plan.in_window >= 0
    units = np.column_stack([y, X])
    lags = None
    if predictors is not None:
        at = [_row(index, p, "left") for p in predictors]
        if not all(pre[a] for a in at if a < len(y)) or any(a >= len(y) for a in at):
            raise BadInputError(
                "every predictor time must fall in the pre-period", field="predictors"
            )
        lags = units[at]
    fit = synthetic_control(y, X, pre, post, predictors=lags)
    effects = []
    ranks = []
    for a, b in plan.windows:  # one placebo run per moment: each window is its own post-period
        window = np.zeros(len(y), dtype=bool)
        window[a : b + 1] = True
        space = placebo_in_space(units, pre, window, predictors=lags)
        ranks.append(space)
        gap = fit.gap[a : b + 1]
        effects.append(_gap_summary(y[a : b + 1], fit.synthetic[a : b + 1], gap, space.p))
    nan = np.full(len(y), np.nan)
    cum = np.where(post, 0.0, np.nan)
    for a, b in plan.windows:
        cum[a : b + 1] = np.cumsum(fit.gap[a : b + 1])
    paths = pd.DataFrame(
        {
            "predicted": fit.synthetic,
            "lower": nan,
            "upper": nan,
            "effect": fit.gap,
            "effect_lower": nan,
            "effect_upper": nan,
            "cumulative": cum,
            "cumulative_lower": nan,
            "cumulative_upper": nan,
        }
    )
    placebos = pd.DataFrame(
        {
            "unit": ["(treated)", *names],
            "pre_rmspe": ranks[0].pre_rmspe,
            "post_rmspe": ranks[0].post_rmspe,
            "ratio": ranks[0].ratio,
        }
    )
    figures = {
        "pre_rmspe": fit.pre_rmspe,
        "post_pre_ratio": fit.ratio,
        "rank": float(ranks[0].rank),
    }
    if placebo_time is not None:
        fake = _row(index, placebo_time, "left")
        timed = placebo_in_time(y, X, pre, fake)
        figures |= {
            "placebo_time_pre_rmspe": timed.pre_rmspe,
            "placebo_time_post_rmspe": timed.post_rmspe,
        }
    table = pd.DataFrame({"control": names, "weight": fit.weights})
    return _Core(paths, tuple(effects), table, figures, placebos)


def _gap_summary(
    observed: np.ndarray, synthetic: np.ndarray, gap: np.ndarray, p: float
) -> EffectSummary:
    nan2 = (float("nan"), float("nan"))
    return EffectSummary(
        n=len(observed),
        actual=(float(observed.mean()), float(observed.sum())),
        prediction=(float(synthetic.mean()), float(synthetic.sum())),
        prediction_sd=nan2,
        prediction_lower=nan2,
        prediction_upper=nan2,
        effect=(float(gap.mean()), float(gap.sum())),
        effect_sd=nan2,
        effect_lower=nan2,
        effect_upper=nan2,
        p=p,
        alpha=float("nan"),
    )


def _warnings(
    plan: _Plan,
    X: np.ndarray,
    names: tuple[str, ...],
    values: str,
    method: str,
    trend: bool,
    nseasons: int,
) -> tuple[str, ...]:
    out = []
    need = (
        10
        if method == "synthetic"
        else max(30, 3 * (1 + int(trend) + max(nseasons - 1, 0) + X.shape[1]))
    )
    if nseasons > 1:
        need = max(need, 2 * nseasons)
    if plan.n_pre < need:
        out.append(
            f"the pre-period has {plan.n_pre} bars; the components chosen want at least {need}"
        )
    # does a control itself break at a moment? its changes in each window against the
    # pre-period's changes (levels are differenced first; returns are changes already)
    changes = X if "returns" in values else np.diff(X, axis=0, prepend=np.nan)
    pre = changes[plan.pre[0] : plan.pre[1] + 1]
    mu, sd = np.nanmean(pre, axis=0), np.nanstd(pre, axis=0, ddof=1)
    for k, (a, b) in enumerate(plan.windows):
        z = (np.nanmean(changes[a : b + 1], axis=0) - mu) / (sd / np.sqrt(b - a + 1))
        for name in np.asarray(names)[np.abs(z) > BREAK_Z]:
            out.append(
                f"control {name} moves by itself over moment {plan.labels[k]}'s window "
                f"(|z| > {BREAK_Z:g} against its pre-period changes): it may react to the moment"
            )
    return tuple(out)
