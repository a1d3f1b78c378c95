"""``/api/nodes`` and ``/api/measures``: the configured nodes with their health, and the catalogue."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import APIRouter
from pydantic import BaseModel

from app.catalogue import published_measures
from app.config import NodeEntry
from app.hub.deps import AnalystDep, ServiceDep
from app.hub.node_trust import pinned_keys
from app.hub.node_urls import node_url_problem

router = APIRouter(prefix="/api")
HEALTH_TIMEOUT_S = 3.0


class NodeListing(BaseModel):
    """A configured node: where it is, how tasks reach it, the key ids the hub pins for it, and
    its ``/health`` (pull nodes: ``{"status": "pull"}``, the hub never connects to them)."""

    id: str
    country: str
    url: str
    mode: str
    key_ids: list[str]
    health: dict[str, Any]


PULL_HEALTH = {"status": "pull", "detail": "outbound-only node: fetches its tasks"}


@router.get("/nodes", response_model=list[NodeListing])
async def list_nodes(service: ServiceDep, _who: AnalystDep) -> list[dict[str, Any]]:
    """Every configured node with its health (``unreachable`` when it does not answer)."""
    nodes = service.settings.nodes
    async with httpx.AsyncClient(timeout=HEALTH_TIMEOUT_S) as client:

        async def health(node: NodeEntry) -> dict[str, Any]:
            if node.mode == "pull":  # the hub never connects to a pull node
                return dict(PULL_HEALTH)
            problem = node_url_problem(node.url, allow_link_local=node.allow_link_local)
            if problem is not None:
                return {"status": "unreachable", "detail": problem}
            url = node.url
            try:
                response = await client.get(f"{url}/health")
                return dict(response.json())
            except (httpx.HTTPError, ValueError):
                return {"status": "unreachable"}

        checks = await asyncio.gather(*(health(node) for node in nodes))
    return [
        {
            "id": node.id,
            "country": node.country,
            "url": node.url,
            "mode": node.mode,
            "key_ids": sorted(pinned_keys(node)),
            "health": check,
        }
        for node, check in zip(nodes, checks, strict=True)
    ]


@router.get("/measures")
def list_measures(_who: AnalystDep) -> list[dict[str, Any]]:
    """The published measure catalogue (FHIR ``Measure`` resources)."""
    return list(published_measures().values())
