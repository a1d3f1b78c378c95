"""FastAPI dependencies of the node: its context and the authenticated peer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.node.context import NodeContext
from app.trust.fastapi_auth import verified_request
from app.trust.signatures import VerifiedRequest


def get_context(request: Request) -> NodeContext:
    """Return the node context stored on the app."""
    context: NodeContext = request.app.state.ctx
    return context


ContextDep = Annotated[NodeContext, Depends(get_context)]
VerifiedDep = Annotated[VerifiedRequest, Depends(verified_request)]
