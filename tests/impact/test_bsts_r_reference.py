"""The BSTS sampler against R CausalImpact's own printed summaries (five cases, R's defaults).

R's figures are parsed from the summaries R printed (``*_R_summary.txt``); the periods are those
of the data's PROVENANCE.md. Tolerances are the brief's: the average prediction within 1%, each
95% bound of the relative effect within 15% of R's interval width, p on R's side of 0.05.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaderlens.counterfactual.bsts import sample_bsts
from leaderlens.counterfactual.effects import summarise_window

CASES = {  # file, separator, time column, pre-period end, post-period (start, end)
    "volks": ("volks_data.csv", " ", "Date", "2015-09-13", ("2015-09-20", "2017-03-19")),
    "comparison": (
        "comparison_data.csv",
        ",",
        "DATE",
        "2019-07-14",
        ("2019-07-15", "2019-08-01"),
    ),
    "basque": ("basque.csv", ",", "date", "1975-01-01", ("1976-01-01", "1997-01-01")),
    "arma": ("arma_data.csv", ",", None, 69, (70, 99)),
    "google": ("google_data.csv", ",", "date", "2020-03-01", ("2020-03-02", "2020-03-31")),
}


def load_case(folder: Path, case: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    name, sep, time_col, pre_end, (start, end) = CASES[case]
    frame = pd.read_csv(folder / name, sep=sep)
    if time_col is not None:
        frame.index = pd.to_datetime(frame.pop(time_col))
        pre_end, start, end = pd.Timestamp(pre_end), pd.Timestamp(start), pd.Timestamp(end)
    index = frame.index
    return frame, np.asarray(index <= pre_end), np.asarray((index >= start) & (index <= end))


def r_summary(folder: Path, case: str) -> dict[str, float]:
    text = (folder / f"{case}_R_summary.txt").read_text()
    number = r"(-?[\d.]+)"
    pred = re.search(rf"Prediction \(s\.d\.\)\s+{number}", text)
    rel = re.findall(rf"95% CI\s+\[{number}%,\s*{number}%\]", text)
    p = re.search(rf"tail-area probability p:\s+{number}", text)
    assert pred and rel and p
    return {
        "pred": float(pred.group(1)),
        "lower": float(rel[-1][0]) / 100,
        "upper": float(rel[-1][1]) / 100,
        "p": float(p.group(1)),
    }


@pytest.mark.parametrize("case", list(CASES))
def test_matches_r_causalimpact(shared_data: Path, case: str) -> None:
    folder = shared_data / "causalimpact_r_reference"
    frame, fit, post = load_case(folder, case)
    r = r_summary(folder, case)
    y = frame.iloc[:, 0].to_numpy()
    draws = sample_bsts(y, frame.iloc[:, 1:].to_numpy(), fit, niter=1000, seed=1)
    got = summarise_window(y[post], draws.mean[:, post], draws.response[:, post])
    # R prints the average prediction to 2-3 significant digits: allow that rounding too
    digits = len(re.sub(r"\D", "", f"{r['pred']:g}"))
    rounding = 0.5 * 10 ** (np.floor(np.log10(abs(r["pred"]))) - digits + 1)
    assert abs(got.prediction[0] - r["pred"]) <= 0.01 * abs(r["pred"]) + rounding
    width = r["upper"] - r["lower"]
    lower, upper = got.relative_interval
    assert abs(lower - r["lower"]) <= 0.15 * width
    assert abs(upper - r["upper"]) <= 0.15 * width
    assert (got.p < 0.05) == (r["p"] < 0.05)
    assert got.probability == pytest.approx(1 - got.p)


def test_seeded_and_reproducible(shared_data: Path) -> None:
    frame, fit, _ = load_case(shared_data / "causalimpact_r_reference", "arma")
    y, X = frame["y"].to_numpy(), frame[["X"]].to_numpy()
    a = sample_bsts(y, X, fit, niter=60, seed=3)
    b = sample_bsts(y, X, fit, niter=60, seed=3)
    c = sample_bsts(y, X, fit, niter=60, seed=4)
    np.testing.assert_array_equal(a.response, b.response)
    assert not np.array_equal(a.response, c.response)
