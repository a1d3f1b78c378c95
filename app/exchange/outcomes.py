"""The ``OperationOutcome``s node and hub exchange about governance: held for approval, denied.

A node whose data steward must approve a request answers ``202`` with an informational outcome
naming its approval id (``held_outcome``); a refusal by policy or by the steward is a ``403`` whose
diagnostics start with ``policy: denied`` (``denial_outcome``), followed by the steward's reason.
The hub reads them back with ``approval_reference`` and ``denial_reason``, and any other error
answer with ``outcome_text`` (docs/governance.md).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

DENIED = "policy: denied"
AWAITING_APPROVAL = "awaiting-approval"
APPROVAL_SYSTEM = "https://ketanet.org/fhir/CodeSystem/approval"
_APPROVAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def held_outcome(approval_id: str, task_id: str | None) -> dict[str, Any]:
    """Return the informational outcome of a request held for the data steward."""
    task = f" for task {task_id}" if task_id else ""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "information",
                "code": "informational",
                "details": {
                    "coding": [{"system": APPROVAL_SYSTEM, "code": AWAITING_APPROVAL}],
                    "text": approval_id,
                },
                "diagnostics": f"{AWAITING_APPROVAL}: approval {approval_id}{task}; the "
                "node's data steward decides, and the answer is delivered to the hub then",
            }
        ],
    }


def denial_outcome(reason: str | None) -> dict[str, Any]:
    """Return the outcome of a request denied by policy (no reason) or by the steward."""
    diagnostics = f"{DENIED}: {reason}" if reason else DENIED
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "forbidden", "diagnostics": diagnostics}],
    }


def outcome_text(body: bytes, status: int) -> str:
    """Return an error answer's diagnostics joined (at most 500 characters), or ``HTTP <status>``."""
    try:
        outcome = orjson.loads(body)
        text = "; ".join(str(issue.get("diagnostics", "")) for issue in outcome.get("issue", []))
    except (orjson.JSONDecodeError, AttributeError, TypeError):
        return f"HTTP {status}"
    return text[:500] or f"HTTP {status}"


def denial_reason(text: str) -> str | None:
    """Return the reason of a denial's diagnostics (``policy: denied`` alone), or None if not one."""
    if text == DENIED:
        return DENIED
    if text.startswith(DENIED + ": "):
        return text.removeprefix(DENIED + ": ") or DENIED
    return None


def approval_reference(body: bytes) -> str | None:
    """Return the approval id a held outcome names, or None when it names none."""
    try:
        issues = orjson.loads(body).get("issue", [])
        for issue in issues:
            codes = [c.get("code") for c in issue.get("details", {}).get("coding", [])]
            text = issue.get("details", {}).get("text")
            if AWAITING_APPROVAL in codes and isinstance(text, str) and _APPROVAL_ID.match(text):
                return text
    except (orjson.JSONDecodeError, AttributeError, TypeError):
        return None
    return None
