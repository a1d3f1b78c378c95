"""``create_hub_app(settings)``: the hub API (bearer tokens) and its offline dashboard."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from importlib import resources
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from app.catalogue import published_measures
from app.config import HubSettings
from app.errors import InputError, KetanetError, NotFound
from app.hub.fanout import pinned_keys
from app.hub.pooled_report import pooled_measure_report
from app.hub.pooling import rows_to_csv
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.hub.tokens import TokenRegistry
from app.web import AuditEveryRequest, OrjsonResponse

log = logging.getLogger("ketanet.hub")


def _actor(tokens: TokenRegistry, headers: dict[str, str]) -> str:
    try:
        return tokens.analyst(headers.get("authorization"))
    except KetanetError:
        return "anonymous"


def analyst(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    """Return the analyst name behind the bearer token; raises ``SignatureError`` (401)."""
    registry: TokenRegistry = request.app.state.tokens
    return registry.analyst(authorization)


Analyst = Annotated[str, Depends(analyst)]


def create_hub_app(
    settings: HubSettings,
    *,
    clock: Callable[[], float] = time.time,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Return a hub app for ``settings``: database ready, key loaded, routes mounted."""
    service = HubService(settings, clock=clock, transport=transport)
    tokens = TokenRegistry.from_file(settings.hub.api_token_file)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await service.keep_connections()
        yield
        await service.aclose()

    app = FastAPI(title="KetaNet hub", default_response_class=OrjsonResponse, lifespan=lifespan)
    app.add_middleware(
        AuditEveryRequest, audit=service.audit, actor_of=lambda headers: _actor(tokens, headers)
    )
    app.state.service = service
    app.state.tasks = set()
    app.state.tokens = tokens

    @app.exception_handler(KetanetError)
    async def _domain_error(_request: Request, error: KetanetError) -> Response:
        headers = error.headers()
        if error.http_status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return OrjsonResponse(
            error.operation_outcome(), status_code=error.http_status, headers=headers
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard() -> HTMLResponse:
        page = resources.files("app.hub").joinpath("static/dashboard.html").read_text("utf-8")
        return HTMLResponse(page)

    @app.post("/api/queries", status_code=202)
    async def start_query(request: Request, who: Analyst) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise InputError("body: not valid JSON") from None
        query = query_from_request(body)
        query_id = str(uuid.uuid4())
        task = asyncio.create_task(service.run_query(query, actor=who, query_id=query_id))
        app.state.tasks.add(task)
        task.add_done_callback(app.state.tasks.discard)
        await asyncio.sleep(0)  # let the task record the query before we answer
        return {"id": query_id, "status": "running", "href": f"/api/queries/{query_id}"}

    @app.get("/api/queries")
    def list_queries(_who: Analyst) -> list[dict[str, Any]]:
        return service.list_queries()

    @app.get("/api/queries/{query_id}")
    def get_query(query_id: str, _who: Analyst, format: str = "json") -> Response:
        document = service.document(query_id)
        if format == "csv":
            if "rows" not in document:
                raise NotFound(f"query {query_id}: not finished")
            return PlainTextResponse(rows_to_csv(document), media_type="text/csv")
        return OrjsonResponse(document)

    @app.get("/api/queries/{query_id}/MeasureReport")
    def get_measure_report(query_id: str, _who: Analyst) -> Response:
        document = service.document(query_id)
        if "rows" not in document:
            raise NotFound(f"query {query_id}: not finished")
        return OrjsonResponse(pooled_measure_report(document), media_type="application/fhir+json")

    @app.get("/api/queries/{query_id}/receipts")
    def get_receipts(query_id: str, _who: Analyst) -> list[dict[str, Any]]:
        return service.receipts(query_id)

    @app.get("/api/nodes")
    async def list_nodes(_who: Analyst) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=3.0, transport=transport) as client:

            async def health(url: str) -> dict[str, Any]:
                try:
                    response = await client.get(f"{url}/health")
                    return dict(response.json())
                except (httpx.HTTPError, ValueError):
                    return {"status": "unreachable"}

            checks = await asyncio.gather(*(health(node.url) for node in settings.nodes))
        return [
            {
                "id": node.id,
                "country": node.country,
                "url": node.url,
                "key_ids": sorted(pinned_keys(node)),
                "health": check,
            }
            for node, check in zip(settings.nodes, checks, strict=True)
        ]

    @app.get("/api/measures")
    def list_measures(_who: Analyst) -> list[dict[str, Any]]:
        return list(published_measures().values())

    return app
