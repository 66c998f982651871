"""One typed settings object; the environment is read here and nowhere else."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_WORKSPACE = "leaderlens.duckdb"
X_BEARER_TOKEN_ENV = "LEADERLENS_X_BEARER_TOKEN"


@dataclass(frozen=True)
class Settings:
    """Settings a run uses.

    workspace: the workspace file (``LEADERLENS_WORKSPACE``, default ``./leaderlens.duckdb``).
    x_bearer_token: the X API v2 app bearer token (``LEADERLENS_X_BEARER_TOKEN``), used by
        ``leaderlens fetch posts``; only ever read from the environment, never from the command
        line or a file, and never shown in ``repr``.
    """

    workspace: Path
    x_bearer_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            workspace=Path(env.get("LEADERLENS_WORKSPACE") or DEFAULT_WORKSPACE),
            x_bearer_token=(env.get(X_BEARER_TOKEN_ENV) or "").strip() or None,
        )
