"""The PSI-cardinality exchange: the count is the true intersection and nothing else is shared."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import InputError
from app.linkage import LinkageTokeniser
from app.linkage.group import hash_to_point, multiply, random_point
from app.linkage.psi import BlindingKey, blind_tokens, count_intersection, padded_size, reblind

SECRET = b"linkage-secret-of-the-network-01"
OTHER_SECRET = b"linkage-secret-of-another-net-02"


def family_name(number: int) -> str:
    """A distinct family name per number, in letters (normalisation drops digits)."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[digit]
        if not number:
            return "Nord" + letters


def tokens_of(people: set[int], secret: bytes = SECRET) -> list[bytes]:
    """Tokens of invented people, one per number in ``people``."""
    tokeniser = LinkageTokeniser(secret)
    found = [
        tokeniser.token(family=family_name(n), given="Ola", birth_date="1980-01-01", sex="male")
        for n in sorted(people)
    ]
    return [t for t in found if t is not None]


def exchange(first: list[bytes], second: list[bytes], *, pad: int = 0) -> tuple[int, dict]:
    """Run the three steps between two nodes; return A's count and every message sent."""
    key_a, key_b = BlindingKey.fresh(), BlindingKey.fresh()
    sent_a = blind_tokens(first, key_a, size=len(set(first)) + pad)
    returned = reblind(sent_a, key_b)
    sent_b = blind_tokens(second, key_b, size=len(set(second)) + pad)
    count = count_intersection(returned, sent_b, key_a)
    return count, {"a": sent_a, "a_reblinded": returned, "b": sent_b}


people = st.sets(st.integers(min_value=0, max_value=60), max_size=25)


@settings(max_examples=40, deadline=None)
@given(people, people, st.integers(min_value=0, max_value=5))
def test_count_equals_the_true_intersection(a: set[int], b: set[int], pad: int) -> None:
    count, _ = exchange(tokens_of(a), tokens_of(b), pad=pad)
    assert count == len(a & b)


@settings(max_examples=20, deadline=None)
@given(people, people)
def test_nodes_with_different_secrets_find_no_overlap(a: set[int], b: set[int]) -> None:
    count, _ = exchange(tokens_of(a), tokens_of(b, OTHER_SECRET))
    assert count == 0


def test_blinded_values_differ_between_runs_of_the_same_sets() -> None:
    a, b = tokens_of(set(range(20))), tokens_of(set(range(10, 30)))
    count_1, first = exchange(a, b)
    count_2, second = exchange(a, b)
    assert count_1 == count_2 == 10
    for name in first:
        assert not set(first[name]) & set(second[name])


def test_messages_hold_neither_tokens_nor_their_unblinded_points() -> None:
    a, b = tokens_of(set(range(15))), tokens_of(set(range(5, 25)))
    _, messages = exchange(a, b, pad=3)
    secrets_of_patients = set(a) | set(b) | {hash_to_point(t) for t in a + b}
    for values in messages.values():
        assert not set(values) & secrets_of_patients


def test_sets_are_sent_in_sorted_order_and_padded_to_size() -> None:
    key = BlindingKey.fresh()
    sent = blind_tokens(tokens_of({1, 2, 3}), key, size=8)
    assert len(sent) == 8
    assert sent == sorted(sent)
    assert len(set(sent)) == 8


def test_repeated_tokens_count_once() -> None:
    a = tokens_of({1, 2})
    count, messages = exchange(a + a, tokens_of({2, 3}))
    assert count == 1
    assert len(messages["a"]) == 2


def test_more_tokens_than_the_padded_size_are_refused() -> None:
    with pytest.raises(InputError, match="padded"):
        blind_tokens(tokens_of({1, 2, 3}), BlindingKey.fresh(), size=2)


def test_padded_size_never_reveals_less_than_the_published_bound() -> None:
    assert padded_size(7, published_upper=10) == 10
    assert padded_size(12, published_upper=10) == 12


def test_a_repeated_element_in_a_relayed_set_is_refused() -> None:
    key = BlindingKey.fresh()
    sent = blind_tokens(tokens_of({1, 2}), key, size=2)
    with pytest.raises(InputError, match="repeats"):
        reblind([sent[0], sent[0]], BlindingKey.fresh())
    with pytest.raises(InputError, match="repeats"):
        count_intersection([sent[0], sent[0]], sent, key)


def test_a_value_that_is_no_group_element_is_refused() -> None:
    with pytest.raises(InputError, match="ristretto255"):
        reblind([random_point(), b"\xff" * 32], BlindingKey.fresh())
    with pytest.raises(InputError, match="ristretto255"):
        multiply(BlindingKey.fresh().scalar, b"\x00" * 32)  # the identity


def test_blinding_key_repr_hides_the_scalar() -> None:
    key = BlindingKey.fresh()
    assert key.scalar.hex() not in repr(key)
