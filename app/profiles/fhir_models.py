"""Structural validation with ``fhir.resources.R4B`` (the only module that imports it).

Used by tests and by ``ketanet mapping check``; the ingest and serving paths build plain dicts and
never pay for pydantic models, nor for importing them: ``fhir.resources`` (~85 ms of an ingest's
start) is imported on the first validation.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.errors import InputError, Issue


def validate_resource(resource: dict[str, Any]) -> None:
    """Check ``resource`` against the FHIR R4B model of its type; raises ``InputError``."""
    from fhir.resources.R4B import get_fhir_model_class  # imported on first use: see above

    resource_type = resource.get("resourceType")
    try:
        model = get_fhir_model_class(str(resource_type))
    except (ValueError, KeyError):
        raise InputError(
            "not a FHIR resource type", issues=[Issue("unknown resourceType")]
        ) from None
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        issues = [
            Issue(_safe_message(error), str(resource_type), None, _location(error["loc"]))
            for error in exc.errors()
        ]
        raise InputError(
            f"{resource_type} is not a valid FHIR R4B resource", issues=issues
        ) from None


def _location(loc: tuple[int | str, ...]) -> str | None:
    return ".".join(str(part) for part in loc) or None


def _safe_message(error: Any) -> str:
    message = str(error.get("msg", "invalid"))
    value = error.get("input")
    # Never echo a value back: resources may carry registry data.
    if isinstance(value, str | int | float) and str(value) and str(value) in message:
        message = message.replace(str(value), "…")
    return message
