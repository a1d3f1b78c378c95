"""``/``: the offline dashboard page (no CDN; it reads the API with the analyst's token)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard() -> HTMLResponse:
    """The dashboard page."""
    page = resources.files("app.hub").joinpath("static/dashboard.html").read_text("utf-8")
    return HTMLResponse(page)


@router.get("/static/forest.js", include_in_schema=False)
def forest_plots() -> Response:
    """The signal forest plots (``static/forest.js``), served from the package like the page."""
    script = resources.files("app.hub").joinpath("static/forest.js").read_text("utf-8")
    return Response(script, media_type="text/javascript")
