"""``/``: the offline dashboard page (no CDN; it reads the API with the analyst's token)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard() -> HTMLResponse:
    """The dashboard page."""
    page = resources.files("app.hub").joinpath("static/dashboard.html").read_text("utf-8")
    return HTMLResponse(page)
