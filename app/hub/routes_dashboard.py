"""``/``: the offline dashboard page (no CDN; it reads the API with the analyst's token)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from app.errors import NotFound

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard() -> HTMLResponse:
    """The dashboard page."""
    page = resources.files("app.hub").joinpath("static/dashboard.html").read_text("utf-8")
    return HTMLResponse(page)


@router.get("/static/{name}", include_in_schema=False)
def dashboard_script(name: str) -> Response:
    """A script of the dashboard (``app/hub/static/*.js``); 404 for anything else."""
    folder = resources.files("app.hub").joinpath("static")
    if not name.endswith(".js") or "/" in name or name.startswith("."):
        raise NotFound(f"static/{name}: no such file")
    script = folder.joinpath(name)
    if not script.is_file():
        raise NotFound(f"static/{name}: no such file")
    return Response(script.read_text("utf-8"), media_type="text/javascript")
