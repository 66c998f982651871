"""Annotation speed: leaderlens's bulk path (language, lexicon sentiment, rule topics) vs. a
plain per-text VADER loop, on the shared Musk tweets and on synthetic mentions.

Prints texts per second for (1) plain VADER alone, one core: the yardstick; (2) the bulk path
in one process; (3) ``annotate_workspace`` end to end (read from the workspace, annotate on
every core, store in one transaction per batch). Targets: the bulk path no slower than 2x plain
VADER (ratio >= 0.5), and 1 million mentions through the workspace in under 5 minutes.
With the embeddings extra installed, (4) the embedding path on ``--embed`` Musk tweets, reported
apart: embedding them into the workspace, then asking again (nothing is embedded twice).
``--sentiment N`` (5) measures the embedding sentiment path against the lexicon scorers and
plain VADER on the first N rows (0: all) of each held-out half of the labelled sets (the splits
of tests/text/text_sets.py; macro-F1 / accuracy), with its speed.

    python bench/annotate.py                        # Musk tweets + 1 million mentions
    python bench/annotate.py --mentions 100000 --shared ../shared/data --embed 500
    python bench/annotate.py --no-speed --sentiment 1200
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import leaderlens as ll
from leaderlens.text.annotate import annotate_texts, annotate_workspace
from leaderlens.text.sentiment_en import vader_plain

WORDS = tuple(
    [
        "love",
        "hate",
        "the",
        "new",
        "model",
        "car",
        "phone",
        "launch",
        "stock",
        "price",
        "bullish",
        "short",
        "crash",
        "moon",
        "doge",
        "bitcoin",
        "service",
        "delivery",
        "factory",
        "team",
        "thanks",
        "sorry",
        "amazing",
        "terrible",
        "battery",
        "range",
        "update",
        "fsd",
        "ceo",
        "government",
        "media",
        "lawsuit",
        "family",
        "kids",
        "game",
        "movie",
        "小米",
        "新车",
        "续航",
        "太棒了",
        "失望",
        "发布会",
        "not",
        "very",
        "so",
    ]
)


def synthetic_mentions(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(4, 25, n)
    picks = rng.integers(0, len(WORDS), lengths.sum())
    cuts = np.cumsum(lengths)[:-1]
    texts = [" ".join(WORDS[i] for i in chunk) for chunk in np.split(picks, cuts)]
    return pd.DataFrame(
        {
            "mention_id": np.char.add("m", np.arange(n).astype(str)),
            "ts": pd.date_range("2021-01-01", periods=n, freq="s", tz="UTC"),
            "text": texts,
            "author": "someone",
            "engagement": rng.integers(0, 100, n).astype(float),
            "platform": "x",
        }
    )


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>10,.0f} texts/s"


def run(texts: list[str], label: str, repeats: int = 5) -> None:
    """Best of ``repeats`` interleaved timings, so a busy machine slows both sides alike."""
    sample = texts[: min(len(texts), 50_000)]
    annotate_texts(sample[:2000])  # load lingua's models once, outside the timing
    vader, bulk = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        vader_plain(sample)
        vader.append(time.perf_counter() - started)
        started = time.perf_counter()
        annotate_texts(sample)
        bulk.append(time.perf_counter() - started)
    print(f"{label} ({len(sample):,} texts, best of {repeats})")
    print(f"  plain VADER loop, 1 core      {rate(len(sample), min(vader))}")
    print(
        f"  bulk path, 1 process          {rate(len(sample), min(bulk))}"
        f"  ratio {min(vader) / min(bulk):.2f} (target >= 0.5)"
    )


def embed(tweets: Path, n: int, path: Path) -> None:
    try:
        from leaderlens.text.embeddings import embed_workspace
    except ImportError:
        return
    try:
        with ll.Workspace.open(path) as ws:
            ws.ingest_statements(pd.read_csv(tweets).head(n), leader="musk")
            first = embed_workspace(ws, leader="musk", progress=False)
            again = embed_workspace(ws, leader="musk", progress=False)
    except ll.errors.EngineError as exc:  # the extra is not installed
        print(f"  embeddings skipped: {exc}")
        return
    print(
        f"  embedding path (e5-small)     {rate(first.embedded, first.seconds)}"
        f"  ({first.embedded:,} distinct texts); asked again: {again.embedded} embedded "
        f"in {again.seconds:.2f} s"
    )


def sentiment_accuracy(shared: Path, n: int) -> None:
    """(5): macro-F1 / accuracy on held-out halves; Chinese sets two-class (score < 0)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "text"))
    import text_sets as ts

    from leaderlens.text.embeddings import embed_texts
    from leaderlens.text.sentiment import score_sentiment, sentiment_labels
    from leaderlens.text.sentiment_embed import shipped_prototypes

    prototypes = shipped_prototypes()
    print(f"sentiment on held-out halves, first {n or 'all'} rows per set (macro-F1 / accuracy)")
    print(
        f"  {'set':<14}{'n':>6}  {'plain VADER':>13}  {'lexicon':>13}  {'embedding':>13}  texts/s"
    )
    for name, load in {**ts.CHINESE, **ts.ENGLISH}.items():
        held = ts.split(load(shared), "heldout", n or None)
        texts = held["text"].astype(str).tolist()
        lang = "zh" if name in ts.CHINESE else "en"
        lexicon = score_sentiment(texts, [lang] * len(texts)).score
        vader = vader_plain(texts)
        started = time.perf_counter()
        found = prototypes.score(embed_texts(texts).vectors, [lang] * len(texts))
        seconds = time.perf_counter() - started
        if lang == "zh":
            preds = [ts.binary(None, vader), ts.binary(None, lexicon), ts.binary(None, found.score)]
        else:
            preds = [sentiment_labels(vader), sentiment_labels(lexicon), found.label]
        cells = ["{:.3f} / {:.3f}".format(*ts.metrics(held["label"], p)) for p in preds]
        print(
            f"  {name:<14}{len(held):>6}  {cells[0]:>13}  {cells[1]:>13}  {cells[2]:>13}"
            f"  {len(texts) / seconds:7.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentions", type=float, default=1e6)
    parser.add_argument("--embed", type=int, default=300, help="Musk tweets to embed (0: none)")
    parser.add_argument(
        "--sentiment", type=int, default=-1, help="held-out rows per set for (5); 0: all"
    )
    parser.add_argument("--no-speed", action="store_true", help="skip (1) to (4)")
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).parents[1] / ".." / "shared" / "data"
    )
    args = parser.parse_args()
    n = int(args.mentions)
    tweets = args.shared / "musk_tweets_2010_2022/ElonTweets.csv.gz"
    if args.sentiment >= 0:
        sentiment_accuracy(args.shared, args.sentiment)
    if args.no_speed:
        return
    with tempfile.TemporaryDirectory() as folder:
        if tweets.exists():
            run(pd.read_csv(tweets)["Text"].astype(str).tolist(), "shared Musk tweets")
            with ll.Workspace.open(Path(folder) / "musk.duckdb") as ws:
                ws.ingest_statements(tweets, leader="musk")
                report = annotate_workspace(ws, leader="musk", progress=False)
                print(
                    f"  workspace end to end          {rate(report.annotated, report.seconds)}"
                    f"  ({report.workers} process(es))"
                )
            if args.embed > 0:
                embed(tweets, args.embed, Path(folder) / "embed.duckdb")
        mentions = synthetic_mentions(n)
        run(mentions["text"].tolist(), "synthetic mentions")
        with ll.Workspace.open(Path(folder) / "mentions.duckdb") as ws:
            ws.ingest_mentions(mentions, brand="brand")
            report = annotate_workspace(ws, brand="brand", progress=False)
        print(
            f"  workspace end to end          {rate(report.annotated, report.seconds)}"
            f"  ({report.workers} process(es)); {report.annotated:,} mentions in "
            f"{report.seconds:.0f} s (target < 300 s for 1 million)"
        )


if __name__ == "__main__":
    main()
