"""The overlap round messages: the query travels as for $evaluate-measure, sets as base64."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import InputError
from app.exchange.overlap import (
    OverlapRequest,
    blinded_answer,
    pair_label,
    parse_blinded_answer,
    parse_overlap_parameters,
    to_overlap_parameters,
)
from app.exchange.query import MeasureQuery

QUERY = MeasureQuery(
    measure="cross-border-overlap",
    version="1",
    period_start=date(2024, 1, 1),
    period_end=date(2024, 12, 31),
    filters={"sex": ("female",)},
)
ELEMENTS = [bytes([i]) * 32 for i in range(3)]


def test_round_request_round_trips() -> None:
    request = OverlapRequest(
        pair="DE+NO", partner="no", round_id="r" * 22, elements=ELEMENTS, reblinded=ELEMENTS[:2]
    )
    query, parsed = parse_overlap_parameters(to_overlap_parameters(QUERY, request))
    assert query == QUERY
    assert parsed == request


def test_blinded_answer_round_trips() -> None:
    answer = parse_blinded_answer(blinded_answer(elements=ELEMENTS, round_id="x" * 22))
    assert (answer.elements, answer.round_id, answer.reblinded) == (ELEMENTS, "x" * 22, None)


@pytest.mark.parametrize(
    ("pair", "partner", "rule"),
    [
        ("NO+DE", "no", "alphabetical"),
        ("DEU+NO", "no", r"CC\+CC"),
        ("DE+NO", "No!", "node id"),
    ],
)
def test_malformed_overlap_parts_are_refused(pair: str, partner: str, rule: str) -> None:
    document = to_overlap_parameters(QUERY, OverlapRequest(pair="DE+NO", partner="no"))
    for part in document["parameter"]:
        if part["name"] == "overlap-pair":
            part["valueString"] = pair
        if part["name"] == "overlap-partner":
            part["valueString"] = partner
    with pytest.raises(InputError, match=rule):
        parse_overlap_parameters(document)


def test_a_set_over_the_node_limit_is_refused() -> None:
    document = to_overlap_parameters(
        QUERY, OverlapRequest(pair="DE+NO", partner="no", elements=ELEMENTS)
    )
    with pytest.raises(InputError, match="more than 2"):
        parse_overlap_parameters(document, max_elements=2)


def test_pair_labels_are_alphabetical() -> None:
    assert pair_label("NO", "DE") == pair_label("DE", "NO") == "DE+NO"
