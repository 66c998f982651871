"""One typed settings object; the environment is read here and nowhere else."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WORKSPACE = "leaderlens.duckdb"


@dataclass(frozen=True)
class Settings:
    """Settings a run uses.

    workspace: the workspace file (``LEADERLENS_WORKSPACE``, default ``./leaderlens.duckdb``).
    """

    workspace: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(workspace=Path(env.get("LEADERLENS_WORKSPACE") or DEFAULT_WORKSPACE))
