"""The de-identification allow-list: per record kind, what happens to each field; the rest is dropped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


class Deidentifier:
    """Apply the allow-list to mapped rows: keep, pseudonymise, reduce to year, derive, or drop."""

    def __init__(
        self, pseudonymiser: Pseudonymiser, rules: Mapping[str, Sequence[DeidRule]]
    ) -> None:
        self._pseudonymiser = pseudonymiser
        self._plans: dict[str, tuple[tuple[str, str, str | None, tuple[str, ...]], ...]] = {}
        for kind, fields in rules.items():
            ordered = sorted(fields, key=lambda rule: rule.deid == "derive")  # derived ones last
            self._plans[kind] = tuple((r.name, r.deid, r.domain, r.derive_from) for r in ordered)

    def apply(self, kind: str, mapped: Mapping[str, Any]) -> dict[str, Any]:
        """Return the de-identified record of ``kind``; fields not on the allow-list are dropped.

        Raises ``KeyError`` for a kind the allow-list does not know (default deny).
        """
        pseudonymiser = self._pseudonymiser
        out: dict[str, Any] = {}
        for name, action, domain, derive_from in self._plans[kind]:
            if action == "derive":
                parts = [out.get(source) for source in derive_from]
                out[name] = (
                    None
                    if any(part is None for part in parts)
                    else pseudonymiser.pseudonym(str(domain), "|".join(map(str, parts)))
                )
                continue
            value = mapped.get(name)
            if value is None or action == "keep":
                out[name] = value
            elif action == "pseudonymise":
                if domain == "patient":
                    out[name] = pseudonymiser.cached(domain, str(value))
                else:
                    out[name] = pseudonymiser.pseudonym(str(domain), str(value))
            elif action == "year":
                out[name] = value.year if isinstance(value, date) else value
            else:
                raise KeyError(f"unknown de-identification action {action}")
        return out
