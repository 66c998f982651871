"""The settings of an event study: closed option sets checked once, at the door."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from leaderlens.errors import BadInputError, check_choice
from leaderlens.options import (
    CONVENTIONS,
    CROSS_SESSIONS,
    FIRST_BARS,
    MEASURES,
    MODELS,
    PRICE_FREQS,
    RETURN_TYPES,
    TESTS,
    VOLATILITY_MODELS,
)
from leaderlens.study.fdr import check_fdr


@dataclass(frozen=True)
class StudySettings:
    """Everything a study used, stated in every output so it can be reproduced."""

    events_from: str
    asset: str | None
    benchmark: str | None
    model: str
    window: tuple[int, int]
    estimation: tuple[int, int]
    freq: str
    returns: str
    min_estimation: int
    mask_overlaps: bool
    first_bar: str
    cross_sessions: str
    convention: str
    n_bootstrap: int
    n_placebo: int
    seed: int
    tests: str = "all"
    by: str | None = None
    start: str | None = None
    end: str | None = None
    channel: str | None = None
    query: str | None = None
    topic: str | None = None
    min_sentiment: float | None = None
    max_sentiment: float | None = None
    factors: str | None = None
    measure: str = "returns"
    volatility_model: str = "estimation"
    shares_outstanding: float | None = None
    fdr: float = 0.05
    fdr_method: str = "bh"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["window"] = list(self.window)
        out["estimation"] = list(self.estimation)
        out["notes"] = list(self.notes)
        out["variance"] = (
            "s^2 = SSR/(T-K) (K = 1 constant mean / market-adjusted, 2 market, factors + 1); "
            "prediction-error variance s^2 (1 + x'(X'X)^-1 x)"
            if self.convention == "textbook"
            else "estudy2 0.10.0 conventions (s^2 = SSR/(T-1))"
        )
        return out


def make_settings(**kw: Any) -> StudySettings:
    model = check_choice("model", kw["model"], MODELS)
    check_choice("freq", kw["freq"], PRICE_FREQS)
    check_choice("returns", kw["returns"], RETURN_TYPES)
    check_choice("first_bar", kw["first_bar"], FIRST_BARS)
    check_choice("cross_sessions", kw["cross_sessions"], CROSS_SESSIONS)
    check_choice("convention", kw["convention"], CONVENTIONS)
    check_choice("tests", kw["tests"], TESTS)
    measure = check_choice("measure", kw.get("measure", "returns"), MEASURES)
    fdr, fdr_method = check_fdr(kw.get("fdr", 0.05), kw.get("fdr_method", "bh"))
    check_measure_options(measure, model, kw)
    if (kw["leader"] is None) == (kw["events"] is None):
        raise BadInputError("give either a leader or an events file", field="leader")
    window = window_pair("window", kw["window"])
    estimation = window_pair("estimation", kw["estimation"])
    if estimation[1] >= window[0]:
        raise BadInputError(
            f"the estimation window {estimation} must end before the event window {window} starts",
            field="estimation",
        )
    if model == "factor" and kw["factors"] is None:
        raise BadInputError("the factor model needs a factors file", field="factors")
    if model == "factor" and kw["freq"] != "1d":
        raise BadInputError("factor files are daily: use --freq 1d", field="freq")
    length = estimation[1] - estimation[0] + 1
    minimum = kw["min_estimation"] if kw["min_estimation"] is not None else max(length // 2, 5)
    if minimum > length:
        raise BadInputError(
            f"min_estimation {minimum} exceeds the estimation window's {length} bars",
            field="min_estimation",
        )
    for name in ("n_bootstrap", "n_placebo"):
        if int(kw[name]) < 0:
            raise BadInputError(f"{name} must be 0 or more; got {kw[name]}", field=name)
    given = kw["events"]
    if isinstance(given, pd.DataFrame):  # a frame read by read_events names its file
        given = given.attrs.get("source", "frame")
    source = (
        f"statements of leader {kw['leader']}" if kw["leader"] is not None else f"events {given}"
    )
    return StudySettings(
        events_from=source,
        asset=kw["asset"],
        benchmark=kw["benchmark"],
        model=model,
        window=window,
        estimation=estimation,
        freq=kw["freq"],
        returns=kw["returns"],
        min_estimation=int(minimum),
        mask_overlaps=bool(kw["mask_overlaps"]),
        first_bar=kw["first_bar"],
        cross_sessions=kw["cross_sessions"],
        convention=kw["convention"],
        n_bootstrap=int(kw["n_bootstrap"]),
        n_placebo=int(kw["n_placebo"]),
        seed=int(kw["seed"]),
        tests=kw["tests"],
        by=kw["by"],
        start=kw["start"],
        end=kw["end"],
        channel=kw["channel"],
        query=kw["query"],
        topic=kw["topic"],
        min_sentiment=kw["min_sentiment"],
        max_sentiment=kw["max_sentiment"],
        factors=str(kw["factors"]) if kw["factors"] is not None else None,
        measure=measure,
        volatility_model=kw.get("volatility_model", "estimation"),
        shares_outstanding=(
            float(kw["shares_outstanding"]) if kw.get("shares_outstanding") is not None else None
        ),
        fdr=fdr,
        fdr_method=fdr_method,
    )


def check_measure_options(measure: str, model: str, kw: dict[str, Any]) -> None:
    """The options that go with a measure (see :mod:`leaderlens.study.measures`)."""
    volatility_model = check_choice(
        "volatility_model", kw.get("volatility_model", "estimation"), VOLATILITY_MODELS
    )
    if volatility_model == "garch" and measure != "volatility":
        raise BadInputError(
            "volatility_model='garch' goes with measure='volatility'", field="volatility_model"
        )
    if measure == "volume" and model == "factor":
        raise BadInputError(
            "factor models explain returns; a volume study takes constant-mean (mean-adjusted), "
            "market-adjusted or market (market volume model)",
            field="model",
        )
    shares = kw.get("shares_outstanding")
    if shares is None:
        return
    if measure != "volume":
        raise BadInputError(
            "shares_outstanding (turnover) goes with measure='volume'", field="shares_outstanding"
        )
    if kw.get("asset") is None:
        raise BadInputError(
            "shares_outstanding is the studied asset's: give asset as well",
            field="shares_outstanding",
        )
    if isinstance(shares, bool) or not isinstance(shares, int | float) or not shares > 0:
        raise BadInputError(
            f"shares_outstanding must be a positive number; got {shares!r}",
            field="shares_outstanding",
        )


def window_pair(name: str, value: Any) -> tuple[int, int]:
    try:
        a, b = (int(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise BadInputError(
            f"{name} must be two whole numbers A,B; got {value!r}", field=name
        ) from exc
    if a > b:
        raise BadInputError(f"{name} must have A <= B; got {a},{b}", field=name)
    return a, b
