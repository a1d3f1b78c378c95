"""Patients treated in two or more countries: a traveller pool shared by every export of a network.

Real registries share some patients (people who move, commute or seek treatment abroad). To make
that testable, every export made with the same ``network_seed`` draws some of its patients from
one pool of invented people: pool member ``j`` has one name, birth date and sex, and is treated in
country ``C`` when a hash of (network seed, ``j``, ``C``) falls under ``POOL_INCLUSION``. An export
with traveller share ``s`` makes each patient a traveller with probability ``s`` (decided per
patient, so a smaller export stays a prefix of a larger one) and gives the k-th traveller the k-th
pool member treated in its country. Each country keeps its own patient ids, national ids and
clinical history; only the identity is shared, and in about a quarter of the (member, country)
pairs it is spelled differently in a way linkage normalisation absorbs (case, diacritics, ``ø``
written ``o``, ``ß`` written ``ss``, a hyphen for a space).

Expected overlap of two exports of sizes n₁ and n₂: about ``POOL_INCLUSION · s · min(n₁, n₂)``
(each export walks the pool until it has ``s·n`` members; the walks share the first
``s·min(n)/POOL_INCLUSION`` members, of which each is in both countries with probability
``POOL_INCLUSION²``). Three countries share about ``POOL_INCLUSION² · s · min(n)``.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from app.errors import InputError
from app.synth.identities import person_name
from app.synth.seeds import derive_seed
from app.synth.timeline import FIRST_START_DAY

POOL_INCLUSION = 0.5
"""The chance that a pool member is treated in a given country."""
VARIANT_SHARE = 0.25
"""The share of (member, country) pairs whose identity is spelled differently from the pool's."""
_STYLES = ("nordic", "german", "portuguese")
_SPELLED_PLAIN = {
    "ø": "o",
    "Ø": "O",
    "ß": "ss",
    "æ": "ae",
    "Æ": "Ae",
    "đ": "d",
    "ł": "l",
    "þ": "th",
}


@dataclass(frozen=True)
class TravellerOptions:
    """How an export draws on the network's traveller pool."""

    share: float
    """The probability that a patient of this export is a pool member (0 = no travellers)."""
    network_seed: int
    """The pool's seed: the same for every export of one network."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise InputError("the traveller share must be between 0 and 1")


@dataclass(frozen=True)
class Traveller:
    """A pool member's identity as one country's export writes it."""

    pool_index: int
    family_name: str
    given_name: str | None
    birth: date
    sex: str


def _unit(*parts: object) -> float:
    """A number in [0, 1) derived from the parts alone (stable across runs and platforms)."""
    return derive_seed("traveller", *parts) / 2**64


def pool_member(network_seed: int, index: int) -> Traveller:
    """Return pool member ``index`` as the pool spells it."""
    rng = random.Random(_unit(network_seed, "member", index))
    sex = rng.choices(("female", "male", "other", "unknown"), cum_weights=(65, 98.5, 99.3, 100))[0]
    age = min(75, max(18, round(rng.gauss(45.0, 13.0))))
    birth = FIRST_START_DAY - timedelta(days=int(age * 365.25) + rng.randrange(1, 365))
    family, given = person_name(rng, rng.choice(_STYLES), sex)
    return Traveller(index, family, given, birth, sex)


def treated_in(network_seed: int, index: int, country: str) -> bool:
    """Return whether pool member ``index`` is treated in ``country``."""
    return _unit(network_seed, "country", index, country) < POOL_INCLUSION


def spelling_variant(rng: random.Random, name: str) -> str:
    """Return ``name`` written another way that linkage normalisation maps to the same text."""
    choice = rng.randrange(4)
    if choice == 0:
        return name.upper()
    if choice == 1:
        decomposed = unicodedata.normalize("NFD", "".join(_SPELLED_PLAIN.get(c, c) for c in name))
        return "".join(c for c in decomposed if not unicodedata.combining(c))
    if choice == 2:
        return name.replace("-", " ") if "-" in name else name.replace(" ", "-")
    return name.lower()


def travellers_of(country: str, network_seed: int) -> Iterator[Traveller]:
    """Yield the pool members treated in ``country``, in pool order, spelled as its export does."""
    index = 0
    while True:
        if treated_in(network_seed, index, country):
            member = pool_member(network_seed, index)
            rng = random.Random(_unit(network_seed, "spelling", index, country))
            if rng.random() < VARIANT_SHARE:
                given = member.given_name
                member = Traveller(
                    member.pool_index,
                    spelling_variant(rng, member.family_name),
                    spelling_variant(rng, given) if given is not None else None,
                    member.birth,
                    member.sex,
                )
            yield member
        index += 1


class TravellerSlots:
    """Decides, patient by patient, which patients of one export are travellers and who they are."""

    def __init__(self, country: str, seed: int, options: TravellerOptions) -> None:
        self._country = country
        self._seed = seed
        self._share = options.share
        self._members = travellers_of(country, options.network_seed)

    def traveller_at(self, patient_index: int) -> Traveller | None:
        """Return the traveller who is patient ``patient_index``, or None for a local patient.

        Call it for every patient index in increasing order (the k-th traveller slot takes the
        k-th member treated in this country).
        """
        if self._share <= 0.0:
            return None
        if _unit(self._country, self._seed, "slot", patient_index) >= self._share:
            return None
        return next(self._members)
