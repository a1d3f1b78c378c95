"""Mapping rows of one bound file: row filters, joined rows, per-field extraction, issues."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from app.errors import Issue
from app.mapping.fields import CompiledField
from app.mapping.getters import Getter, Joined, JoinedRow
from app.mapping.values import ValueProblem

Filter = Callable[[Any, Joined], bool]
_NO_JOIN: Joined = {}


class JoinIndex:
    """Rows of a joined source indexed by their key (first row wins), to attach to main rows.

    The joined source is held in memory, so joins are meant for per-patient tables (a diagnosis
    file beside a patient file), not for the large record files.
    """

    def __init__(self, alias: str, key_label: str, target_kind: str) -> None:
        self.alias = alias
        self.key_label = key_label
        self.target_kind = target_kind
        self.header: Sequence[str] | None = None
        self._rows: dict[str, JoinedRow] = {}
        self._used: set[str] = set()
        self._newly_used: list[str] = []

    def add(self, key: Getter, values: Any, file: str, line: int) -> Issue | None:
        """Index one joined row under its key; return an issue when it has no key."""
        try:
            value = key(values, _NO_JOIN)
        except ValueProblem as problem:
            return Issue(problem.rule, file, line, self.key_label)
        if value is None:
            return Issue("join key missing", file, line, self.key_label)
        self._rows.setdefault(str(value), (values, file, line))
        return None

    def find(self, value: Any) -> JoinedRow | None:
        """Return the joined row whose key is ``value``, if any, and remember it was used."""
        if value is None:
            return None
        key = str(value)
        row = self._rows.get(key)
        if row is not None and key not in self._used:
            self._used.add(key)
            self._newly_used.append(key)
        return row

    def take_newly_used(self) -> list[str]:
        """Return the keys first used since the last call (a worker process reports them back)."""
        keys, self._newly_used = self._newly_used, []
        return keys

    def mark_used(self, keys: list[str]) -> None:
        """Remember joined rows a worker process used (see ``take_newly_used``)."""
        self._used.update(keys)

    def unused(self) -> list[Issue]:
        """Return an issue for every joined row that no main row referred to."""
        return [
            Issue(f"refers to no {self.target_kind} in the export", file, line, self.key_label)
            for key, (_values, file, line) in self._rows.items()
            if key not in self._used
        ]


class RowMapper:
    """Maps the rows of one file to registry field values (identifiers still in clear)."""

    def __init__(
        self,
        *,
        file: str,
        fields: Sequence[CompiledField],
        filters: Sequence[Filter] = (),
        resource: str | None = None,
        joins: Sequence[tuple[JoinIndex, Getter]] = (),
    ) -> None:
        self.file = file
        self.fields = tuple(fields)
        self.filters = tuple(filters)
        self.resource = resource
        self.joins = tuple(joins)
        self.labels = {field.name: field.label for field in self.fields}

    def map(self, values: Any, line: int) -> tuple[dict[str, Any] | None, list[Issue] | None]:
        """Return ``(fields, issues)``; ``(None, None)`` when a row filter leaves the row out."""
        file = self.file
        if self.resource is not None and values.get("resourceType") != self.resource:
            rule = f"resourceType is not {self.resource}"
            return None, [Issue(rule, file, line, "resourceType")]
        joined = _NO_JOIN
        try:
            if self.joins:
                joined = {index.alias: index.find(on(values, _NO_JOIN)) for index, on in self.joins}
            for keep in self.filters:
                if not keep(values, joined):
                    return None, None
        except ValueProblem as problem:
            return None, [Issue(problem.rule, file, line, problem.label)]
        mapped: dict[str, Any] = {}
        issues: list[Issue] | None = None
        for field in self.fields:
            try:
                mapped[field.name] = field.extract(values, joined)
            except ValueProblem as problem:
                where = joined.get(field.alias) if field.alias is not None else None
                issue = Issue(
                    problem.rule,
                    file if where is None else where[1],
                    line if where is None else where[2],
                    problem.label or field.label,
                )
                if issues is None:
                    issues = []
                issues.append(issue)
        return mapped, issues


def compile_filter(condition: dict[str, Any], getter: Getter) -> Filter:
    """Return the row predicate of one ``where`` condition."""
    if "present" in condition:
        wanted = bool(condition["present"])
        return lambda values, joined: (getter(values, joined) is not None) == wanted
    if "equals" in condition:
        allowed = frozenset({str(condition["equals"])})
        negate = False
    else:
        negate = "not_in" in condition
        allowed = frozenset(str(item) for item in condition["not_in" if negate else "in"])

    def keep(values: Any, joined: Joined) -> bool:
        value = getter(values, joined)
        inside = value is not None and str(value) in allowed
        return inside != negate

    return keep
