"""The API documentation pages (``/docs`` Swagger UI, ``/redoc`` ReDoc) with their scripts and
styles served from the package (``docs_assets/``, see its README for versions and licences),
as FastAPI documents for self-hosting: nothing is fetched from a CDN, so they work offline."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response

ASSETS = files("leaderlens.web") / "docs_assets"
PREFIX = "/static/docs"
MEDIA = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "swagger-favicon-32x32.png": "image/png",
    "redoc.standalone.js": "application/javascript",
}


def build_docs(title: str, openapi_url: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/docs", response_class=HTMLResponse)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/swagger-favicon-32x32.png",
        )

    @router.get("/docs/oauth2-redirect", response_class=HTMLResponse)
    def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @router.get("/redoc", response_class=HTMLResponse)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} - API",
            redoc_js_url=f"{PREFIX}/redoc.standalone.js",
            redoc_favicon_url=f"{PREFIX}/swagger-favicon-32x32.png",
            with_google_fonts=False,
        )

    def asset(name: str, media: str) -> None:
        @router.get(f"{PREFIX}/{name}", name=f"docs-{name}")
        def serve() -> Response:
            return Response(
                (ASSETS / name).read_bytes(),
                media_type=media,
                headers={"Cache-Control": "public, max-age=86400"},
            )

    for name, media in MEDIA.items():
        asset(name, media)
    return router
