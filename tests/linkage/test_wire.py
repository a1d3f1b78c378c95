"""The wire format of blinded sets: whole elements, bounded, no repeats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InputError
from app.linkage import pack_elements, unpack_elements
from app.linkage.wire import packed_length

elements = st.lists(st.binary(min_size=32, max_size=32), unique=True, max_size=40)


@given(elements)
def test_packing_round_trips(values: list[bytes]) -> None:
    text = pack_elements(values)
    assert len(text) == packed_length(len(values))
    assert unpack_elements(text) == values


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("not base64!", "base64"),
        (pack_elements([b"x" * 31]), "whole number"),
        (pack_elements([b"x" * 32, b"x" * 32]), "repeats"),
    ],
)
def test_malformed_sets_are_refused(text: str, rule: str) -> None:
    with pytest.raises(InputError, match=rule):
        unpack_elements(text)


def test_a_set_over_the_limit_is_refused_before_decoding() -> None:
    text = pack_elements([bytes([i]) * 32 for i in range(5)])
    with pytest.raises(InputError, match="more than 4"):
        unpack_elements(text, max_elements=4)
