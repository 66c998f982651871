"""Property: any statements written as CSV or JSON Lines are read back exactly.

Texts are arbitrary Unicode (quotes, commas, newlines, tabs, look-alike HTML entities); they are
written HTML-escaped as X writes them, so reading must give the original text back. Times carry
arbitrary UTC offsets and microseconds; reading must give the same instant in UTC. The writers
are the standard library's ``csv`` and ``json``.
"""

from __future__ import annotations

import csv
import html
import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaderlens.readers.fields import unescape_html
from leaderlens.readers.statements import read_statements

fragments = st.sampled_from(
    [
        "&amp;",
        "&lt;",
        "&gt;",
        "&",
        '"',
        "'",
        ",",
        "\n",
        "\r\n",
        "\t",
        ";",
        "@",
        "NA",
        "null",
        "&#39;",
        "&notit;",
        " ",
        "中文",
        "🚀",
        "\u2028",
        "\\",
    ]
)
texts = (
    st.lists(
        st.one_of(
            st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r")),
            fragments,
        ),
        min_size=1,
        max_size=6,
    )
    .map("".join)
    .filter(lambda t: t.strip() != "")
)

instants = st.builds(
    lambda local, minutes: local.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2090, 12, 31)),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)
rows = st.lists(st.tuples(texts, instants, st.booleans()), min_size=1, max_size=8)


def expected(data: list[tuple[str, datetime, bool]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "statement_id": [f"s{i}" for i in range(len(data))],
            "ts": [pd.Timestamp(when.astimezone(UTC)) for _, when, _ in data],
            "text": [text for text, _, _ in data],
        }
    )
    return frame.set_index("statement_id")


def written_time(when: datetime, space: bool) -> str:
    return when.isoformat(sep=" " if space else "T")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_csv_round_trip(data: list[tuple[str, datetime, bool]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "time", "text"])
            for i, (text, when, space) in enumerate(data):
                writer.writerow(
                    [f"s{i}", written_time(when, space), html.escape(text, quote=False)]
                )
        read = read_statements(path)
    got = read.frame.set_index("statement_id")[["ts", "text"]]
    want = expected(data)
    assert got.loc[want.index, "text"].tolist() == want["text"].tolist()
    assert got.loc[want.index, "ts"].tolist() == want["ts"].tolist()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.booleans())
def test_jsonl_round_trip(data: list[tuple[str, datetime, bool]], ascii_only: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.jsonl"
        lines = [
            json.dumps(
                {
                    "id": f"s{i}",
                    "created_at": written_time(when, space),
                    "text": html.escape(text, quote=False),
                },
                ensure_ascii=ascii_only,
            )
            for i, (text, when, space) in enumerate(data)
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        read = read_statements(path)
    got = read.frame.set_index("statement_id")
    want = expected(data)
    assert got.loc[want.index, "text"].tolist() == want["text"].tolist()
    assert got.loc[want.index, "ts"].tolist() == want["ts"].tolist()
    # one record per line: the row at input position p is on line p + 1
    positions = sorted(read.frame.index)
    assert [read.lines.line(p) for p in positions] == [p + 1 for p in positions]  # type: ignore[union-attr]


@settings(max_examples=200, deadline=None)
@given(st.lists(texts, min_size=1, max_size=10))
def test_entity_decoding_matches_html_unescape(values: list[str]) -> None:
    # The reader decodes the common entities with vector replacements; the standard library's
    # one-pass decoder is the witness, on raw (unescaped) random text full of '&'.
    got, changed = unescape_html(pd.Series(values, dtype="string"))
    want = [html.unescape(v) for v in values]
    assert got.tolist() == want
    assert changed == sum(w != v for w, v in zip(want, values, strict=True))
