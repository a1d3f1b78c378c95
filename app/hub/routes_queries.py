"""``/api/queries``: start a federated query, list past ones, read a result in every format."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel

from app.errors import InputError
from app.exchange.query import utc_today
from app.hub.deps import AnalystDep, ServiceDep
from app.hub.document import QueryDocument
from app.hub.pooled_report import pooled_measure_report
from app.hub.pooling import rows_to_csv
from app.hub.requests import query_from_request
from app.web import FHIR_JSON, OrjsonResponse

router = APIRouter(prefix="/api/queries")


class QueryStarted(BaseModel):
    """A query accepted for fan-out: poll ``href`` for its document."""

    id: str
    status: Literal["running"]
    href: str


class QueryListing(BaseModel):
    """A past query: who asked, when, which measure, and its status."""

    id: str
    created_at: str
    asked_by: str
    measure: str
    status: str


@router.post("", status_code=202, response_model=QueryStarted)
async def start_query(request: Request, service: ServiceDep, who: AnalystDep) -> dict[str, Any]:
    """Check the query against the catalogue and start asking every node; 202 with its id."""
    try:
        body = await request.json()
    except ValueError:
        raise InputError("body: not valid JSON") from None
    query_id = service.start_query(
        query_from_request(body, today=utc_today(service.clock)), actor=who
    )
    return {"id": query_id, "status": "running", "href": f"/api/queries/{query_id}"}


@router.get("", response_model=list[QueryListing])
def list_queries(service: ServiceDep, _who: AnalystDep) -> list[dict[str, Any]]:
    """Past queries, newest first."""
    return service.list_queries()


@router.get(
    "/{query_id}", response_model=QueryDocument, responses={200: {"content": {"text/csv": {}}}}
)
def get_query(
    query_id: str, service: ServiceDep, _who: AnalystDep, format: Literal["json", "csv"] = "json"
) -> Response:
    """The tidy document of a query as it stands (``format=csv``: its rows); ``status`` says
    whether nodes are still pending, and the rows are those of the nodes that answered."""
    document = service.document(query_id)
    if format == "csv":
        return PlainTextResponse(rows_to_csv(document), media_type="text/csv")
    # The document as it is: the response model documents it, nothing re-validates it.
    return OrjsonResponse(document.model_dump())


@router.get("/{query_id}/MeasureReport")
def get_measure_report(query_id: str, service: ServiceDep, _who: AnalystDep) -> Response:
    """The pooled international result as a FHIR ``MeasureReport`` (``pending`` while running)."""
    report = pooled_measure_report(service.document(query_id))
    return OrjsonResponse(report, media_type=FHIR_JSON)


@router.get("/{query_id}/receipts")
def get_receipts(query_id: str, service: ServiceDep, _who: AnalystDep) -> list[dict[str, Any]]:
    """Every node's signed response exactly as received, with the request it answers."""
    return service.receipts(query_id)
