"""Linkage tokens: HMAC-SHA256 of the normalised identity under the network's linkage secret."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ConfigError
from app.linkage import LinkageTokeniser, linkage_message, linkage_token

SECRET = b"linkage-secret-of-the-network-01"
OTHER_SECRET = b"linkage-secret-of-another-net-02"


def test_token_is_hmac_sha256_of_the_joined_normal_forms() -> None:
    token = linkage_token(
        SECRET, family="Jørgensen", given="Åshild", birth_date="1980-02-29", sex="female"
    )
    expected = hmac.new(SECRET, b"jorgensen|ashild|1980-02-29|female", hashlib.sha256).digest()
    assert token == expected
    assert len(token) == 32


def test_spellings_of_one_person_give_one_token() -> None:
    tokeniser = LinkageTokeniser(SECRET)
    spellings = [
        ("Müller-Lüdenscheidt", "Jürgen"),
        ("MÜLLER-LÜDENSCHEIDT", "JÜRGEN"),
        ("Muller Ludenscheidt", "Jurgen"),
        ("müllerlüdenscheidt", "jürgen"),
    ]
    tokens = {
        tokeniser.token(family=f, given=g, birth_date=date(1961, 7, 3), sex="male")
        for f, g in spellings
    }
    assert len(tokens) == 1


def test_any_difference_in_identity_changes_the_token() -> None:
    tokeniser = LinkageTokeniser(SECRET)
    base = {"family": "Strauß", "given": "Elke", "birth_date": "1970-01-02", "sex": "female"}
    token = tokeniser.token(**base)
    for field, other in [
        ("family", "Straus"),
        ("given", "Elka"),
        ("given", None),
        ("birth_date", "1970-02-01"),
        ("sex", "male"),
    ]:
        assert tokeniser.token(**{**base, field: other}) != token


def test_no_token_without_family_name_or_full_birth_date() -> None:
    tokeniser = LinkageTokeniser(SECRET)
    for family, birth in [
        (None, "1970-01-02"),
        ("", "1970-01-02"),
        ("--", "1970-01-02"),
        ("Aas", None),
        ("Aas", "1970"),
        ("Aas", "1970-01"),
        ("Aas", "1970-02-30"),
        ("Aas", "02/01/1970"),
    ]:
        assert tokeniser.token(family=family, given="Tone", birth_date=birth, sex="female") is None


def test_missing_given_name_and_sex_still_give_a_token() -> None:
    assert linkage_message(family="Aas", given=None, birth_date="1970-01-02", sex=None) == (
        b"aas||1970-01-02|"
    )


def test_short_linkage_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        LinkageTokeniser(b"short")


def test_tokeniser_repr_hides_the_secret() -> None:
    assert "linkage-secret" not in repr(LinkageTokeniser(SECRET))


@given(st.text(min_size=1, max_size=20), st.dates())
def test_another_secret_gives_another_token(family: str, birth: date) -> None:
    ours = linkage_token(SECRET, family=family, given=None, birth_date=birth, sex="other")
    theirs = linkage_token(OTHER_SECRET, family=family, given=None, birth_date=birth, sex="other")
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert ours != theirs
