"""Record-level FHIR read and search, for signed requests from peers with the ``record`` grant."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from app.errors import InputError, KetanetError, NotFound
from app.node.context import NodeContext
from app.node.deps import ContextDep, VerifiedDep
from app.node.search_params import search_conditions, search_parameters
from app.profiles import record_to_resource
from app.store.resource_tables import RESOURCE_TABLES, read_row, search_rows
from app.trust.fastapi_auth import require_grant
from app.web import OrjsonResponse, fhir_json, request_audit

router = APIRouter(prefix="/fhir")
MAX_COUNT = 1000
DEFAULT_COUNT = 100
RESULT_PARAMETERS = frozenset({"_count", "_offset", "_summary", "_total", "_totalMethod"})
"""Result parameters every search takes. The total is always exact, whatever ``_total`` asks."""
TOTALS = frozenset({"none", "estimate", "accurate"})
TOTAL_METHODS = frozenset({"count", "estimate", "none"})
"""``_totalMethod`` is how fhirpy's ``.count()`` asks for the total (with ``_count=0``)."""


def _entry(public_url: str, resource: dict[str, Any]) -> dict[str, Any]:
    """Return a searchset entry with its absolute ``fullUrl``, as FHIR requires."""
    return {
        "fullUrl": f"{public_url}/fhir/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
        "search": {"mode": "match"},
    }


MAX_DIGITS = 18


def _bounded_int(params: dict[str, list[str]], name: str, default: int, maximum: int) -> int:
    raw = params.get(name, [str(default)])[-1]
    # ASCII digits only: ``str.isdigit`` also takes ``²`` (which ``int`` refuses), and a bounded
    # length keeps ``int`` clear of its digit limit.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS):
        raise InputError(
            f"{name}: must be a non-negative integer (ASCII digits, at most {MAX_DIGITS})"
        )
    return min(int(raw), maximum)


def _search(ctx: NodeContext, kind: str, params: dict[str, list[str]]) -> dict[str, Any]:
    source = RESOURCE_TABLES[kind]
    country = ctx.settings.node.country
    known = {name for name, _ in search_parameters(kind)} | RESULT_PARAMETERS
    unknown = sorted(set(params) - known)
    if unknown:
        supported = ", ".join(sorted(known))
        raise InputError(f"{unknown[0]}: unsupported search parameter of {kind} ({supported})")
    for name, allowed in (("_total", TOTALS), ("_totalMethod", TOTAL_METHODS)):
        for value in params.get(name, []):
            if value not in allowed:
                raise InputError(f"{name}: must be one of {', '.join(sorted(allowed))}")
    conditions = search_conditions(kind, source.table, params)
    count = _bounded_int(params, "_count", DEFAULT_COUNT, MAX_COUNT)
    offset = _bounded_int(params, "_offset", 0, 2**62)
    summary_only = params.get("_summary", [""])[-1] == "count" or count == 0
    total, rows = search_rows(
        ctx.engine, source, conditions, count=0 if summary_only else count, offset=offset
    )
    if summary_only:
        return {"resourceType": "Bundle", "type": "searchset", "total": total}
    entries = [
        _entry(
            ctx.settings.node.public_url,
            record_to_resource(source.record_kind, row, country=country),
        )
        for row in rows
    ]
    base = f"{ctx.settings.node.public_url}/fhir/{kind}"
    plain = [(k, v) for k, values in params.items() if k != "_offset" for v in values]
    links = [{"relation": "self", "url": f"{base}?{urlencode([*plain, ('_offset', offset)])}"}]
    if offset + count < total:
        links.append(
            {
                "relation": "next",
                "url": f"{base}?{urlencode([*plain, ('_offset', offset + count)])}",
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": entries,
    }


def _read(ctx: NodeContext, kind: str, resource_id: str) -> dict[str, Any]:
    source = RESOURCE_TABLES[kind]
    row = read_row(ctx.engine, source, resource_id)
    if row is None:
        raise NotFound(f"{kind}/{resource_id}: no such resource")
    return record_to_resource(source.record_kind, row, country=ctx.settings.node.country)


def _check(kind: str) -> None:
    if kind not in RESOURCE_TABLES:
        raise NotFound(f"{kind}: not a resource type this node serves")


async def _audited(
    request: Request, ctx: NodeContext, verified: VerifiedDep, target: str, work: Any
) -> OrjsonResponse:
    """Run ``work`` for a peer with the ``record`` grant; audit the decision either way."""
    try:
        require_grant(verified, "record")
        ctx.rate_limiter.take(verified.peer.name)
        document = await run_in_threadpool(work)
    except KetanetError as error:
        await request_audit(request).refused(error, verified.kid, "read", target)
        raise
    await request_audit(request).answered(verified.kid, "read", target)
    return fhir_json(document)


@router.get("/{kind}")
async def search_records(
    kind: str, request: Request, ctx: ContextDep, verified: VerifiedDep
) -> OrjsonResponse:
    """Search de-identified records of one type, paged with absolute ``next`` links."""
    _check(kind)
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return await _audited(
        request, ctx, verified, f"{kind}?search", lambda: _search(ctx, kind, params)
    )


@router.get("/{kind}/{resource_id}")
async def read_record(
    kind: str, resource_id: str, request: Request, ctx: ContextDep, verified: VerifiedDep
) -> OrjsonResponse:
    """Read one de-identified record by its pseudonymous id."""
    _check(kind)
    return await _audited(
        request, ctx, verified, f"{kind}/{resource_id}", lambda: _read(ctx, kind, resource_id)
    )
