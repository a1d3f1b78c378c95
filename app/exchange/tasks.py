"""What a node and the hub exchange about tasks: a fetched task and an answer uploaded to it.

``GET /api/tasks`` gives a pull node its waiting tasks, each carrying the request the hub signed
for it (method, target URI, the signed headers, the exact body: ``FetchedTask``);
``POST /api/tasks/{id}/result`` carries a node's answer to one (``ResultUpload``): the status,
headers and body it would have sent had the hub called it, response signature included
(docs/governance.md).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from app.errors import InputError

TASK_PARAMETER = "task"
TASK_EXPIRES_PARAMETER = "task-expires"


@dataclass(frozen=True)
class ResultUpload:
    """A node's answer to a task as uploaded: the response it would have sent directly."""

    status: int
    headers: dict[str, str]
    body: bytes

    @classmethod
    def from_json(cls, raw: bytes) -> ResultUpload:
        """Return the upload in a request body; raises ``InputError`` when malformed."""
        try:
            document = orjson.loads(raw)
            status = document["status"]
            headers = document["headers"]
            body = base64.b64decode(document["body_base64"], validate=True)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, binascii.Error):
            raise InputError(
                'body: expected {"status": int, "headers": {name: value}, "body_base64": text}'
            ) from None
        if type(status) is not int or not 100 <= status <= 599:
            raise InputError("status: expected an HTTP status code")
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise InputError("headers: expected {name: value} strings")
        return cls(status=status, headers=headers, body=body)

    def to_json(self) -> bytes:
        """Return the upload as the request body ``ResultUpload.from_json`` reads."""
        return orjson.dumps(
            {
                "status": self.status,
                "headers": self.headers,
                "body_base64": base64.b64encode(self.body).decode("ascii"),
            }
        )


@dataclass(frozen=True)
class FetchedTask:
    """A task as a pull node fetched it: its id and the request the hub signed for it."""

    id: str
    query_id: str
    kind: str
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> FetchedTask:
        """Return one task of a ``GET /api/tasks`` answer; raises ``InputError`` when malformed."""
        try:
            request = document["request"]
            return cls(
                id=str(document["id"]),
                query_id=str(document["query_id"]),
                kind=str(document["kind"]),
                method=str(request["method"]),
                url=str(request["url"]),
                headers={str(k): str(v) for k, v in request["headers"].items()},
                body=base64.b64decode(request["body_base64"], validate=True),
            )
        except (KeyError, TypeError, AttributeError, ValueError, binascii.Error):
            raise InputError("tasks: a task is not {id, query_id, kind, request}") from None


def task_reference(target_uri: str) -> tuple[str, int] | None:
    """Return ``(task id, task end in epoch seconds)`` a signed target URI names, or None."""
    values = parse_qs(urlsplit(target_uri).query)
    task, expires = values.get(TASK_PARAMETER), values.get(TASK_EXPIRES_PARAMETER)
    if not task or not expires or len(task) != 1 or len(expires) != 1:
        return None
    if not 1 <= len(task[0]) <= 64 or not re.fullmatch("[0-9]{1,15}", expires[0]):
        return None
    return task[0], int(expires[0])
