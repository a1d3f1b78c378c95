"""A task's request: its target URI, its signing when handed out, and its rows when made.

The target URI names the task and the moment it ends (``?task=…&task-expires=…``), so the hub's
signature covers both; a pull task is signed when its node fetches it (fresh ``created``), with
the same components, tag and lifetime as a push request (docs/signing.md).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from app.config import NodeEntry
from app.exchange.tasks import TASK_EXPIRES_PARAMETER, TASK_PARAMETER
from app.hub.task_store import LEASED, QUEUED, Task
from app.trust.keys import SigningKey
from app.trust.signatures import sign_request
from app.web import FHIR_JSON

EVALUATE_PATH = "/fhir/Measure/$evaluate-measure"


def task_url(node_url: str, task_id: str, deadline_s: int) -> str:
    """Return the target URI of a task: the node's operation, naming the task and its end.

    Both are in the signed target URI, so a node holding the request for its steward knows,
    from the hub's signature, which task to answer and until when.
    """
    return (
        f"{node_url}{EVALUATE_PATH}?{TASK_PARAMETER}={task_id}"
        f"&{TASK_EXPIRES_PARAMETER}={deadline_s}"
    )


def sign_task(task: Task, key: SigningKey, now: float) -> dict[str, str]:
    """Return the headers of a task's request signed now (as a push request would be)."""
    headers = {"content-type": FHIR_JSON}
    added = sign_request(
        method=task.method, url=task.url, headers=headers, body=task.body, key=key, now=now
    )
    return {**headers, **{name.lower(): value for name, value in added.items()}}


def task_document(task: Task, headers: Mapping[str, str]) -> dict[str, Any]:
    """Return a fetched task as ``GET /api/tasks`` gives it: the signed request, exactly."""
    return {
        "id": task.id,
        "query_id": task.query_id,
        "kind": task.kind,
        "deadline": iso_utc(task.deadline_s),
        "request": {
            "method": task.method,
            "url": task.url,
            "headers": dict(headers),
            "body_base64": base64.b64encode(task.body).decode("ascii"),
        },
    }


def new_task(
    node: NodeEntry,
    position: int,
    *,
    query_id: str,
    body: bytes,
    now_s: int,
    deadline_s: int,
    push_lease_s: int,
) -> Task:
    task_id = str(uuid.uuid4())
    push = node.mode == "push"
    return Task(
        id=task_id, query_id=query_id, node_id=node.id, country=node.country, position=position,
        mode=node.mode, kind="evaluate-measure", method="POST",
        url=task_url(node.url, task_id, deadline_s), body=body, request_headers=None,
        status="pending", detail=None if push else "awaiting-pull",
        stage=LEASED if push else QUEUED, lease_until_s=now_s + push_lease_s if push else None,
        attempts=1 if push else 0, created_s=now_s, deadline_s=deadline_s, approval_ref=None,
    )  # fmt: skip


def task_row(task: Task) -> dict[str, Any]:
    return {
        "id": task.id, "query_id": task.query_id, "node_id": task.node_id,
        "country": task.country, "position": task.position, "mode": task.mode, "kind": task.kind,
        "method": task.method, "url": task.url,
        "body_base64": base64.b64encode(task.body).decode("ascii"), "request_headers_json": None,
        "status": task.status, "detail": task.detail, "stage": task.stage,
        "lease_until_s": task.lease_until_s, "attempts": task.attempts,
        "created_s": task.created_s, "deadline_s": task.deadline_s, "approval_ref": None,
        "finished_s": None,
    }  # fmt: skip


def iso_utc(epoch_s: float) -> str:
    """Return ``epoch_s`` as ISO 8601 UTC with a ``Z`` (microseconds when it has them)."""
    return datetime.fromtimestamp(epoch_s, UTC).isoformat().replace("+00:00", "Z")
