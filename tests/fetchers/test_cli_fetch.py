"""``leaderlens fetch``: help, exit codes and messages for expected failures, --json output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from leaderlens.cli.fetch import fetch_app

runner = CliRunner()
DOGE = {
    "symbol": "DOGEUSDT", "status": "TRADING", "baseAsset": "DOGE", "quoteAsset": "USDT",
    "baseAssetPrecision": 8, "quotePrecision": 8, "quoteAssetPrecision": 8,
    "orderTypes": ["LIMIT", "MARKET"], "isSpotTradingAllowed": True,
    "filters": [{"filterType": "PRICE_FILTER", "minPrice": "0.00000100",
                 "maxPrice": "1000.00000000", "tickSize": "0.00000100"}],
    "permissionSets": [["SPOT"]],
}  # fmt: skip
app = typer.Typer()
app.add_typer(fetch_app, name="fetch")  # as cli/main.py registers it


@pytest.mark.parametrize("command", ["prices", "crypto", "attention", "posts"])
def test_every_fetch_command_has_help(command: str) -> None:
    result = runner.invoke(app, ["fetch", command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--workspace" in result.output
    assert "token" not in result.output.lower() or command == "posts"
    assert "--bearer" not in result.output  # the token never travels on the command line


def test_posts_without_a_token_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEADERLENS_X_BEARER_TOKEN", raising=False)
    result = runner.invoke(
        app, ["fetch", "posts", "--user", "elonmusk", "-w", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 2
    assert "LEADERLENS_X_BEARER_TOKEN" in result.output
    assert "Traceback" not in result.output


def test_prices_offline_exits_1_naming_yahoo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    yf = pytest.importorskip("yfinance")
    from curl_cffi.curl import Curl, CurlError

    def offline(self: object, *args: object) -> None:  # what libcurl says without a network
        raise CurlError("Failed to perform, curl: (6) Could not resolve host: yahoo.com", 6)

    monkeypatch.setattr(Curl, "perform", offline)
    yf.cache.set_cache_location(str(tmp_path / "yf-cache"))
    yf.data.YfData.cache_get.cache_clear()
    result = runner.invoke(
        app, ["fetch", "prices", "TSLA", "--start", "2018-08-01", "-w", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 1
    assert "cannot reach Yahoo Finance for TSLA" in result.output
    assert "Traceback" not in result.output


def test_crypto_stores_and_writes_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    responses = pytest.importorskip("responses")
    from leaderlens.fetchers import crypto as crypto_module

    fixed = 1612310400.0  # 2021-02-03 00:00 UTC

    class Clock:
        def now(self) -> float:
            return fixed

        def sleep(self, seconds: float) -> None:
            pass

    monkeypatch.setattr(crypto_module, "SystemClock", Clock)
    bars = [
        [1612224000000 + h * 3_600_000, "0.03", "0.04", "0.02", "0.035", "1000"] for h in range(24)
    ]

    def klines(request: Any) -> tuple[int, dict[str, str], str]:
        return 200, {}, json.dumps([[*b, b[0] + 3_599_999, "35", 10, "0", "0", "0"] for b in bars])

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.GET, "https://api.binance.com/api/v3/exchangeInfo", json={"symbols": [DOGE]}
        )
        for url in (
            "https://fapi.binance.com/fapi/v1/exchangeInfo",
            "https://dapi.binance.com/dapi/v1/exchangeInfo",
        ):
            mock.add(responses.GET, url, json={"symbols": []})
        mock.add_callback(responses.GET, "https://api.binance.com/api/v3/klines", callback=klines)
        out = tmp_path / "r.json"
        result = runner.invoke(
            app,
            ["fetch", "crypto", "DOGE/USDT", "--start", "2021-02-02", "--end", "2021-02-03",
             "-w", str(tmp_path / "w.duckdb"), "--json", str(out)],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["target"] == "DOGE-USDT" and payload["rows_added"] == 24


def test_the_suite_cannot_reach_the_network() -> None:
    requests = pytest.importorskip("requests")
    pytest_socket = pytest.importorskip("pytest_socket")
    from curl_cffi import requests as curl_requests

    with pytest.raises(pytest_socket.SocketBlockedError):
        requests.get("https://query2.finance.yahoo.com/v8/finance/chart/TSLA", timeout=1)
    with pytest.raises(pytest_socket.SocketBlockedError):
        curl_requests.get("https://query2.finance.yahoo.com/v8/finance/chart/TSLA", timeout=1)
