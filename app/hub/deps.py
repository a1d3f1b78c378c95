"""FastAPI dependencies of the hub: its service and the analyst behind the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from app.hub.service import HubService
from app.hub.tokens import TokenRegistry


def get_service(request: Request) -> HubService:
    """Return the hub service stored on the app."""
    service: HubService = request.app.state.service
    return service


def analyst(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    """Return the analyst name behind the bearer token; raises ``BearerTokenRefused`` (401)."""
    registry: TokenRegistry = request.app.state.tokens
    return registry.analyst(authorization)


ServiceDep = Annotated[HubService, Depends(get_service)]
AnalystDep = Annotated[str, Depends(analyst)]
