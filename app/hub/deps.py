"""FastAPI dependencies of the hub: its service and the analyst behind the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from app.errors import BearerTokenRefused, BudgetExhausted
from app.hub.service import HubService
from app.hub.tokens import TokenRegistry
from app.node.ratelimit import RateLimiter
from app.trust.fastapi_auth import client_address
from app.web import request_audit


def get_service(request: Request) -> HubService:
    """Return the hub service stored on the app."""
    service: HubService = request.app.state.service
    return service


def analyst(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    """Return the analyst name behind the bearer token; raises ``BearerTokenRefused`` (401).

    Each refused token spends one of the client address's ``hub.bearer_failures_per_minute``;
    an address with none left gets 429 for every request, right token or not (a guesser cannot
    win by luck), and those are not audited (a guesser cannot fill the log).
    """
    registry: TokenRegistry = request.app.state.tokens
    failures: RateLimiter = request.app.state.bearer_failures
    address = client_address(request)
    try:
        failures.check(address)
        try:
            return registry.analyst(authorization)
        except BearerTokenRefused:
            failures.take(address)
            raise
    except BudgetExhausted:
        request_audit(request).skip()
        raise


ServiceDep = Annotated[HubService, Depends(get_service)]
AnalystDep = Annotated[str, Depends(analyst)]
