"""``/``: the offline dashboard (no CDN; it reads the API with the analyst's token), its static
files under ``/static/``, and the API's own pages, Swagger UI at ``/docs`` and ReDoc at
``/redoc``, with their assets served from the ``fastapi-offline`` package (nothing from outside).
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from app.errors import NotFound

router = APIRouter()
MEDIA_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
VENDORED = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
"""Swagger UI and ReDoc assets, as the ``fastapi-offline`` package ships them (MIT licence)."""


def _static(name: str) -> str:
    return resources.files("app.hub").joinpath("static", name).read_text("utf-8")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard() -> HTMLResponse:
    """The dashboard page."""
    return HTMLResponse(_static("dashboard.html"))


@router.get("/static/vendor/{name}", include_in_schema=False)
def vendored(name: str) -> Response:
    """A Swagger UI or ReDoc asset; 404 for any other name."""
    if name not in VENDORED:
        raise NotFound(f"/static/vendor/{name}: no such file")
    data = resources.files("fastapi_offline").joinpath("static", name).read_bytes()
    return Response(data, media_type=VENDORED[name], headers={"Cache-Control": "max-age=86400"})


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> Response:
    """A file of the dashboard (``app/hub/static``: HTML, JS, CSS); 404 for any other name."""
    suffix = name[name.rfind(".") :] if "." in name else ""
    folder = resources.files("app.hub").joinpath("static")
    if "/" in name or suffix not in MEDIA_TYPES or not folder.joinpath(name).is_file():
        raise NotFound(f"/static/{name}: no such file")
    return Response(_static(name), media_type=MEDIA_TYPES[suffix])


@router.get("/docs", include_in_schema=False)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for the hub API, self-hosted."""
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title="KetaNet hub - Swagger UI",
        swagger_js_url=f"{root}/static/vendor/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/static/vendor/swagger-ui.css",
        swagger_favicon_url=f"{root}/static/vendor/favicon.png",
    )


@router.get("/redoc", include_in_schema=False)
def redoc(request: Request) -> HTMLResponse:
    """ReDoc for the hub API, self-hosted (no web fonts)."""
    root = request.scope.get("root_path", "")
    return get_redoc_html(
        openapi_url=f"{root}/openapi.json",
        title="KetaNet hub - ReDoc",
        redoc_js_url=f"{root}/static/vendor/redoc.standalone.js",
        redoc_favicon_url=f"{root}/static/vendor/favicon.png",
        with_google_fonts=False,
    )
