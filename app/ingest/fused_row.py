"""The fused row path: map, de-identify, validate and build the store row of one row in one call.

``fused_row_function`` writes, once per bound file, the source of one Python function specialised
to that file's mapping and record kind (columns as list indexes, converters, pseudonym domains,
value sets and ranges as local names) and compiles it with ``compile``. Only the code's shape
comes from the mapping and the profile (column indexes, which field gets which step); every value
(codes, sets, bounds, secrets' states) goes into the function's namespace, never into its source,
and no row value is ever evaluated.

The fused function covers the good row only: it returns ``(store row, patient pseudonym)`` exactly
as ``RowPath.outcome`` does, or ``None`` when anything is not plainly good (a value the mapping
cannot read, a broken rule, an erased patient, a row filter that leaves the row out). The caller
then runs the general path on that row, which finds and locates its issues as before: the fast
path never reports anything itself, so the error report cannot differ.
(tests/ingest/test_fused_row_path.py checks both paths give the same outcome, row by row.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from hashlib import blake2b
from typing import Any

import orjson

from app.deid import Deidentifier
from app.deid.record_keys import KEYED_KINDS, RecordKeyer
from app.linkage import LINKAGE_TOKEN_FIELD
from app.mapping import RowMapper
from app.mapping.values import parse_decimal
from app.profiles import RecordValidator
from app.profiles.dataset import OBSERVATION_UNITS
from app.profiles.prem import answer_rule
from app.profiles.validation import SECONDS_PER_DAY, check_source, observation_rule

FusedRow = Callable[[Any], tuple[dict[str, Any], str] | None]
_NO_JOIN: dict[str, Any] = {}


def fused_row_function(
    kind: str,
    mapper: RowMapper,
    deid: Deidentifier,
    validator: RecordValidator,
    record_keys: RecordKeyer | None,
    erased: frozenset[str],
    hex_of_bytes: Callable[[object], str],
) -> FusedRow | None:
    """Return the fused row function of ``mapper``'s file, or ``None`` where only the general
    path applies (joined sources; a required field the mapping or the allow-list leaves out;
    several instants in one kind)."""
    if mapper.joins:
        return None
    source = _Source(kind, mapper, deid, validator, record_keys, erased, hex_of_bytes)
    return source.function()


class _Source:
    """Builds the source text of one fused function and the namespace it runs in."""

    def __init__(
        self,
        kind: str,
        mapper: RowMapper,
        deid: Deidentifier,
        validator: RecordValidator,
        record_keys: RecordKeyer | None,
        erased: frozenset[str],
        hex_of_bytes: Callable[[object], str],
    ) -> None:
        self.kind = kind
        self.mapper = mapper
        self.deid = deid
        self.validator = validator
        self.record_keys = record_keys
        self.erased = erased
        self.names: dict[str, Any] = {
            "_blake2b": blake2b,
            "_dumps": orjson.dumps,
            "_hex_of_bytes": hex_of_bytes,
            "_date": date,
            "_NO_JOIN": _NO_JOIN,
        }
        self.lines: list[str] = []
        self.never_none: set[str] = set()
        """Variables that cannot be None (their None checks are left out)."""
        self._counter = 0

    def name(self, value: Any, stem: str = "c") -> str:
        """Put ``value`` into the namespace under a fresh name and return that name."""
        self._counter += 1
        key = f"_{stem}{self._counter}"
        self.names[key] = value
        return key

    def emit(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + line)

    def function(self) -> FusedRow | None:
        out = self._deidentify(self._map())
        if not self._validate(out) or not self._store_row(out):
            return None
        text = "\n".join(["def fused_row(values):", *self.lines])
        namespace = dict(self.names)
        # Generated from the mapping's shape and the profile only; values live in ``namespace``.
        exec(compile(text, f"<fused row path: {self.kind}>", "exec"), namespace)  # noqa: S102
        function: FusedRow = namespace["fused_row"]
        return function

    def _map(self) -> dict[str, str]:
        """Emit the mapping step; return the variable of each mapped field by name."""
        mapper = self.mapper
        variables: dict[str, str] = {}
        self.emit("try:")
        if mapper.resource is not None:
            resource = self.name(mapper.resource)
            self.emit(f"if values.get('resourceType') != {resource}:", 2)
            self.emit("return None", 3)
        for keep in mapper.filters:
            self.emit(f"if not {self.name(keep, 'filter')}(values, _NO_JOIN):", 2)
            self.emit("return None", 3)
        for number, field in enumerate(mapper.fields):
            variable = f"m{number}"
            variables[field.name] = variable
            plain = field.plain
            if plain is None:
                self.emit(
                    f"{variable} = {self.name(field.extract, 'extract')}(values, _NO_JOIN)", 2
                )
                continue
            self.emit(f"raw = values[{plain.index}].strip()", 2)
            self.emit("if raw:", 2)
            convert = plain.convert
            if plain.codes is not None:
                self.emit(f"raw = {self.name(plain.codes, 'codes')}.get(raw, raw)", 3)
            if convert is str and plain.codes is None:
                self.emit(f"{variable} = raw", 3)
            elif convert is parse_decimal and plain.codes is None:
                # parse_decimal's path for text, inline: a bad number falls back to the general path.
                self.emit(f"{variable} = float(raw)", 3)
                self.emit(f"if {variable} - {variable} != 0.0 or '_' in raw:", 3)
                self.emit("return None", 4)
            else:
                self.emit(f"{variable} = {self.name(convert, 'convert')}(raw)", 3)
            self.emit("else:", 2)
            if plain.default is not None:
                self.emit(
                    f"{variable} = {self.name(field.extract, 'extract')}(values, _NO_JOIN)", 3
                )
            elif plain.required:
                self.emit("return None", 3)
                self.never_none.add(variable)  # converters return a value or raise
            else:
                self.emit(f"{variable} = None", 3)
        self.emit("except Exception:")
        self.emit("return None  # the general path says what is wrong, and where", 2)
        return variables

    def _deidentify(self, mapped: dict[str, str]) -> dict[str, str]:
        """Emit the allow-list step; return the variable of each field it keeps, in its order."""
        plan = self.deid.plan(self.kind)
        pseudonymiser = self.deid.pseudonymiser
        out: dict[str, str] = {}

        def source(name: str) -> str:
            return mapped.get(name, "None")

        for name in plan.keep:
            out[name] = source(name)
        for number, (name, domain) in enumerate(plan.pseudonymise):
            variable = f"p{number}"
            value = source(name)
            depth = 1
            if value not in self.never_none:
                self.emit(f"if {value} is None:")
                self.emit(f"{variable} = None", 2)
                self.emit("else:")
                depth = 2
            if domain == "patient":
                # The cache first (every record of a patient repeats its id), as ``patient`` does.
                seen = self.name(pseudonymiser.patient_lookup(), "seen")
                self.emit(f"{variable} = {seen}({value})", depth)
                self.emit(f"if {variable} is None:", depth)
                patient = self.name(pseudonymiser.patient, "patient")
                self.emit(f"{variable} = {patient}({value})", depth + 1)
            else:
                hashed = f"{self.name(pseudonymiser.hasher(domain), 'pseudonym')}({value})"
                self.emit(f"{variable} = {hashed}", depth)
            if value in self.never_none:
                self.never_none.add(variable)
            out[name] = variable
        tokeniser = self.deid.tokeniser
        if plan.link and tokeniser is not None:
            birth = source(plan.year[0]) if plan.year else "None"
            self.emit(
                f"token = {self.name(tokeniser.token, 'token')}(family={source('family_name')}, "
                f"given={source('given_name')}, birth_date={birth} if isinstance({birth}, _date) "
                f"else None, sex={source('sex')})"
            )
            out[LINKAGE_TOKEN_FIELD] = "token"
        for number, name in enumerate(plan.year):
            variable = f"y{number}"
            value = source(name)
            self.emit(f"{variable} = {value}.year if isinstance({value}, _date) else {value}")
            if value in self.never_none:
                self.never_none.add(variable)
            out[name] = variable
        for number, (name, domain, sources) in enumerate(plan.derive):
            variable = f"e{number}"
            parts = [out.get(part, "None") for part in sources]
            hashed = self.name(pseudonymiser.hasher(domain), "pseudonym")
            joined = "'|'.join((" + "".join(f"str({part}), " for part in parts) + "))"
            missing = " or ".join(f"{part} is None" for part in parts) or "False"
            self.emit(f"{variable} = None if {missing} else {hashed}({joined})")
            if all(part in self.never_none for part in parts):
                self.never_none.add(variable)
            out[name] = variable
        return out

    def _validate(self, out: dict[str, str]) -> bool:
        """Emit the profile's checks (any broken rule: the general path); False if none can pass."""
        definitions = self.validator.fields[self.kind]
        for definition in definitions:
            value = out.get(definition.name)
            if value is None or value == "None":  # not in the record, or never mapped
                if definition.required:
                    return False
                continue
            check = check_source(definition, value, self.names)
            if definition.required:
                if value not in self.never_none:
                    self.emit(f"if {value} is None:")
                    self.emit("return None", 2)
                if check is not None:
                    self.emit(f"if not ({check}):")
                    self.emit("return None", 2)
            elif check is not None:
                self.emit(f"if {value} is not None and not ({check}):")
                self.emit("return None", 2)
        fields = {definition.name: out.get(definition.name, "None") for definition in definitions}
        if self.kind == "observation":
            rule = self.name(observation_rule, "rule")
            self.emit(
                f"if {rule}({fields['code']}, {fields['value']}, {fields['unit']}) is not None:"
            )
            self.emit("return None", 2)
        elif self.kind == "experience":
            rule = self.name(answer_rule, "rule")
            self.emit(f"if {rule}({fields['item']}, {fields['answer']}) is not None:")
            self.emit("return None", 2)
        return True

    def _store_row(self, out: dict[str, str]) -> bool:
        """Emit the store row (as ``to_store_row`` shapes it), its hash and record keys; False if
        this kind's rows cannot be made here (no reference, several instants)."""
        kind = self.kind
        reference = out.get("id" if kind == "patient" else "patient_id")
        if reference is None:
            return False
        if self.erased:
            erased = self.name(self.erased, "erased")
            self.emit(f"if {reference} in {erased}:")
            self.emit("return None", 2)
        columns = dict(out)
        if kind != "patient":
            instants = [
                d.name for d in self.validator.fields[kind] if d.type == "instant" and d.name in out
            ]
            if len(instants) != 1:
                return False
            at_s = columns.pop(instants[0])
            columns["at_s"] = at_s
            self.emit(f"day = {at_s} // {SECONDS_PER_DAY}")
            columns["day"] = "day"
        if kind == "adverse_event":
            self.emit(f"serious = {columns['serious']} == 'yes'")
            columns["serious"] = "serious"
        elif kind == "observation":
            self.emit(f"unit = {self.name(OBSERVATION_UNITS, 'units')}[{columns['code']}]")
            columns["unit"] = "unit"
        for name in columns:
            if not name.isidentifier():  # pragma: no cover - the profile's own field names
                return False
        self.emit("row = {" + ", ".join(f"{name!r}: {v}" for name, v in columns.items()) + "}")
        values = "(" + "".join(f"{v}, " for v in columns.values()) + ")"
        self.emit(
            "row['row_hash'] = _blake2b(_dumps("
            + values
            + ", default=_hex_of_bytes), digest_size=16).hexdigest()"
        )
        if self.record_keys is not None and kind in KEYED_KINDS:
            keys = self.name(self.record_keys.keys_of(kind), "keys")
            self.emit(f"row['record_key'], row['member_hash'] = {keys}({columns['id']})")
        self.emit(f"return row, {reference}")
        return True
