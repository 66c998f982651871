"""Independent witnesses for the risk tests: the textbook market model fitted with
statsmodels on returns read from price files with plain pandas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm


def yahoo_returns(path: Path) -> pd.Series:
    """Simple returns of a Yahoo-style file's ``Adj Close``, indexed by its ``Date`` text."""
    raw = pd.read_csv(path)
    adj = pd.Series(raw["Adj Close"].to_numpy(float), index=raw["Date"])
    return adj / adj.shift(1) - 1


def paired_returns(asset: Path, benchmark: Path) -> tuple[pd.Series, pd.Series]:
    """The two files' returns on their common sessions (one position per session)."""
    both = pd.concat([yahoo_returns(asset), yahoo_returns(benchmark)], axis=1, join="inner")
    return both.iloc[:, 0], both.iloc[:, 1]


def market_model_car(
    r: pd.Series, m: pd.Series, day0: str, window: tuple[int, int], estimation: tuple[int, int]
) -> tuple[float, float]:
    """CAR and its t by the market model (MacKinlay 1997): OLS on the estimation window with
    statsmodels, Var(CAR) = s^2 [L + L^2/T + (sum_W (m - mean_E m))^2 / S_mm]. ``r`` and ``m``
    share one index of sessions."""
    i = r.index.get_loc(day0)
    est = slice(i + estimation[0], i + estimation[1] + 1)
    win = slice(i + window[0], i + window[1] + 1)
    fit = sm.OLS(r.iloc[est].to_numpy(), sm.add_constant(m.iloc[est].to_numpy())).fit()
    a, b = fit.params
    car = float((r.iloc[win] - a - b * m.iloc[win]).sum())
    t_len, l_len = int(fit.nobs), win.stop - win.start
    me = m.iloc[est]
    var = fit.mse_resid * (
        l_len
        + l_len**2 / t_len
        + ((m.iloc[win] - me.mean()).sum()) ** 2 / ((me - me.mean()) ** 2).sum()
    )
    return car, car / float(np.sqrt(var))


def planted_in_window(
    planted: pd.DataFrame, asset: str, sessions: pd.Index, day0: str, window: tuple[int, int]
) -> float:
    """Sum of the abnormal returns the demo planted on ``asset`` (its ``planted_events``
    ground truth) over ``window`` around ``day0``; ``sessions`` are the asset's session dates
    as ``YYYY-MM-DD`` text."""
    i = sessions.get_loc(day0)
    days = set(sessions[i + window[0] : i + window[1] + 1])
    rows = planted[planted["asset"] == asset]
    return float(rows.loc[rows["day0"].dt.strftime("%Y-%m-%d").isin(days), "planted_ar"].sum())
