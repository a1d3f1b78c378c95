"""``/api/tasks``: the endpoints nodes call — fetch their tasks (pull mode) and deliver answers.

Both are signed by the node's key pinned in hub.toml (RFC 9421, the same profile as the hub's own
requests); the hub's ``public_url`` is the audience and nonces are kept as on a node. A node sees
and answers only its own tasks (403 otherwise); a second result for a task is refused (409).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.errors import KetanetError, PayloadTooLarge
from app.exchange.tasks import ResultUpload
from app.hub.deps import ServiceDep
from app.hub.report_checks import MAX_REPORT_BYTES
from app.trust.digest import content_digest
from app.trust.fastapi_auth import VerifiedRequestDep
from app.web import OrjsonResponse, request_audit

router = APIRouter(prefix="/api/tasks")

MAX_UPLOAD_BYTES = 4 * -(-MAX_REPORT_BYTES // 3) + 65_536
"""Largest result upload: a report of ``MAX_REPORT_BYTES`` in base64, with room for its headers."""


async def bounded_upload(request: Request) -> None:
    """Read the upload's body, refusing it (413) past ``MAX_UPLOAD_BYTES`` before anything parses
    it or checks its digest: by its ``Content-Length``, or as it streams in without one.
    """
    refusal = PayloadTooLarge(f"result upload of more than {MAX_UPLOAD_BYTES} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise refusal
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            raise refusal
        chunks.append(chunk)
    request._body = b"".join(chunks)  # what ``request.body()`` returns to the signature check


@router.get("", responses={204: {"description": "no task waiting after the wait"}})
async def fetch_tasks(
    request: Request,
    service: ServiceDep,
    verified: VerifiedRequestDep,
    wait: float = Query(default=0.0, ge=0.0),
) -> Response:
    """The calling node's waiting tasks, each with the request the hub signed for it just now.

    Waits up to ``wait`` seconds (at most ``MAX_FETCH_WAIT_S``) for one to appear; 204 if none.
    """
    node_id = verified.peer.name
    tasks = await service.tasks.fetch(node_id, wait, gone=request.is_disconnected)
    handed_out = ",".join(task["id"] for task in tasks) or "none"
    await request_audit(request).answered(node_id, "fetch-tasks", f"task/{handed_out}"[:500])
    if not tasks:
        return Response(status_code=204)
    return OrjsonResponse({"tasks": tasks})


@router.post("/{task_id}/result", dependencies=[Depends(bounded_upload)])  # before `verified`
async def deliver_result(
    task_id: str, request: Request, service: ServiceDep, verified: VerifiedRequestDep
) -> Response:
    """Accept the calling node's answer to one of its tasks, signed as if answered directly."""
    node_id = verified.peer.name
    body = await request.body()
    target = f"task/{task_id}"[:200]
    try:
        upload = ResultUpload.from_json(body)
        reply = await run_in_threadpool(service.tasks.accept, node_id, task_id, upload)
    except KetanetError as error:
        await request_audit(request).refused(
            error, node_id, "task-result", target, request_digest=content_digest(body)
        )
        raise
    await request_audit(request).answered(
        node_id,
        "task-result",
        target,
        request_digest=content_digest(body),
        response_digest=content_digest(upload.body),
    )
    content: dict[str, Any] = {"task": task_id, "status": reply.status, "detail": reply.detail}
    return OrjsonResponse(content, status_code=202 if reply.status == "pending" else 200)
