"""Private set intersection cardinality (ECDH, ristretto255) between two nodes, step by step.

Node A (the first of the pair) and node B each hold a set of linkage tokens; A learns
``|A ∩ B|`` and nothing else, B learns nothing, and whoever relays the messages learns the sizes
of the padded sets only.

1. A hashes its tokens to group elements, multiplies them by a fresh secret scalar ``a``, pads the
   list with random elements and sends it, in canonical (sorted) order: ``{a·H(x)}``.
2. B multiplies what it received by its own fresh scalar ``b`` and returns it sorted — the order of
   A's elements is lost, so A cannot tell which of its patients matched — together with its own
   blinded, padded, sorted set ``{b·H(y)}``; B then forgets ``b``.
3. A multiplies B's set by ``a`` and counts the elements that are also in ``{b·a·H(x)}``:
   ``a·b·H(t)`` is the same for a token in both sets and unpredictable for anything else.

Sorting random-looking group elements is a shuffle: the output order depends on the values only,
never on the order the tokens came in. Padding elements are random group elements, which match
nothing (a collision would need a discrete logarithm). Fresh scalars per query make every
run's values different, so nothing links two runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.errors import InputError
from app.linkage.group import hash_to_point, multiply_all, random_point, random_scalar


@dataclass(frozen=True)
class BlindingKey:
    """A node's secret scalar for one exchange; never serialised, logged or sent."""

    scalar: bytes = field(repr=False)

    @classmethod
    def fresh(cls) -> BlindingKey:
        """Return a new uniformly random key."""
        return cls(random_scalar())


def padded_size(tokens: int, *, published_upper: int) -> int:
    """Return how many elements a node sends: its token count padded up to ``published_upper``.

    ``published_upper`` is the upper bound of the node's published (disclosure-controlled) count of
    the same patients, so the length of the message tells a relay nothing the answer does not.
    """
    return max(tokens, published_upper)


def blind_tokens(tokens: Iterable[bytes], key: BlindingKey, *, size: int) -> list[bytes]:
    """Return ``{key·H(t)}`` of the distinct tokens padded with random elements to ``size``, sorted.

    Raises ``InputError`` when there are more distinct tokens than ``size``.
    """
    distinct = set(tokens)
    if len(distinct) > size:
        raise InputError("more linkage tokens than the padded set size")
    blinded = multiply_all(key.scalar, [hash_to_point(token) for token in distinct])
    blinded.extend(random_point() for _ in range(size - len(distinct)))
    return sorted(blinded)


def reblind(points: list[bytes], key: BlindingKey) -> list[bytes]:
    """Return ``{key·p}`` of another node's blinded elements, sorted (their order is lost).

    Raises ``InputError`` when a value is not a group element or one repeats.
    """
    _refuse_repeats(points)
    return sorted(multiply_all(key.scalar, points))


def count_intersection(
    own_reblinded: list[bytes], partner_blinded: list[bytes], key: BlindingKey
) -> int:
    """Return how many of this node's elements, blinded by both keys, the partner's set holds.

    ``own_reblinded`` is this node's set as the partner returned it (``b·a·H(x)``),
    ``partner_blinded`` the partner's own set (``b·H(y)``), ``key`` this node's key ``a``.
    Raises ``InputError`` when a value is not a group element or one repeats.
    """
    _refuse_repeats(own_reblinded)
    _refuse_repeats(partner_blinded)
    theirs = set(multiply_all(key.scalar, partner_blinded))
    return sum(1 for point in own_reblinded if point in theirs)


def _refuse_repeats(points: list[bytes]) -> None:
    """A repeated element would count one patient twice: refuse the whole message."""
    if len(set(points)) != len(points):
        raise InputError("a blinded set repeats an element")
