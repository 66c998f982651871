"""What the user typed or loaded is printed as text: console markup in names, values and paths
neither styles nor crashes the command line; every failure is a message with exit code 2."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leaderlens.cli.main import app

MARKUP = ["[/]", "[/b]", "[bold]"]


def run(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.output


@pytest.mark.parametrize("mark", MARKUP)
def test_markup_in_names_values_and_paths_is_printed_as_text(tmp_path: Path, mark: str) -> None:
    ws = str(tmp_path / f"w{mark.replace('/', '')}.duckdb")  # (a name holds no /)
    leader, asset = f"l{mark}", f"a{mark}"
    source = tmp_path / f"s{mark.replace('/', '')}.csv"
    source.write_text(f"id,time,text\n1,2021-01-04T15:00:00Z,{mark} text\n")
    prices = tmp_path / "p.csv"
    prices.write_text("date,close\n2021-01-04,1\n2021-01-05,1.01\n2021-01-06,1.02\n")
    steps = [
        (["add", "leader", leader, "--name", mark, "--company", mark], 0, f"leader {leader} saved"),
        (["add", "brand", f"b{mark}", "--name", mark, "--leader", leader], 0, f"b{mark}"),
        (["add", "asset", asset, "--calendar", "24/7", "--name", mark], 0, f"asset {asset}"),
        (["ingest", "statements", str(source), "--leader", leader], 0, leader),
        (["ingest", "prices", str(prices), "--asset", asset], 0, asset),
        (["ls"], 0, leader),
        (["study", "--leader", leader, "--asset", asset], 2, asset),
        (["annotate", "--leader", leader], 0, ""),
        (["persona", "--leader", leader], 0, leader),
        (["add", "asset", "new", "--calendar", mark], 2, mark),
        (["ingest", "statements", str(source), "--leader", leader, "--channel", mark], 2, mark),
        (["ingest", "statements", str(tmp_path / f"no{mark}.csv"), "--leader", leader], 2, "no"),
    ]
    for args, code, shown in steps:
        exit_code, output = run(*args, "--workspace", ws)
        assert exit_code == code, (args, output)
        assert shown in output, (args, output)
        assert "MarkupError" not in output and "internal error" not in output, (args, output)
    missing = f"missing{mark.replace('/', '')}.duckdb"
    exit_code, output = run("ls", "--workspace", str(tmp_path / missing))
    assert exit_code == 2 and missing in output


def test_broken_inputs_are_messages_with_exit_2(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws.duckdb")
    good = b"id,time,text\n" + b"".join(b"%d,2021-01-01T00:00:00Z,hello\n" % i for i in range(5000))
    garbled = bytearray(gzip.compress(good))
    garbled[100:160] = os.urandom(60)
    files = {
        "garbled.csv.gz": bytes(garbled),
        "deep.jsonl": b'{"id": 1, "text": "a", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
        "notweets.js": b'window.YTD.tweets.part0 = [{"foo": 1}, {"bar": {"baz": 2}}]\n',
        "bomb.csv.gz": gzip.compress(b"id,time,text\n" + b"0" * (300 << 20)),
    }
    expected = {
        "garbled.csv.gz": "not a readable gzip file",
        "deep.jsonl": "nested too deeply",
        "notweets.js": "no tweets in this archive file",
        "bomb.csv.gz": "decompression bomb",
    }
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
        exit_code, output = run("ingest", "statements", str(tmp_path / name), "--leader", "x",
                                "--workspace", ws)  # fmt: skip
        assert exit_code == 2 and expected[name] in output, (name, output)
    (tmp_path / "ok.csv").write_bytes(good[:200])
    for encoding in ("rot13", "nonsense"):
        for kind in (["statements", "--leader", "x"], ["prices", "--asset", "X"]):
            exit_code, output = run("ingest", kind[0], str(tmp_path / "ok.csv"), *kind[1:],
                                    "--encoding", encoding, "--workspace", ws)  # fmt: skip
            assert exit_code == 2 and "encoding" in output, (encoding, kind, output)
