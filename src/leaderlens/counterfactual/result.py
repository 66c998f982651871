"""The finished answer of a counterfactual impact analysis: per-moment effects, the paths
behind them, diagnostics, a plain-words report and the three-panel plot."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leaderlens.counterfactual.effects import EffectSummary
from leaderlens.jsonsafe import plain, records


@dataclass(frozen=True)
class Moment:
    """One moment: what was asked, the bar it was aligned to and its effect window.

    ``how`` says how the instant reached its bar (e.g. "after close -> next session");
    ``start`` and ``end`` are the window's first and last bar labels; ``effect`` the summary
    (prediction, absolute and relative effect with intervals, p). For synthetic control the
    intervals are NaN and ``p`` is the placebo-in-space permutation p-value.
    """

    label: str
    instant: str
    how: str
    start: Any  # the bar labels: timestamps, or a DataFrame's own labels
    end: Any
    effect: EffectSummary

    def row(self) -> dict[str, Any]:
        e = self.effect
        lo, hi = e.relative_interval
        return {
            "moment": self.label,
            "instant": self.instant,
            "aligned": self.how,
            "start": self.start,
            "end": self.end,
            "n": e.n,
            "actual_avg": e.actual[0],
            "predicted_avg": e.prediction[0],
            "predicted_sd": e.prediction_sd[0],
            "effect_avg": e.effect[0],
            "effect_lower": e.effect_lower[0],
            "effect_upper": e.effect_upper[0],
            "actual_sum": e.actual[1],
            "predicted_sum": e.prediction[1],
            "effect_sum": e.effect[1],
            "effect_sum_lower": e.effect_lower[1],
            "effect_sum_upper": e.effect_upper[1],
            "relative": e.relative,
            "relative_lower": lo,
            "relative_upper": hi,
            "p": e.p,
            "probability": e.probability,
        }


@dataclass(frozen=True)
class ImpactResult:
    """What would have happened without the moments, and the difference.

    Attributes
    ----------
    method: "bsts" (CausalImpact's model) or "synthetic" (Abadie-Diamond-Hainmueller).
    series: the response's name; values: what its numbers are (e.g. "simple returns").
    controls: the controls' (donors') names.
    paths: one row per bar from the pre-period's start to the last window's end: time,
        observed, predicted (posterior mean / synthetic), lower/upper (pointwise interval),
        effect (observed - predicted) with its interval, cumulative effect within each
        moment's window with its interval, and the period ("pre", a moment's label, "gap").
    moments: the moments, in time order, each with its window and effect.
    controls_table: per control: the posterior inclusion probability and mean coefficient
        (bsts) or the weight (synthetic).
    fit: pre-period fit (rmse, r2 and n; placebo figures for synthetic).
    warnings: diagnostics a reviewer should read (short pre-period, a control that reacts).
    settings: every option used (model, priors, draws, seed, alpha, periods).
    placebos: synthetic control only: per unit, the pre and post RMSPE and their ratio.
    """

    method: str
    series: str
    values: str
    controls: tuple[str, ...]
    paths: pd.DataFrame
    moments: tuple[Moment, ...]
    controls_table: pd.DataFrame
    fit: dict[str, float]
    warnings: tuple[str, ...]
    settings: dict[str, Any]
    placebos: pd.DataFrame | None = field(default=None)

    # ------------------------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """One row per moment: window, actual, predicted, effect with intervals, p."""
        return pd.DataFrame([m.row() for m in self.moments])

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``leaderlens impact --json``."""
        return plain(
            {
                "method": self.method,
                "series": self.series,
                "values": self.values,
                "controls": list(self.controls),
                "settings": self.settings,
                "moments": records(self.to_frame()),
                "controls_table": records(self.controls_table),
                "fit": self.fit,
                "warnings": list(self.warnings),
                "placebos": None if self.placebos is None else records(self.placebos),
                "paths": records(self.paths),
            }
        )

    # -------------------------------------------------------------------------------- text
    def summary(self) -> str:
        """The CausalImpact-style table for each moment, then the diagnostics."""
        name = "Bayesian structural time series" if self.method == "bsts" else "Synthetic control"
        lines = [
            f"Counterfactual impact ({name}) on {self.series} [{self.values}]",
            f"controls: {', '.join(self.controls) or 'none'}",
            f"pre-period: {_day(self.settings['pre'][0])} .. {_day(self.settings['pre'][1])}"
            f" ({int(self.fit['n'])} bars)",
        ]
        for m in self.moments:
            lines += ["", *_moment_table(m, self.method, _relative_ok(self.values))]
        lines += ["", "Controls:", self.controls_table.to_string(index=False)]
        lines += ["", "Pre-period fit: " + ", ".join(f"{k} {v:.4g}" for k, v in self.fit.items())]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def report(self) -> str:
        """The plain-words report, one paragraph group per moment (CausalImpact's
        ``summary(impact, "report")`` wording, shortened)."""
        return "\n\n".join(_report(m, self.method, self.values) for m in self.moments)

    def _repr_html_(self) -> str:
        esc = html.escape
        warn = "".join(f"<p><b>warning:</b> {esc(w)}</p>" for w in self.warnings)
        return (
            f"<h4>Counterfactual impact ({esc(self.method)}) on {esc(self.series)} "
            f"[{esc(self.values)}]</h4>"
            + self.to_frame().to_html(index=False, escape=True)
            + self.controls_table.to_html(index=False, escape=True)
            + warn
            + "".join(f"<p>{esc(p)}</p>" for p in self.report().split("\n\n"))
        )

    # -------------------------------------------------------------------------------- plot
    def plot(self) -> Any:
        """Three panels sharing the time axis: observed vs counterfactual, pointwise effect,
        cumulative effect within each moment's window (95% bands where the method has them)."""
        from plotly.subplots import make_subplots

        p = self.paths
        fig = make_subplots(
            rows=3,
            cols=1,
            shared_xaxes=True,
            vertical_spacing=0.05,
            subplot_titles=("observed and counterfactual", "pointwise effect", "cumulative effect"),
        )
        panels = (
            ("observed", "predicted", "lower", "upper"),
            (None, "effect", "effect_lower", "effect_upper"),
            (None, "cumulative", "cumulative_lower", "cumulative_upper"),
        )
        for row, (solid, dashed, lo, hi) in enumerate(panels, start=1):
            _band(fig, p["time"], p[lo], p[hi], row)
            fig.add_scatter(
                x=p["time"],
                y=p[dashed],
                name=dashed,
                row=row,
                col=1,
                line={"dash": "dash", "color": "#1f77b4"},
            )
            if solid is not None:
                fig.add_scatter(
                    x=p["time"], y=p[solid], name=solid, row=row, col=1, line={"color": "black"}
                )
        for m in self.moments:
            fig.add_vline(x=m.start, line={"dash": "dot", "color": "grey"})
        fig.update_layout(
            title=html.escape(f"{self.series}: what would have happened ({self.method})"),
            template="plotly_white",
            height=720,
            showlegend=False,
        )
        return fig


def _band(fig: Any, x: pd.Series, lo: pd.Series, hi: pd.Series, row: int) -> None:
    if not np.isfinite(lo.to_numpy(dtype=float)).any():
        return
    fig.add_scatter(x=x, y=hi, line={"width": 0}, row=row, col=1, hoverinfo="skip")
    fig.add_scatter(
        x=x,
        y=lo,
        line={"width": 0},
        fill="tonexty",
        row=row,
        col=1,
        fillcolor="rgba(31,119,180,0.2)",
        hoverinfo="skip",
    )


def _day(t: Any) -> str:
    if not isinstance(t, pd.Timestamp):  # a DataFrame's plain row labels
        return str(t)
    stamp = t
    return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)


def _fmt(x: float) -> str:
    return f"{x:.4g}" if np.isfinite(x) else "n/a"


def _relative_ok(values: str) -> bool:
    """A relative effect divides by the prediction: meaningless for returns (near zero)."""
    return "returns" not in values


def _moment_table(m: Moment, method: str, relative: bool = True) -> list[str]:
    e = m.effect
    lo, hi = e.relative_interval
    ci = f"{100 * (1 - e.alpha):.0f}% CI"
    lines = [
        f"Moment {m.label}: {m.instant} -> {_day(m.start)} ({m.how}); window "
        f"{_day(m.start)} .. {_day(m.end)} ({e.n} bars)",
        f"{'':<24}{'Average':>22}{'Cumulative':>26}",
        f"{'Actual':<24}{_fmt(e.actual[0]):>22}{_fmt(e.actual[1]):>26}",
        f"{'Prediction (s.d.)' if method == 'bsts' else 'Prediction':<24}"
        f"{_fmt(e.prediction[0]) + ' (' + _fmt(e.prediction_sd[0]) + ')':>22}"
        f"{_fmt(e.prediction[1]) + ' (' + _fmt(e.prediction_sd[1]) + ')':>26}",
        f"{ci:<24}{_interval(e.prediction_lower[0], e.prediction_upper[0]):>22}"
        f"{_interval(e.prediction_lower[1], e.prediction_upper[1]):>26}",
        f"{'Absolute effect':<24}{_fmt(e.effect[0]):>22}{_fmt(e.effect[1]):>26}",
        f"{ci:<24}{_interval(e.effect_lower[0], e.effect_upper[0]):>22}"
        f"{_interval(e.effect_lower[1], e.effect_upper[1]):>26}",
        f"{'Relative effect':<24}{_pct(e.relative):>22}",
        f"{ci:<24}{'[' + _pct(lo) + ', ' + _pct(hi) + ']':>22}",
    ]
    if not relative:
        lines = lines[:-2]
    if method != "bsts":  # no intervals: keep the rows with numbers
        return [line for line in lines if "CI" not in line] + [
            f"Placebo-in-space permutation p (post/pre RMSPE rank): {e.p:.4g}"
        ]
    return [
        *lines,
        f"Posterior tail-area probability p: {e.p:.5g}",
        f"Posterior prob. of a causal effect: {100 * e.probability:.4g}%",
    ]


def _interval(lo: float, hi: float) -> str:
    return f"[{_fmt(lo)}, {_fmt(hi)}]"


def _pct(x: float) -> str:
    return f"{100 * x:.3g}%" if np.isfinite(x) else "n/a"


def _report(m: Moment, method: str, values: str) -> str:
    e = m.effect
    ci = f"{100 * (1 - e.alpha):.0f}%"
    head = (
        f"Moment {m.label} ({_day(m.start)} .. {_day(m.end)}, {e.n} bars of {values}): "
        f"during the post-period the response averaged {_fmt(e.actual[0])}. "
    )
    if method != "bsts":
        return head + (
            f"The synthetic control, a weighted average of the donors fitted on the "
            f"pre-period, averaged {_fmt(e.prediction[0])}; the gap is {_fmt(e.effect[0])} on "
            f"average and {_fmt(e.effect[1])} summed. Ranked among every donor treated as if "
            f"it had the moment (post/pre RMSPE), the permutation p-value is {e.p:.3g}."
        )
    lo, hi = e.relative_interval
    text = head + (
        f"{'By contrast, in' if e.significant else 'In'} the absence of the moment we would "
        f"have expected an average of {_fmt(e.prediction[0])} ({ci} interval "
        f"{_interval(e.prediction_lower[0], e.prediction_upper[0])}). Subtracting this "
        f"prediction from the observed response gives an effect of {_fmt(e.effect[0])} "
        f"({ci} interval {_interval(e.effect_lower[0], e.effect_upper[0])}); summed over the "
        f"window {_fmt(e.effect[1])} ({_interval(e.effect_lower[1], e.effect_upper[1])}). "
    )
    if _relative_ok(values):
        text += (
            f"In relative terms the response showed "
            f"{'an increase' if e.relative > 0 else 'a decrease'} of {_pct(abs(e.relative))} "
            f"({ci} interval [{_pct(lo)}, {_pct(hi)}])."
        )
    text += "\n\n"
    if e.p < e.alpha:
        return text + (
            f"The probability of obtaining this effect by chance is very small (Bayesian "
            f"one-sided tail-area probability p = {e.p:.3g}): the effect can be considered "
            f"statistically significant."
        )
    return text + (
        f"The probability of obtaining this effect by chance is p = {e.p:.3g}: the effect may "
        f"be spurious and would generally not be considered statistically significant."
    )
