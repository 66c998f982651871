"""The web application (``leaderlens serve``): a JSON API documented by OpenAPI and dashboard
pages, read-only over one workspace.

Errors map to HTTP the way they map to exit codes on the command line: bad input 422, missing
data (unknown leader, asset or event) 404, a workspace that cannot be read right now 503. With
a ``token``, every request must carry it (``Authorization: Bearer <token>``, the
``X-Leaderlens-Token`` header, or ``?token=`` once, which sets a cookie for the pages' links).
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import duckdb
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import APIKeyCookie, APIKeyHeader, APIKeyQuery, HTTPBearer
from starlette.middleware.trustedhost import TrustedHostMiddleware

import leaderlens as ll
from leaderlens.errors import BadInputError, LeaderlensError, MissingDataError
from leaderlens.report.html_parts import note, page
from leaderlens.store.opening import engine_failure
from leaderlens.web.access import WorkspaceAccess
from leaderlens.web.api import build_router
from leaderlens.web.api_attention import build_attention_router
from leaderlens.web.api_compare import build_compare_router
from leaderlens.web.api_preflight import build_preflight_router
from leaderlens.web.api_risk import build_risk_router
from leaderlens.web.docs import build_docs
from leaderlens.web.pages import build_pages

TOKEN_COOKIE = "leaderlens_token"


def is_local(host: str) -> bool:
    """True for loopback hosts (127.0.0.0/8, ::1, localhost): reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")

# The dashboard's pages load only what this server serves (plotly included); the figures are
# drawn by inline scripts, so those are allowed, nothing from elsewhere is. No page may be
# framed by another site (clickjacking). The API documentation pages (/docs, /redoc) are held
# to the same policy: their Swagger UI and ReDoc assets ship in the package (ReDoc runs its
# search in a worker made from a blob).
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def allowed_hosts_for(bind: str, extra: Sequence[str] = ()) -> list[str]:
    """The Host headers a server bound to ``bind`` answers: the loopback names when it binds
    loopback, else that address, plus ``extra`` (names users reach it by). A wildcard bind
    (0.0.0.0, ::) answers any host: it needs a token, which a rebinding page does not have."""
    if bind.strip("[]") in ("0.0.0.0", "::", ""):
        return ["*"]
    base = list(LOOPBACK_NAMES) if is_local(bind) else [bind]
    return list(dict.fromkeys([*base, *extra]))


def create_app(
    workspace_path: str | Path,
    token: str | None = None,
    *,
    allowed_hosts: Sequence[str] | None = None,
) -> FastAPI:
    """The application over the workspace at ``workspace_path`` (opened read-only per
    request). With ``token``, requests without it get 401. Requests whose Host header is not
    in ``allowed_hosts`` (default: the loopback names; ``"*"`` allows any) get 400: a web page
    the user visits cannot reach the API through a DNS name of its own (DNS rebinding)."""
    if token is not None and not token.strip():
        raise BadInputError("the token must not be empty", field="token")
    app = FastAPI(
        docs_url=None,  # served below from the package's own copies of the assets
        redoc_url=None,
        title="leaderlens",
        version=ll.__version__,
        description="How a company leader's own voice amplifies, or damages, the brand: "
        "leaders, brands, assets, statements with annotations, event studies, persona, "
        "brand attention (amplification, share of voice, lift, spikes, lead-lag, playbook) and "
        "risk (leader-driven volatility, negative-effect radar, key-person dependence), "
        "leaders compared, and pre-flight checks of draft statements.",
    )
    app.state.access = WorkspaceAccess(workspace_path)
    app.include_router(build_router())
    app.include_router(build_attention_router())
    app.include_router(build_risk_router())
    app.include_router(build_compare_router())
    app.include_router(build_preflight_router())
    app.include_router(build_pages())
    app.include_router(build_docs(app.title, app.openapi_url or "/openapi.json"))

    @app.exception_handler(LeaderlensError)
    async def leaderlens_error(request: Request, exc: LeaderlensError) -> Response:
        status = 422 if isinstance(exc, BadInputError) else 404
        status = status if isinstance(exc, BadInputError | MissingDataError) else 503
        if not request.url.path.startswith("/api/"):
            # A dashboard page: a page a person can read, never raw JSON.
            body = f'<h1>Not available</h1><p><a href="/">leaders</a></p>{note(str(exc))}'
            return HTMLResponse(page("not available", body), status_code=status)
        if isinstance(exc, BadInputError):
            # The shape of FastAPI's own 422 answers, so clients read one format.
            part = "body" if request.method == "POST" else "query"
            where = [part, exc.field] if exc.field else ["request"]
            problem = [{"loc": where, "msg": str(exc), "type": "value_error"}]
            return JSONResponse(status_code=422, content={"detail": problem})
        return JSONResponse(status_code=status, content={"detail": str(exc)})

    @app.exception_handler(duckdb.Error)
    async def engine_error(request: Request, exc: duckdb.Error) -> JSONResponse:
        problem = engine_failure(exc, app.state.access.path)
        return JSONResponse(status_code=503, content={"detail": str(problem)})

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        response.headers["Content-Security-Policy"] = CSP
        return response

    if token is not None:
        expected = token.encode()

        @app.middleware("http")
        async def require_token(
            request: Request, call_next: Callable[[Request], Awaitable[Response]]
        ) -> Response:
            given, from_query = await _given_token(request)
            if given is None or not secrets.compare_digest(given.encode(), expected):
                return JSONResponse(
                    status_code=401,
                    content={
                        "detail": "this server needs its token: send it as "
                        "'Authorization: Bearer <token>' or ?token=<token>"
                    },
                    headers={"WWW-Authenticate": "Bearer"},
                )
            response = await call_next(request)
            if from_query:
                response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
            return response

    # Added last, so it runs first: a foreign Host is refused before anything else.
    hosts = list(allowed_hosts) if allowed_hosts is not None else list(LOOPBACK_NAMES)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    return app


# Where a token may come from, read by FastAPI's own security schemes (none raises: a missing
# token is answered by the middleware, which also guards /docs and /openapi.json).
_BEARER = HTTPBearer(auto_error=False)
_HEADER = APIKeyHeader(name="X-Leaderlens-Token", auto_error=False)
_QUERY = APIKeyQuery(name="token", auto_error=False)
_COOKIE = APIKeyCookie(name=TOKEN_COOKIE, auto_error=False)


async def _given_token(request: Request) -> tuple[str | None, bool]:
    """The token a request carries, and whether it came in the query (then set as a cookie)."""
    bearer = await _BEARER(request)
    if bearer is not None:
        return bearer.credentials.strip(), False
    header = await _HEADER(request)
    if header:
        return header, False
    query = await _QUERY(request)
    if query:
        return query, True
    return await _COOKIE(request), False
