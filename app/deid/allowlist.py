"""The de-identification allow-list: per record kind, what happens to each field; the rest is dropped.

Fields marked ``link`` (a patient's family and given name) never leave this stage: with a linkage
tokeniser they make, together with the full birth date (the value of the ``year`` field before it
is reduced to a year) and the sex, the patient's ``linkage_token`` (docs/overlap.md); without one
they are simply dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from app.deid.pseudonyms import Pseudonymiser
from app.linkage import LINKAGE_TOKEN_FIELD, LinkageTokeniser


class DeidRule(Protocol):
    """A field's de-identification rule (the registry profile's field definition satisfies it)."""

    @property
    def name(self) -> str: ...
    @property
    def deid(self) -> str: ...
    @property
    def domain(self) -> str | None: ...
    @property
    def derive_from(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class KindPlan:
    """What the allow-list does with the fields of one kind, by action (in profile order)."""

    keep: tuple[str, ...]
    pseudonymise: tuple[tuple[str, str], ...]
    year: tuple[str, ...]
    derive: tuple[tuple[str, str, tuple[str, ...]], ...]
    link: tuple[str, ...]


def _plan(rules: Sequence[DeidRule]) -> KindPlan:
    by_action: dict[str, list[DeidRule]] = {
        "keep": [],
        "pseudonymise": [],
        "year": [],
        "derive": [],
        "link": [],
    }
    for rule in rules:
        if rule.deid not in by_action:
            raise ValueError(f"unknown de-identification action {rule.deid}")
        by_action[rule.deid].append(rule)
    return KindPlan(
        keep=tuple(rule.name for rule in by_action["keep"]),
        pseudonymise=tuple((rule.name, str(rule.domain)) for rule in by_action["pseudonymise"]),
        year=tuple(rule.name for rule in by_action["year"]),
        derive=tuple((r.name, str(r.domain), r.derive_from) for r in by_action["derive"]),
        link=tuple(rule.name for rule in by_action["link"]),
    )


class Deidentifier:
    """Apply the allow-list to mapped rows: keep, pseudonymise, reduce to year, derive, or drop."""

    def __init__(
        self,
        pseudonymiser: Pseudonymiser,
        rules: Mapping[str, Sequence[DeidRule]],
        *,
        tokeniser: LinkageTokeniser | None = None,
    ) -> None:
        self._pseudonymiser = pseudonymiser
        self._plans = {kind: _plan(fields) for kind, fields in rules.items()}
        self._tokeniser = tokeniser

    @property
    def pseudonymiser(self) -> Pseudonymiser:
        """The pseudonymiser the allow-list uses."""
        return self._pseudonymiser

    @property
    def tokeniser(self) -> LinkageTokeniser | None:
        """The linkage tokeniser, if any (patients' names make a token, then are dropped)."""
        return self._tokeniser

    def plan(self, kind: str) -> KindPlan:
        """Return the plan of ``kind``; raises ``KeyError`` for a kind the allow-list does not know."""
        return self._plans[kind]

    def apply(self, kind: str, mapped: Mapping[str, Any]) -> dict[str, Any]:
        """Return the de-identified record of ``kind``; fields not on the allow-list are dropped.

        Raises ``KeyError`` for a kind the allow-list does not know (default deny).
        """
        plan = self._plans[kind]
        get = mapped.get
        # Built from the allow-list, never from ``mapped``: whatever else it holds is left behind.
        # (zip of one tuple with its own map: equal lengths; strict would cost 0.8 µs a row)
        out = dict(zip(plan.keep, map(get, plan.keep)))  # noqa: B905
        pseudonymiser = self._pseudonymiser
        for name, domain in plan.pseudonymise:
            value = get(name)
            if value is None:
                out[name] = None
            elif domain == "patient":
                out[name] = pseudonymiser.patient(value)
            else:
                out[name] = pseudonymiser.pseudonym(domain, value)
        if plan.link and self._tokeniser is not None:
            birth = next((get(name) for name in plan.year), None)
            out[LINKAGE_TOKEN_FIELD] = self._tokeniser.token(
                family=get("family_name"),
                given=get("given_name"),
                birth_date=birth if isinstance(birth, date) else None,
                sex=get("sex"),
            )
        for name in plan.year:
            value = get(name)
            out[name] = value.year if isinstance(value, date) else value
        for name, domain, sources in plan.derive:
            parts = [out.get(source) for source in sources]
            out[name] = (
                None
                if None in parts
                else pseudonymiser.pseudonym(domain, "|".join(map(str, parts)))
            )
        return out
