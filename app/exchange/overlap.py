"""The messages of the cross-border overlap exchange (``docs/overlap.md``): FHIR ``Parameters``.

The hub asks the pair's first node to blind its set (``$overlap-blind``), the second node to
re-blind it and blind its own (``$overlap-reblind``), and the first node to count
(``$overlap-count``, answered with a signed ``MeasureReport``). Each request is the query's
``Parameters`` (as for ``$evaluate-measure``) plus these parts:

| part | type | in |
|---|---|---|
| ``overlap-pair`` | string, the pair's countries in alphabetical order (``DE+NO``) | every request |
| ``overlap-partner`` | string, the other node's id | every request |
| ``overlap-round`` | string, the first node's round id | ``$overlap-count``; blind answer |
| ``overlap-set`` | base64Binary, a blinded set | reblind and count requests; blind and reblind answers |
| ``overlap-reblinded`` | base64Binary, the first node's set re-blinded by the second | count request; reblind answer |

Only shapes are checked here (blinded sets by ``app.linkage.wire``); nothing here can compute on
a blinded value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.errors import InputError, Issue
from app.exchange.query import MeasureQuery, parse_parameters, to_parameters
from app.linkage.wire import MAX_SET_ELEMENTS, pack_elements, unpack_elements

PAIR = "overlap-pair"
PARTNER = "overlap-partner"
ROUND = "overlap-round"
SET = "overlap-set"
REBLINDED = "overlap-reblinded"
_STRING_PARTS = (PAIR, PARTNER, ROUND)
_SET_PARTS = (SET, REBLINDED)
_PAIR_LABEL = re.compile(r"[A-Z]{2}\+[A-Z]{2}")
_NODE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_ROUND_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


def pair_label(first_country: str, second_country: str) -> str:
    """Return the label of a pair of countries (alphabetical order): ``DE+NO``."""
    return "+".join(sorted((first_country, second_country)))


@dataclass(frozen=True)
class OverlapRequest:
    """The overlap parts of one round's request (the query travels beside it)."""

    pair: str
    partner: str
    round_id: str | None = None
    elements: list[bytes] | None = None
    """``overlap-set``: the set the round works on (the partner's blinded set)."""
    reblinded: list[bytes] | None = None
    """``overlap-reblinded``: the first node's set as the second node returned it."""


def to_overlap_parameters(query: MeasureQuery, request: OverlapRequest) -> dict[str, Any]:
    """Return the ``Parameters`` of one round's request."""
    document = to_parameters(query)
    parts: list[dict[str, Any]] = document["parameter"]
    parts.append({"name": PAIR, "valueString": request.pair})
    parts.append({"name": PARTNER, "valueString": request.partner})
    if request.round_id is not None:
        parts.append({"name": ROUND, "valueString": request.round_id})
    if request.elements is not None:
        parts.append({"name": SET, "valueBase64Binary": pack_elements(request.elements)})
    if request.reblinded is not None:
        parts.append({"name": REBLINDED, "valueBase64Binary": pack_elements(request.reblinded)})
    return document


def parse_overlap_parameters(
    body: Any, *, max_elements: int = MAX_SET_ELEMENTS
) -> tuple[MeasureQuery, OverlapRequest]:
    """Return the query and the overlap parts of a round's request; raises ``InputError``."""
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise _error("resourceType", "the body must be a FHIR Parameters resource")
    parts = body.get("parameter")
    if not isinstance(parts, list):
        raise _error("parameter", "Parameters.parameter must be a list")
    own: dict[str, Any] = {}
    rest = []
    for part in parts:
        name = part.get("name") if isinstance(part, dict) else None
        if name in _STRING_PARTS or name in _SET_PARTS:
            if name in own:
                raise _error(name, "given more than once")
            own[name] = _value(part, name)
        else:
            rest.append(part)
    query = parse_parameters({"resourceType": "Parameters", "parameter": rest})
    for name in (PAIR, PARTNER):
        if name not in own:
            raise _error(name, "required")
    if not _PAIR_LABEL.fullmatch(own[PAIR]):
        raise _error(PAIR, "must read CC+CC (two country codes in alphabetical order)")
    if own[PAIR] != pair_label(*own[PAIR].split("+")):
        raise _error(PAIR, "the countries must be in alphabetical order")
    if not _NODE_ID.fullmatch(own[PARTNER]):
        raise _error(PARTNER, "must be a node id")
    if ROUND in own and not _ROUND_ID.fullmatch(own[ROUND]):
        raise _error(ROUND, "not a round id")
    sets = {
        name: unpack_elements(own[name], max_elements=max_elements)
        for name in _SET_PARTS
        if name in own
    }
    request = OverlapRequest(
        pair=own[PAIR],
        partner=own[PARTNER],
        round_id=own.get(ROUND),
        elements=sets.get(SET),
        reblinded=sets.get(REBLINDED),
    )
    return query, request


def blinded_answer(*, elements: list[bytes], round_id: str | None = None,
                   reblinded: list[bytes] | None = None) -> dict[str, Any]:  # fmt: skip
    """Return the ``Parameters`` a node answers ``$overlap-blind`` or ``$overlap-reblind`` with."""
    parts: list[dict[str, Any]] = []
    if round_id is not None:
        parts.append({"name": ROUND, "valueString": round_id})
    if reblinded is not None:
        parts.append({"name": REBLINDED, "valueBase64Binary": pack_elements(reblinded)})
    parts.append({"name": SET, "valueBase64Binary": pack_elements(elements)})
    return {"resourceType": "Parameters", "parameter": parts}


@dataclass(frozen=True)
class BlindedAnswer:
    """What a node returned from blinding: its round id (first node), sets."""

    elements: list[bytes]
    round_id: str | None = None
    reblinded: list[bytes] | None = None


def parse_blinded_answer(body: Any, *, max_elements: int = MAX_SET_ELEMENTS) -> BlindedAnswer:
    """Return the parts of a blind or reblind answer; raises ``InputError``."""
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise _error("resourceType", "the answer must be a FHIR Parameters resource")
    own: dict[str, Any] = {}
    for part in body.get("parameter") or []:
        name = part.get("name") if isinstance(part, dict) else None
        if name not in (ROUND, SET, REBLINDED) or name in own:
            raise _error(str(name), "unexpected or repeated part")
        own[name] = _value(part, name)
    if SET not in own:
        raise _error(SET, "required")
    if ROUND in own and not _ROUND_ID.fullmatch(own[ROUND]):
        raise _error(ROUND, "not a round id")
    return BlindedAnswer(
        elements=unpack_elements(own[SET], max_elements=max_elements),
        round_id=own.get(ROUND),
        reblinded=(
            unpack_elements(own[REBLINDED], max_elements=max_elements) if REBLINDED in own else None
        ),
    )


def _value(part: dict[str, Any], name: str) -> str:
    kind = "valueBase64Binary" if name in _SET_PARTS else "valueString"
    values = {key: value for key, value in part.items() if key.startswith("value")}
    if set(values) != {kind} or not isinstance(values[kind], str):
        raise _error(name, f"must be given as {kind}")
    value: str = values[kind]
    return value


def _error(field_name: str, rule: str) -> InputError:
    issue = Issue(rule=rule, field=field_name)
    return InputError(str(issue), issues=[issue])
