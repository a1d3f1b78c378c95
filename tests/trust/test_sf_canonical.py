"""The canonical fast path parses exactly as ``http-sf`` does, or declines (``None``)."""

from __future__ import annotations

from typing import Any

import http_sf
import pytest
from http_sf.innerlist import ser_item_or_inner_list
from hypothesis import given, settings
from hypothesis import strategies as st

from app.trust.sf_canonical import parse_dictionary

KEYS = st.from_regex(r"[a-z*][a-z0-9_.*-]{0,4}", fullmatch=True) | st.sampled_from(["A", "1"])
STRINGS = st.text(st.characters(min_codepoint=0x1F, max_codepoint=0x80), max_size=6).map(
    lambda text: f'"{text}"'
) | st.text(st.sampled_from('ab\\"'), max_size=4).map(lambda text: f'"{text}"')
VALUES = st.one_of(
    st.just(""),
    STRINGS.map(lambda text: "=" + text),
    st.integers(-(10**16), 10**16).map(lambda number: f"={number}"),
    st.sampled_from(["=?0", "=?1", "=-0", "=007", "=1.5", "=tok", "=:AA==:", "=@1"]),
)
PARAMS = st.lists(st.tuples(KEYS, VALUES).map(lambda p: f";{p[0]}{p[1]}"), max_size=3).map("".join)
ITEMS = st.tuples(STRINGS, PARAMS).map("".join)
INNER = st.tuples(
    st.sampled_from(["(", "(", "( "]),
    st.lists(st.tuples(ITEMS, st.sampled_from([" ", " ", "  "])), max_size=4),
    st.sampled_from([")", ")", " )"]),
    PARAMS,
).map(lambda t: t[0] + "".join(i + s for i, s in t[1]).rstrip() + t[2] + t[3])
MEMBERS = st.tuples(KEYS, st.one_of(INNER.map(lambda x: "=" + x), st.sampled_from(["", "=1"])))
DICTIONARIES = st.tuples(
    st.lists(
        st.tuples(MEMBERS.map("".join), st.sampled_from([", ", ", ", ",", " ,\t", ", ,"])),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["", "", " ", ","]),
).map(lambda t: "".join(m + s for m, s in t[0][:-1]) + t[0][-1][0] + t[1])


def _reference(value: str, *, refuse_duplicates: bool) -> Any:
    def refuse(_name: str, _context: str) -> None:
        raise KeyError("duplicate")

    try:
        return http_sf.parse(
            value.encode("ascii"),
            tltype="dictionary",
            on_duplicate_key=refuse if refuse_duplicates else None,
        )
    except (ValueError, UnicodeEncodeError, KeyError):
        return "error"


@settings(max_examples=600, deadline=None)
@given(DICTIONARIES)
def test_fast_path_equals_http_sf_or_declines(value: str) -> None:
    ours = parse_dictionary(value)
    if ours is None:
        return
    theirs = _reference(value, refuse_duplicates=True)
    as_http_sf = {
        key: ([(name, dict(params)) for name, params in member.items], dict(member.params))
        for key, member in ours.items()
    }
    # repr tells True from 1 and False from 0.
    assert repr(as_http_sf) == repr(theirs)
    assert _reference(value, refuse_duplicates=False) == theirs
    for key, member in ours.items():
        assert member.text == ser_item_or_inner_list(theirs[key])


@pytest.mark.parametrize(
    "value",
    [
        'a=("x";p=1;p=2)',  # repeated parameter
        'a=("x"), a=("y")',  # repeated key
        'a=("x");n=-0',
        'a=("x");n=01',
        'a=("x");t=tok',
        'a=("x" "y");d=1.5',
        'a=("x");t=?1',
        'a=("q\\"")',
        'a=( "x")',
        'a=("x"  "y")',
        'a=("x"),',
        ' a=("x")',
        "a=:AA==:",
        "a",
        "",
    ],
)
def test_non_canonical_text_takes_the_full_parser(value: str) -> None:
    assert parse_dictionary(value) is None


def test_profile_signature_input_parses_with_member_text() -> None:
    value = (
        'ketanet=("@method" "@target-uri" "content-type" "content-digest");created=1700000000;'
        'keyid="k";alg="ed25519";expires=1700000300;nonce="abc";tag="ketanet-request", '
        'other=("@status" "signature-input";req;key="ketanet");created=1'
    )
    parsed = parse_dictionary(value)
    assert parsed is not None
    assert parsed["other"].items[1] == ("signature-input", (("req", True), ("key", "ketanet")))
    assert parsed["ketanet"].text == value.split(", ")[0].removeprefix("ketanet=")
