"""The web application: JSON API and dashboard pages over a workspace (``leaderlens serve``).

FastAPI and uvicorn are imported only here, so the rest of leaderlens works without them.
"""

from leaderlens.web.app import create_app, is_local

__all__ = ["create_app", "is_local"]
