"""The KetaNet error tree.

Every error a user can meet is a ``KetanetError``; each subclass knows its CLI exit code, its HTTP
status and how to render itself as a FHIR ``OperationOutcome``. Messages name the file, line, field
and rule broken, never the patient value.

    KetanetError                      exit 1, HTTP 500
     ├── InputError                   exit 2, HTTP 400  (bad export row, bad query parameter)
     │    └── PayloadTooLarge                   HTTP 413
     ├── ConfigError                  exit 3            (bad node.toml / hub.toml / key files)
     ├── SignatureError               exit 4, HTTP 401  (bad, missing, expired, unknown-key signature)
     │    └── BearerTokenRefused                HTTP 401  (hub API token; WWW-Authenticate: Bearer)
     ├── PolicyRefusal                exit 5, HTTP 403  (no grant, policy refuses)
     ├── NotFound                     exit 6, HTTP 404
     ├── Conflict                     exit 7, HTTP 409  (replayed nonce, duplicate id)
     ├── BudgetExhausted              exit 8, HTTP 429  (privacy budget spent, rate limit)
     ├── IntegrityError               exit 9            (audit chain broken)
     └── Unavailable                  exit 10, HTTP 503 (work over its time limit, database down)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Issue:
    """One problem found in input: where it is and which rule it breaks (never the value)."""

    rule: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def location(self) -> str:
        """Return ``file:line:field`` with the parts that are known (unknown ones left out)."""
        parts = [self.file, str(self.line) if self.line is not None else None, self.field]
        return ":".join(part for part in parts if part)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.rule}" if where else self.rule


class KetanetError(Exception):
    """Base of every KetaNet error."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500
    fhir_code: ClassVar[str] = "exception"

    def __init__(self, message: str, *, issues: list[Issue] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues: list[Issue] = list(issues or [])

    def headers(self) -> dict[str, str]:
        """Return extra HTTP headers that go with this error (e.g. ``Retry-After``)."""
        return {}

    def operation_outcome(self) -> dict[str, Any]:
        """Return this error as a FHIR ``OperationOutcome`` (plain dict)."""
        issues = self.issues or [Issue(rule=self.message)]
        return {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": self.fhir_code,
                    "diagnostics": str(issue) if issue.rule != self.message else self.message,
                    **({"expression": [issue.field]} if issue.field else {}),
                }
                for issue in issues
            ],
        }


class InputError(KetanetError):
    """Input (an export row, a mapping, a query) breaks a rule."""

    exit_code = 2
    http_status = 400
    fhir_code = "invalid"


class PayloadTooLarge(InputError):
    """A request body is larger than the node accepts."""

    http_status = 413
    fhir_code = "too-costly"


class ConfigError(KetanetError):
    """A configuration file, key file or secret is missing or unsafe."""

    exit_code = 3
    fhir_code = "exception"


class SignatureError(KetanetError):
    """A signature is missing, malformed, invalid, expired, for another audience or by an unknown key."""

    exit_code = 4
    http_status = 401
    fhir_code = "security"


class BearerTokenRefused(SignatureError):
    """The hub API's bearer token is missing or unknown."""

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class PolicyRefusal(KetanetError):
    """The requester lacks the grant, or the node's policy refuses the request."""

    exit_code = 5
    http_status = 403
    fhir_code = "forbidden"


class NotFound(KetanetError):
    """The requested resource does not exist."""

    exit_code = 6
    http_status = 404
    fhir_code = "not-found"


class Conflict(KetanetError):
    """The request conflicts with what was seen before (replayed nonce, duplicate id)."""

    exit_code = 7
    http_status = 409
    fhir_code = "conflict"


class BudgetExhausted(KetanetError):
    """The requester's privacy budget or rate limit is spent."""

    exit_code = 8
    http_status = 429
    fhir_code = "throttled"

    def __init__(self, message: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)} if self.retry_after_s is not None else {}


class IntegrityError(KetanetError):
    """A hash chain or checkpoint does not match (audit log tampered with)."""

    exit_code = 9
    fhir_code = "exception"


class Unavailable(KetanetError):
    """The service cannot answer now: the work ran over its time limit or a dependency is down."""

    exit_code = 10
    http_status = 503
    fhir_code = "timeout"
