"""The finished answer of an event study: per-event and aggregate tables, tests, a plot.

:class:`EventStudyResult` is immutable. ``events_frame()`` is the per-event table (one row per
event, with the statements it clusters, day 0, how it was aligned, the estimation length, the
model's parameters, AR by relative bar, CAR with its t and p, and the reason when excluded);
``aggregate_frame()`` holds AAR and CAAR by relative bar with N; ``tests_frame()`` the battery;
``to_dict()`` the JSON contract of ``leaderlens study --json``.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leaderlens.study import fdr
from leaderlens.study.abnormal import AveragePath
from leaderlens.study.battery import Battery
from leaderlens.study.eventize import StatementMembers
from leaderlens.study.headline import Headline
from leaderlens.study.result import TestResult

if TYPE_CHECKING:
    from leaderlens.study.event_study import StudySettings


#: Up to this many studied events, the summary shows every event's ARs by bar, day 0 first.
FEW_EVENTS = 10

BHAR_HYPOTHESIS = (
    "buy-and-hold return of the asset minus that of its benchmark over the window (raw "
    "benchmark, no alpha or beta): a different question from the abnormal-return tests, "
    "whose normal model takes out the asset's alpha and beta"
)


@dataclass(frozen=True)
class GroupResult:
    """Results split by a statement attribute: CAAR per group and tests of equal means."""

    by: str
    table: pd.DataFrame
    tests: tuple[TestResult, ...]


@dataclass(frozen=True)
class EventStudyResult:
    """An event study's results.

    Attributes
    ----------
    settings: every setting used (model, windows, return type, variance convention, ...).
    table: one row per event, including excluded ones, without the statement ids when
        ``members`` holds them; :attr:`events` is the table with them (see
        :meth:`events_frame`).
    members: the statement ids of each event (None: ``table`` has them).
    ar: (E, L) abnormal values by relative bar of the event window (NaN when excluded).
    ar_t: (E, L) t of each abnormal value with its prediction-error variance, t(T - K).
    returns: (E, L) the asset's raw returns in the event window (excess returns for the
        factor model), as used.
    params: (E, K) normal-model parameters (names in ``param_names``).
    path: AAR, CAAR and N by relative bar over the studied events.
    battery: every test of METHODS section 3 on the whole event window (None with < 2 events).
    bhar_test: skewness-adjusted t of the mean BHAR (None without a benchmark or < 3 events).
        A different hypothesis from the battery's: BHAR compounds the asset's return against the
        raw benchmark's, not against the normal model, so it is shown apart (BHAR_HYPOTHESIS).
    placebo: the placebo / permutation test (None when not run).
    groups: the split by ``settings.by`` (None when not asked for).
    headline: the one test the conclusion rests on, chosen from the design
        (:mod:`leaderlens.study.headline`; None when no event could be studied).
    car_var: (E, L) Var(CAR) from the first event bar up to each bar (prediction-error
        variance; NaN when excluded); dof: (E,) T - K of each event (0 when not studied).
    advice: one sentence per requested test that could not run (why) and per design the
        study handles badly (what works instead; :mod:`leaderlens.study.advice`).
    """

    settings: StudySettings
    table: pd.DataFrame
    ar: np.ndarray
    ar_t: np.ndarray
    returns: np.ndarray
    params: np.ndarray
    param_names: tuple[str, ...]
    path: AveragePath
    battery: Battery | None
    bhar_test: TestResult | None
    placebo: TestResult | None
    groups: GroupResult | None
    members: StatementMembers | None = None
    headline: Headline | None = None
    advice: tuple[str, ...] = ()
    car_var: np.ndarray | None = None
    dof: np.ndarray | None = None

    @cached_property
    def events(self) -> pd.DataFrame:
        """One row per event, including excluded ones, with the ``statement_ids`` of each
        (lists, built on first use)."""
        if self.members is None:
            return self.table
        out = self.table.copy()
        out.insert(1, "statement_ids", self.members.lists())
        return out

    # ---------------------------------------------------------------------------- tables
    @property
    def relative_bars(self) -> np.ndarray:
        t1, t2 = self.settings.window
        return np.arange(t1, t2 + 1)

    @property
    def n_studied(self) -> int:
        return int((self.table["excluded"] == "").sum())

    def events_frame(self) -> pd.DataFrame:
        """One row per event: labels, times, day 0, alignment, parameters, AR_t, CAR, t, p."""
        out = self.events.copy()
        out["time"] = pd.to_datetime(out["time"], utc=True)
        out["day0"] = _day0_labels(out["day0"].to_numpy(), self.settings.freq)
        for j, name in enumerate(self.param_names):
            out[name] = self.params[:, j]
        for j, rel in enumerate(self.relative_bars):
            out[f"ar[{rel}]"] = self.ar[:, j]
        for j, rel in enumerate(self.relative_bars):
            out[f"ar_t[{rel}]"] = self.ar_t[:, j]
        for j, rel in enumerate(self.relative_bars):
            out[f"r[{rel}]"] = self.returns[:, j]
        return fdr.with_q_values(out, ("car_p",))

    @property
    def discoveries(self) -> fdr.Discoveries:
        """Events whose CAR p-value is at most ``settings.fdr`` (raw) and FDR discoveries at
        that rate (``settings.fdr_method``)."""
        return fdr.discoveries(self.table["car_p"], self.settings.fdr, self.settings.fdr_method)

    def aggregate_frame(self) -> pd.DataFrame:
        """AAR and CAAR by relative bar, with the number of events N_t behind each."""
        return pd.DataFrame(
            {
                "bar": self.path.bars,
                "aar": self.path.aar,
                "caar": self.path.caar,
                "n": self.path.n,
            }
        )

    def tests_frame(self) -> pd.DataFrame:
        """Every test of the mean abnormal value: name, statistic, p-value, null distribution,
        H0, N. The BHAR test answers another question (:attr:`bhar_test`, shown apart)."""
        results = list(self.battery.results) if self.battery is not None else []
        results += [t for t in (self.placebo,) if t is not None]
        return pd.DataFrame(
            [
                {
                    "test": t.name,
                    "statistic": t.statistic,
                    "p_value": t.p_value,
                    "distribution": t.distribution,
                    "null": t.null,
                    "n": t.n,
                }
                for t in results
            ],
            columns=["test", "statistic", "p_value", "distribution", "null", "n"],
        )

    def to_frame(self) -> pd.DataFrame:
        """The tidy per-event table (same as :meth:`events_frame`)."""
        return self.events_frame()

    # ---------------------------------------------------------------------------- text
    def summary(self) -> str:
        s = self.settings
        b = self.battery
        lines = [
            f"Event study: {s.events_from} on {s.asset or 'per-event assets'} "
            f"({s.freq} bars, {s.returns} returns{_measure_words(s, units=True)})",
            f"  model {s.model}, estimation {list(s.estimation)}, window {list(s.window)}, "
            f"min estimation bars {s.min_estimation}, {s.convention} variance convention",
            f"  events {len(self.table)}: studied {self.n_studied}, "
            f"excluded {len(self.table) - self.n_studied}",
            f"  per-event CAR tests: {self.discoveries.summary()}",
        ]
        reasons = self.table.loc[self.table["excluded"] != "", "excluded"]
        for reason, count in grouped_reasons(reasons):
            lines.append(f"    excluded: {reason} ({count})")
        if b is not None:
            ci = (
                f", bootstrap-t {b.bootstrap.level:.0%} CI [{b.bootstrap.t_low:.4%}, "
                f"{b.bootstrap.t_high:.4%}] (percentile [{b.bootstrap.low:.4%}, "
                f"{b.bootstrap.high:.4%}])"
                if b.bootstrap is not None
                else ""
            )
            lines.append(f"  CAAR{list(b.window)} = {b.caar:.4%} (N = {b.n}){ci}")
            lines.append(
                "  cross-correlation r: "
                + ", ".join(
                    f"{what} {_r_text(value)}"
                    for what, value in (
                        ("of estimation residuals", b.r),
                        ("implied by shared event days", b.r_window),
                    )
                )
            )
            lines.append(f"  {'test':<44}{'statistic':>11}{'p-value':>10}  distribution")
            for _, row in self.tests_frame().iterrows():
                lines.append(
                    f"  {row['test'][:43]:<44}{row['statistic']:>11.4f}{row['p_value']:>10.4f}"
                    f"  {row['distribution']}"
                )
        if self.bhar_test is not None:
            t = self.bhar_test
            lines.append(
                f"  apart, BHAR ({BHAR_HYPOTHESIS}): mean {self._mean_bhar():.4%}, {t.name} "
                f"{t.statistic:.4f} (p = {t.p_value:.4f}, {t.distribution})"
            )
        if self.headline is not None:
            lines.append(f"  {self.headline.summary()}")
        lines += [f"  note: {text}" for text in self.advice]
        lines += self._event_lines()
        if self.groups is not None:
            lines.append(f"  by {self.groups.by}:")
            for _, row in self.groups.table.iterrows():
                lines.append(
                    f"    {row['group']:<20} N={row['n']:<6} CAAR={row['caar']:.4%} "
                    f"t={row['t']:.3f}"
                )
            lines += [f"    {t.summary()}" for t in self.groups.tests]
        return "\n".join(lines)

    def _bar_text(self, i: int) -> str:
        """One event's ARs by bar, day 0 first, each with its t (t(T - K))."""
        bars = self.relative_bars
        order = np.argsort(np.abs(bars) + 0.5 * (bars < 0), kind="stable")
        return "; ".join(
            f"AR[{int(bars[j])}] {self.ar[i, j]:+.2%} (t {self.ar_t[i, j]:.2f})" for j in order
        )

    def _mean_bhar(self) -> float:
        values = self.table["bhar"].to_numpy(float) if "bhar" in self.table else np.array([])
        return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")

    def _event_lines(self, limit: int = 15) -> list[str]:
        """The first ``limit`` studied events as text rows (label, day 0, CAR, t, p)."""
        frame = self.events_frame()
        studied = frame[frame["excluded"] == ""].sort_values("time")
        if studied.empty:
            return []
        lines = [f"  {'event':<42}{'day 0':>21}{'CAR':>10}{'t':>8}{'p':>8}"]
        few = len(studied) <= FEW_EVENTS
        for row in studied.head(limit).itertuples():
            label = " ".join(str(row.label).split())[:40]
            if few:
                lines.append(f"  {label:<42}{row.day0:>21}  " + self._bar_text(int(row.Index)))
            lines.append(
                f"  {label:<42}{row.day0:>21}{row.car:>10.4%}{row.car_t:>8.2f}{row.car_p:>8.4f}"
                if not few
                else f"  {'':<42}{'CAR':>21}{row.car:>10.4%}{row.car_t:>8.2f}{row.car_p:>8.4f}"
            )
        if len(studied) > limit:
            lines.append(f"  ... {len(studied) - limit} more events (--json for all)")
        return lines

    def __repr__(self) -> str:
        return (
            f"EventStudyResult({self.settings.model} model, {len(self.table)} events, "
            f"{self.n_studied} studied)"
        )

    def _repr_html_(self) -> str:
        head = html.escape(self.summary().splitlines()[0])
        tests = self.tests_frame().to_html(index=False, escape=True, float_format="%.4f")
        events = self.events_frame()[
            ["label", "time", "day0", "aligned", "car", "car_t", "car_p", "car_q_bh", "excluded"]
        ].to_html(index=False, escape=True, max_rows=20, float_format="%.4f")
        return f"<h4>{head}</h4>{tests}{events}"

    # ---------------------------------------------------------------------------- JSON
    def to_dict(self) -> dict[str, Any]:
        """The ``leaderlens study --json`` contract (returns as fractions, day0 ISO)."""
        frame = self.events_frame()
        rel = [str(int(b)) for b in self.relative_bars]
        events = []
        for i, row in enumerate(frame.itertuples(index=False)):
            excluded = row.excluded or None
            events.append(
                {
                    "label": row.label,
                    "statement_ids": list(row.statement_ids),
                    "asset": row.asset,
                    "time": row.time.isoformat(),
                    "day0": row.day0,
                    "aligned": row.aligned,
                    "gap_hours": _num(row.gap_hours),
                    "overlaps": bool(row.overlaps),
                    "n_estimation": int(row.n_estimation),
                    "params": {n: _num(self.params[i, j]) for j, n in enumerate(self.param_names)},
                    "ar": {r: _num(self.ar[i, j]) for j, r in enumerate(rel)},
                    "ar_t": {r: _num(self.ar_t[i, j]) for j, r in enumerate(rel)},
                    "returns": {r: _num(self.returns[i, j]) for j, r in enumerate(rel)},
                    "car": _num(row.car),
                    "car_t": _num(row.car_t),
                    "car_p": _num(row.car_p),
                    "car_q_bh": _num(row.car_q_bh),
                    "car_q_by": _num(row.car_q_by),
                    "excluded": excluded,
                }
            )
        tests = [
            {
                "name": r.test,
                "statistic": _num(r.statistic),
                "p_value": _num(r.p_value),
                "distribution": r.distribution,
                "null": r.null,
                "n": int(r.n),
            }
            for r in self.tests_frame().itertuples(index=False)
        ]
        b = self.battery
        aggregate: dict[str, Any] = {
            "n": b.n if b is not None else self.n_studied,
            "caar": _num(b.caar) if b is not None else None,
            "window": list(self.settings.window),
            "discoveries": self.discoveries.to_dict(),
            "tests": tests,
            "path": [
                {"bar": int(bar), "aar": _num(a), "caar": _num(c), "n": int(n)}
                for bar, a, c, n in zip(
                    self.path.bars, self.path.aar, self.path.caar, self.path.n, strict=True
                )
            ],
        }
        if b is not None and b.bootstrap is not None:
            aggregate["bootstrap_ci"] = {
                "level": b.bootstrap.level,
                "low": b.bootstrap.low,
                "high": b.bootstrap.high,
            }
            aggregate["bootstrap_t_ci"] = {
                "level": b.bootstrap.level,
                "low": _num(b.bootstrap.t_low),
                "high": _num(b.bootstrap.t_high),
            }
        if b is not None:
            aggregate["kolari_pynnonen_r"] = _num(b.r) if b.r is not None else None
            aggregate["kolari_pynnonen_r_window"] = _num(b.r_window)
        aggregate["advice"] = list(self.advice)
        if self.bhar_test is not None:
            aggregate["bhar"] = {
                "hypothesis": BHAR_HYPOTHESIS,
                "mean": _num(self._mean_bhar()),
                "name": self.bhar_test.name,
                "statistic": _num(self.bhar_test.statistic),
                "p_value": _num(self.bhar_test.p_value),
                "distribution": self.bhar_test.distribution,
                "n": self.bhar_test.n,
            }
        if self.headline is not None:
            aggregate["headline"] = {
                k: (_num(v) if isinstance(v, float) else v)
                for k, v in self.headline.to_dict().items()
            }
        out: dict[str, Any] = {
            "settings": self.settings.to_dict(),
            "events": events,
            "aggregate": aggregate,
        }
        if self.groups is not None:
            out["groups"] = {
                "by": self.groups.by,
                "table": [
                    {k: (_num(v) if isinstance(v, float) else v) for k, v in row.items()}
                    for row in self.groups.table.to_dict(orient="records")
                ],
                "tests": [
                    {
                        "name": t.name,
                        "statistic": _num(t.statistic),
                        "p_value": _num(t.p_value),
                        "distribution": t.distribution,
                    }
                    for t in self.groups.tests
                ],
            }
        return out

    # ---------------------------------------------------------------------------- plot
    def plot(self, level: float = 0.95) -> Any:
        """CAAR by relative bar with a confidence band (plotly figure; see :meth:`caar_band`)."""
        import plotly.graph_objects as go

        band = self.caar_band(level)
        fig = go.Figure()
        if np.isfinite(band["low"]).any():
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([band["bar"], band["bar"][::-1]]),
                    y=np.concatenate([band["high"], band["low"][::-1]]),
                    fill="toself",
                    line={"width": 0},
                    fillcolor="rgba(31,119,180,0.2)",
                    name=f"{level:.0%} band",
                    hoverinfo="skip",
                )
            )
        fig.add_trace(go.Scatter(x=band["bar"], y=band["caar"], mode="lines+markers", name="CAAR"))
        fig.add_hline(y=0, line={"color": "grey", "width": 1})
        fig.update_layout(
            title=html.escape(f"CAAR, {self.settings.model} model ({self._band_text()})"),
            xaxis_title="bar relative to day 0",
            yaxis_title=(f"CAAR ({self.settings.returns} returns{_measure_words(self.settings)})"),
            yaxis_tickformat=".2%" if self.settings.measure == "returns" else ".2f",
            template="plotly_white",
        )
        return fig

    def _band_text(self) -> str:
        if self.n_studied == 1:
            return "band: t(T-K) quantile x the CAR's prediction-error SE"
        return "band: t(N-1) quantile x cross-sectional SE"

    def caar_band(self, level: float = 0.95) -> pd.DataFrame:
        """CAAR by relative bar with its confidence band (columns bar, caar, low, high, n).

        Several events: CAAR_t +/- t_(N_t - 1) sd_t / sqrt(N_t), sd_t the cross-sectional
        standard deviation of the events' CARs up to bar t. One event: its CAR_t +/-
        t_(T - K) sqrt(Var(CAR_t)), the prediction-error variance (:attr:`car_var`).
        """
        from scipy import stats

        studied = self.table["excluded"].to_numpy() == ""
        cum = np.cumsum(self.ar[studied], axis=1)
        n = np.isfinite(cum).sum(axis=0)
        caar = np.nanmean(cum, axis=0) if cum.size else np.full(cum.shape[1], np.nan)
        q = 0.5 + level / 2
        if cum.shape[0] == 1 and self.car_var is not None and self.dof is not None:
            half = stats.t.ppf(q, self.dof[studied][0]) * np.sqrt(self.car_var[studied][0])
        elif cum.shape[0] > 1:
            sd = np.nanstd(cum, axis=0, ddof=1)
            half = stats.t.ppf(q, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
        else:
            half = np.full(cum.shape[1], np.nan)
        return pd.DataFrame(
            {
                "bar": self.relative_bars,
                "caar": caar,
                "low": caar - half,
                "high": caar + half,
                "n": n,
            }
        )


def _r_text(value: float | None) -> str:
    return f"{value:.4g}" if value is not None else "not computed"


def _num(value: Any) -> float | None:
    if value is None:
        return None
    x = float(value)
    return None if math.isnan(x) or math.isinf(x) else x


def _day0_labels(ns: np.ndarray, freq: str) -> list[str | None]:
    """Day 0 as an ISO date (daily) or an ISO instant in UTC (intraday)."""
    out = np.full(len(ns), None, dtype=object)
    ok = ns >= 0
    stamps = pd.to_datetime(ns[ok], utc=True)
    text = stamps.strftime("%Y-%m-%d") if freq == "1d" else stamps.strftime("%Y-%m-%dT%H:%M:%SZ")
    out[ok] = np.asarray(text, dtype=object)
    return list(out)


def _measure_words(settings: StudySettings, units: bool = False) -> str:
    """``"; measure volume"`` (volatility with its model) when the study is not of returns;
    ``units``: with how its percentages read."""
    if settings.measure == "returns":
        return ""
    model = f" ({settings.volatility_model})" if settings.measure == "volatility" else ""
    unit = "100% = 1 log point" if settings.measure == "volume" else "100% = twice the variance"
    return f"; measure {settings.measure}{model}" + (f", {unit}" if units else "")


_NUMBER = r"(?<![\w.-])\d+(?:\.\d+)?(?![\w.])"


def grouped_reasons(reasons: pd.Series) -> list[tuple[str, int]]:
    """Exclusion reasons grouped by their wording, most frequent first. A number that is the
    same in every reason of a group (a threshold) is kept; one that varies (each event's count
    of usable bars) becomes its range, ``12-98``."""
    if reasons.empty:
        return []
    shape = reasons.str.replace(_NUMBER, "\x00", regex=True)
    out = []
    for pattern, group in reasons.groupby(shape, sort=False):
        numbers = group.str.findall(_NUMBER).tolist()
        columns = list(zip(*numbers, strict=True)) if numbers and numbers[0] else []
        shown = []
        for values in columns:
            nums = sorted(set(values), key=float)
            shown.append(nums[0] if len(nums) == 1 else f"{nums[0]}-{nums[-1]}")
        parts = str(pattern).split("\x00")
        text = parts[0] + "".join(v + p for v, p in zip(shown, parts[1:], strict=True))
        out.append((text, len(group)))
    return sorted(out, key=lambda item: -item[1])
