"""Which assets belong to a leader: the company's stock (and coin) the analyses default to.

A leader is tied to assets explicitly, in one of two ways (schema version 5):

- on the leader: ``add leader musk --stock TSLA --coin DOGE-USDT`` (table ``leader_assets``,
  role ``stock`` or ``coin``);
- on the asset: ``add asset TSLA --company Tesla`` or ``ingest prices ... --company Tesla``
  (column ``assets.company``, compared case-insensitively with the leader's company; role
  ``coin`` for crypto assets, ``stock`` otherwise).

Workspaces made before either existed keep the older rule as a fallback: a non-index asset whose
*name* starts with the company's name. The default asset is the leader's only stock, or the only
candidate when there is no stock; with several, the user chooses (the error lists them).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from leaderlens.errors import BadInputError, MissingDataError

ROLES = ("stock", "coin")
COLUMNS = ["asset_id", "name", "kind", "role", "tied_by"]


def _has(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """True when ``table.column`` exists (a workspace opened read-only is not migrated)."""
    rows = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
        [table, column],
    ).fetchall()
    return bool(rows[0][0])


def leader_assets(con: duckdb.DuckDBPyConnection, leader: str) -> pd.DataFrame:
    """The assets tied to ``leader``: asset_id, name, kind, role (stock or coin) and tied_by
    (``leader`` for --stock/--coin, ``company`` for the asset's company, ``name`` for the
    fallback rule), stocks first. Empty when nothing is tied."""
    found = con.execute(
        "SELECT lower(trim(coalesce(company, ''))) FROM leaders WHERE leader_id = ?", [leader]
    ).fetchall()
    if not found:
        raise MissingDataError(f"no leader {leader!r} in the workspace", field="leader")
    company = str(found[0][0])
    parts = []
    if _has(con, "leader_assets", "role"):
        parts.append(
            """SELECT a.asset_id, a.name, a.kind, t.role, 'leader' AS tied_by, 0 AS rank
               FROM leader_assets t JOIN assets a USING (asset_id) WHERE t.leader_id = $leader"""
        )
    if _has(con, "assets", "company"):
        parts.append(
            """SELECT asset_id, name, kind,
                      CASE WHEN kind = 'crypto' THEN 'coin' ELSE 'stock' END, 'company', 1
               FROM assets WHERE $company <> '' AND lower(trim(company)) = $company"""
        )
    explicit = _query(con, parts, leader, company)
    if not explicit.empty or not company:
        return explicit
    # Older workspaces (and the demo world): the asset whose name starts with the company.
    return _query(
        con,
        [
            """SELECT asset_id, name, kind,
                      CASE WHEN kind = 'crypto' THEN 'coin' ELSE 'stock' END, 'name', 2
               FROM assets
               WHERE starts_with(lower(name), $company) AND coalesce(kind, '') <> 'index'"""
        ],
        leader,
        company,
    )


def _query(
    con: duckdb.DuckDBPyConnection, parts: list[str], leader: str, company: str
) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    union = " UNION ALL ".join(parts)
    frame = con.execute(
        f"""SELECT asset_id, any_value(name) AS name, any_value(kind) AS kind,
                   arg_min(role, rank) AS role, arg_min(tied_by, rank) AS tied_by
            FROM ({union}) AS c(asset_id, name, kind, role, tied_by, rank)
            GROUP BY asset_id ORDER BY arg_min(role, rank) <> 'stock', asset_id""",
        {"leader": leader, "company": company} if "$leader" in union else {"company": company},
    ).df()
    return frame[COLUMNS]


def default_asset(
    con: duckdb.DuckDBPyConnection, leader: str, *, choose: str = "give asset=ID"
) -> str:
    """The asset analyses of ``leader`` use when none is given: the only stock tied to the
    leader, else the only asset. ``choose`` says, in the caller's terms, how a user names one
    (``--asset ID`` on the command line, ``?asset=ID`` over HTTP)."""
    tied = leader_assets(con, leader)
    stocks = tied[tied["role"] == "stock"]
    pool = stocks if not stocks.empty else tied
    if len(pool) == 1:
        return str(pool["asset_id"].iloc[0])
    if pool.empty:
        row = con.execute(
            "SELECT coalesce(company, '') FROM leaders WHERE leader_id = ?", [leader]
        ).fetchall()
        company = str(row[0][0]) or "COMPANY"
        raise MissingDataError(
            f"no asset is tied to leader {leader!r}: tie the company's stock with "
            f"`leaderlens add leader {leader} --stock TICKER` or "
            f"`leaderlens add asset TICKER --company {company!r}`, or {choose}",
            field="asset",
        )
    listed = ", ".join(f"{a} ({r})" for a, r in zip(pool["asset_id"], pool["role"], strict=True))
    raise BadInputError(
        f"several assets are tied to leader {leader!r}: {listed}; choose one: {choose}",
        field="asset",
    )


def tie(con: duckdb.DuckDBPyConnection, leader: str, assets: list[str], role: str) -> None:
    """Tie ``assets`` to ``leader`` with ``role`` (replacing an earlier role for the same pair)."""
    if role not in ROLES:
        raise BadInputError(f"role must be one of {', '.join(ROLES)}; got {role!r}", field="role")
    for asset in assets:
        if not isinstance(asset, str) or not asset.strip():
            raise BadInputError(f"an asset id must be a non-empty text; got {asset!r}", field=role)
    if not assets:
        return
    con.executemany(
        "INSERT OR REPLACE INTO leader_assets VALUES (?, ?, ?)",
        [[leader, asset.strip(), role] for asset in assets],
    )
