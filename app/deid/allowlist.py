"""The de-identification allow-list: per record kind, what happens to each field; the rest is dropped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from app.deid.pseudonyms import Pseudonymiser


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
class _KindPlan:
    keep: tuple[str, ...]
    pseudonymise: tuple[tuple[str, str], ...]
    year: tuple[str, ...]
    derive: tuple[tuple[str, str, tuple[str, ...]], ...]


def _plan(rules: Sequence[DeidRule]) -> _KindPlan:
    by_action: dict[str, list[DeidRule]] = {
        "keep": [],
        "pseudonymise": [],
        "year": [],
        "derive": [],
    }
    for rule in rules:
        if rule.deid not in by_action:
            raise ValueError(f"unknown de-identification action {rule.deid}")
        by_action[rule.deid].append(rule)
    return _KindPlan(
        keep=tuple(rule.name for rule in by_action["keep"]),
        pseudonymise=tuple((rule.name, str(rule.domain)) for rule in by_action["pseudonymise"]),
        year=tuple(rule.name for rule in by_action["year"]),
        derive=tuple((r.name, str(r.domain), r.derive_from) for r in by_action["derive"]),
    )


class Deidentifier:
    """Apply the allow-list to mapped rows: keep, pseudonymise, reduce to year, derive, or drop."""

    def __init__(
        self, pseudonymiser: Pseudonymiser, rules: Mapping[str, Sequence[DeidRule]]
    ) -> None:
        self._pseudonymiser = pseudonymiser
        self._plans = {kind: _plan(fields) for kind, fields in rules.items()}

    def apply(self, kind: str, mapped: Mapping[str, Any]) -> dict[str, Any]:
        """Return the de-identified record of ``kind``; fields not on the allow-list are dropped.

        Raises ``KeyError`` for a kind the allow-list does not know (default deny).
        """
        plan = self._plans[kind]
        get = mapped.get
        # Built from the allow-list, never from ``mapped``: whatever else it holds is left behind.
        out = {name: get(name) for name in plan.keep}
        pseudonymiser = self._pseudonymiser
        for name, domain in plan.pseudonymise:
            value = get(name)
            if value is None:
                out[name] = None
            elif domain == "patient":
                out[name] = pseudonymiser.patient(value)
            else:
                out[name] = pseudonymiser.pseudonym(domain, value)
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
