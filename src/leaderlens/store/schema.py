"""The workspace schema and its migrations.

One DuckDB file holds everything. Times are ``TIMESTAMPTZ`` read and written in UTC. Natural keys
(not database constraints, which would slow bulk loads several-fold) are enforced by the loader:
see :mod:`leaderlens.store.load`. ``meta.schema_version`` records the schema; opening an older
workspace applies the missing migrations in one transaction, opening a newer one is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from leaderlens.errors import EngineError
from leaderlens.store.sql import first_row

_TEXT_ROWS = """
    statement_id VARCHAR NOT NULL,
    ts TIMESTAMPTZ NOT NULL,
    channel VARCHAR NOT NULL,
    text VARCHAR,
    url VARCHAR,
    language VARCHAR,
    likes BIGINT,
    reposts BIGINT,
    replies BIGINT,
    quotes BIGINT,
    views BIGINT,
    is_reply BOOLEAN,
    load_id INTEGER NOT NULL
"""

# Each entry moves the schema from version i to i + 1.
MIGRATIONS: Sequence[Sequence[str]] = (
    (
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        """CREATE TABLE leaders (
            leader_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, company VARCHAR,
            handles MAP(VARCHAR, VARCHAR))""",
        """CREATE TABLE brands (
            brand_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL,
            query_terms VARCHAR[], leader_ids VARCHAR[])""",
        """CREATE TABLE assets (
            asset_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR,
            calendar VARCHAR NOT NULL, tz VARCHAR NOT NULL, benchmark_id VARCHAR)""",
        f"CREATE TABLE statements (leader_id VARCHAR NOT NULL, {_TEXT_ROWS})",
        f"CREATE TABLE brand_posts (brand_id VARCHAR NOT NULL, {_TEXT_ROWS})",
        """CREATE TABLE bars (
            asset_id VARCHAR NOT NULL, freq VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL,
            open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE NOT NULL, adj_close DOUBLE,
            volume DOUBLE, load_id INTEGER NOT NULL)""",
        """CREATE TABLE attention (
            subject_kind VARCHAR NOT NULL, subject_id VARCHAR NOT NULL, metric VARCHAR NOT NULL,
            freq VARCHAR, ts TIMESTAMPTZ NOT NULL, value DOUBLE NOT NULL,
            load_id INTEGER NOT NULL)""",
        """CREATE TABLE mentions (
            brand_id VARCHAR NOT NULL, mention_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL,
            text VARCHAR, author VARCHAR, engagement DOUBLE, platform VARCHAR,
            load_id INTEGER NOT NULL)""",
        """CREATE TABLE loads (
            load_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, target VARCHAR NOT NULL,
            source VARCHAR NOT NULL, sha256 VARCHAR, format VARCHAR, time_zone VARCHAR,
            freq VARCHAR, rows_read BIGINT, rows_added BIGINT, rows_replaced BIGINT,
            rows_rejected BIGINT, notes VARCHAR[], loaded_at TIMESTAMPTZ NOT NULL)""",
        "CREATE TABLE ground_truth (name VARCHAR PRIMARY KEY, payload JSON NOT NULL)",
    ),
    # 2: text annotations (language, sentiment, topics) beside statements, brand posts and
    # mentions, keyed by (kind, owner_id, item_id, annotator); version and text_hash tell when
    # they are stale (see leaderlens.text.annotate).
    (
        """CREATE TABLE annotations (
            kind VARCHAR NOT NULL, owner_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL,
            annotator VARCHAR NOT NULL, version VARCHAR NOT NULL, text_hash VARCHAR NOT NULL,
            language VARCHAR, sentiment DOUBLE, sentiment_label VARCHAR, topics VARCHAR[],
            evidence JSON, annotated_at TIMESTAMPTZ NOT NULL)""",
    ),
    # 3: optional text embeddings, one per distinct text (MD5 of the text) and model, shared
    # by statements, brand posts and mentions (see leaderlens.text.embeddings).
    (
        """CREATE TABLE embeddings (
            text_hash VARCHAR NOT NULL, model VARCHAR NOT NULL, vector FLOAT[] NOT NULL,
            embedded_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (text_hash, model))""",
    ),
    # 4: alert rules a team configures (one named rule set each, optionally limited to some
    # leaders), the alerts they fired on newly ingested statements (one per rule set and
    # statement), and the last pre-flight backtest verdict per leader and settings (see
    # leaderlens.preflight).
    (
        """CREATE TABLE alert_rules (
            name VARCHAR PRIMARY KEY, leader_ids VARCHAR[], rules JSON NOT NULL,
            source VARCHAR, set_at TIMESTAMPTZ NOT NULL)""",
        """CREATE TABLE alerts (
            rule_set VARCHAR NOT NULL, leader_id VARCHAR NOT NULL, statement_id VARCHAR NOT NULL,
            ts TIMESTAMPTZ NOT NULL, text VARCHAR, reasons VARCHAR[] NOT NULL,
            sentiment DOUBLE, topics VARCHAR[], replies_per_like DOUBLE, load_id INTEGER,
            fired_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (rule_set, leader_id, statement_id))""",
        """CREATE TABLE preflight_backtests (
            leader_id VARCHAR NOT NULL, settings VARCHAR NOT NULL, data_key VARCHAR NOT NULL,
            payload JSON NOT NULL, computed_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (leader_id, settings))""",
    ),
    # 5: the assets a leader is tied to: on the leader (--stock / --coin, role stock or coin)
    # and on the asset (its company); see leaderlens.store.links.
    (
        """CREATE TABLE leader_assets (
            leader_id VARCHAR NOT NULL, asset_id VARCHAR NOT NULL, role VARCHAR NOT NULL,
            PRIMARY KEY (leader_id, asset_id))""",
        "ALTER TABLE assets ADD COLUMN company VARCHAR",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version a workspace is at; 0 for an empty file."""
    exists = first_row(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    )
    if not exists or not exists[0]:
        return 0
    row = first_row(con, "SELECT value FROM meta WHERE key = 'schema_version'")
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection, path: str) -> int:
    """Bring the workspace to :data:`SCHEMA_VERSION` atomically; return the version found."""
    found = schema_version(con)
    if found > SCHEMA_VERSION:
        raise EngineError(
            f"workspace schema version {found} is newer than this leaderlens knows "
            f"({SCHEMA_VERSION}); upgrade leaderlens",
            file=path,
        )
    if found == SCHEMA_VERSION:
        return found
    con.execute("BEGIN TRANSACTION")
    try:
        for step in MIGRATIONS[found:]:
            for statement in step:
                con.execute(statement)
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return found
