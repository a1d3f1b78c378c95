"""``GET /health``: the hub's liveness and readiness (its database answers), for probes; no data."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from app.hub.deps import ServiceDep
from app.hub.tables import query_table
from app.web import OrjsonResponse

router = APIRouter()


@router.get("/health")
def health(service: ServiceDep) -> OrjsonResponse:
    """``ok`` when a cheap read of the hub database succeeds, else 503 ``unavailable``."""
    try:
        with service.engine.connect() as connection:
            # a real read of a table (``SELECT 1`` would not touch the SQLite file)
            connection.execute(select(query_table.c.id).limit(1)).first()
    except Exception:  # any database failure means "not ready", never a trace to the client
        return OrjsonResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return OrjsonResponse({"status": "ok", "database": "ok", "id": service.settings.hub.id})
