"""The signature fields of RFC 9421: component identifiers, ``Signature-Input`` and ``Signature``.

Parsing uses the ``http-sf`` structured-field parser, with fast paths for the common
``label=:base64:`` form of ``Signature`` and for ``Signature-Input`` already in canonical form
(``sf_canonical``); serialization of the few types the profile writes
(String, Integer, Boolean parameters) is done here.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import http_sf

from app.errors import SignatureError
from app.trust.sf_canonical import parse_dictionary

ParamValue = str | int | bool
KEY = re.compile(r"[a-z*][a-z0-9_.*-]*")
_SF_STRING = re.compile(r"[\x20-\x7e]*")


def combine_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return headers with lower-case names, values trimmed, repeats joined by ``", "`` (RFC 9421 §2.1)."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    combined: dict[str, str] = {}
    for name, value in pairs:
        key, text = name.lower(), value.strip(" \t")
        combined[key] = f"{combined[key]}, {text}" if key in combined else text
    return combined


def serialize_string(value: str) -> str:
    """Return ``value`` as a structured-field String; raises ``ValueError`` if not printable ASCII."""
    if not _SF_STRING.fullmatch(value):
        raise ValueError("structured-field strings are printable ASCII")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def serialize_params(params: Iterable[tuple[str, ParamValue]]) -> str:
    """Return structured-field parameters (``;name=value``, a true Boolean as ``;name``)."""
    parts = []
    for name, value in params:
        if not KEY.fullmatch(name):
            raise ValueError("structured-field keys are lower-case")
        if value is True:
            parts.append(f";{name}")
        elif value is False:
            parts.append(f";{name}=?0")
        elif isinstance(value, int):
            parts.append(f";{name}={value}")
        else:
            parts.append(f";{name}={serialize_string(value)}")
    return "".join(parts)


@dataclass(frozen=True)
class Component:
    """A covered component identifier: a name and its parameters (e.g. ``req``, ``key``)."""

    name: str
    params: tuple[tuple[str, ParamValue], ...] = ()

    @classmethod
    def of(cls, name: str, **params: ParamValue) -> Component:
        """Return the component ``name`` with ``params`` (order kept, as in the signature)."""
        return cls(name, tuple(params.items()))

    def identity(self) -> tuple[str, frozenset[tuple[str, ParamValue]]]:
        """Return what makes two identifiers equal (RFC 9421 §2: parameter order is not)."""
        return self._identity

    @cached_property
    def _identity(self) -> tuple[str, frozenset[tuple[str, ParamValue]]]:
        return self.name, frozenset(self.params)

    @cached_property
    def _text(self) -> str:
        return serialize_string(self.name) + serialize_params(self.params)

    def __str__(self) -> str:
        return self._text


@dataclass(frozen=True)
class SignatureMember:
    """One labelled signature: its covered components, its parameters and its bytes."""

    label: str
    components: tuple[Component, ...]
    params: Mapping[str, ParamValue]
    signature: bytes

    @cached_property
    def _covered(self) -> frozenset[tuple[str, frozenset[tuple[str, ParamValue]]]]:
        return frozenset(covered.identity() for covered in self.components)

    def covers(self, component: Component) -> bool:
        """Return whether ``component`` is among the covered components."""
        return component.identity() in self._covered

    def text_param(self, name: str) -> str | None:
        """Return the String parameter ``name``, or ``None`` when absent or not a String."""
        value = self.params.get(name)
        return value if type(value) is str else None

    def int_param(self, name: str) -> int | None:
        """Return the Integer parameter ``name``, or ``None`` when absent or not an Integer."""
        value = self.params.get(name)
        return value if type(value) is int else None


def parse_signatures(headers: Mapping[str, str]) -> dict[str, SignatureMember]:
    """Return a message's signatures by label; raises ``SignatureError`` when absent or malformed."""
    return parse_signature_fields(combine_headers(headers))


def parse_signature_fields(fields: Mapping[str, str]) -> dict[str, SignatureMember]:
    """Return ``parse_signatures`` of fields already passed through ``combine_headers``."""
    if "signature-input" not in fields or "signature" not in fields:
        raise SignatureError("missing signature (Signature-Input and Signature fields)")
    inputs, signatures = _dictionary(fields["signature-input"]), _signatures(fields["signature"])
    if inputs.keys() != signatures.keys() or not inputs:
        raise SignatureError("Signature-Input and Signature fields have different labels")
    members: dict[str, SignatureMember] = {}
    for label, (inner, params) in inputs.items():
        value, _ = signatures[label]
        if not isinstance(inner, list) or not isinstance(value, bytes):
            raise SignatureError("malformed Signature-Input or Signature member")
        components: list[Component] = []
        for name, component_params in inner:
            if type(name) is not str or not all(_plain(v) for v in component_params.values()):
                raise SignatureError("malformed covered component identifier")
            components.append(_component(name, tuple(component_params.items())))
        if not all(_plain(v) for v in params.values()):
            raise SignatureError("malformed signature parameter")
        members[label] = SignatureMember(label, tuple(components), dict(params), value)
    return members


_COMPONENTS: dict[tuple[Any, ...], Component] = {}
_MAX_COMPONENTS = 256


def _component(name: str, params: tuple[tuple[str, ParamValue], ...]) -> Component:
    # The same few identifiers arrive in every signature: one shared instance each keeps its
    # serialized text (``str``) and identity computed once. Keyed with the values' types, as
    # ``;req`` (True) and ``;req=1`` are different identifiers that compare equal.
    key = (name, tuple((k, type(v), v) for k, v in params))
    component = _COMPONENTS.get(key)
    if component is None:
        component = Component(name, params)
        if len(_COMPONENTS) < _MAX_COMPONENTS:  # a peer cannot grow it without bound
            _COMPONENTS[key] = component
    return component


def _plain(value: Any) -> bool:
    return type(value) in (str, int, bool)


_SIGNATURE_MEMBER = re.compile(r"([a-z*][a-z0-9_.*-]*)=:([A-Za-z0-9+/]*={0,2}):")


def _signatures(value: str) -> dict[str, Any]:
    # Fast path for the usual ``label=:base64:, ...`` (byte sequences hold no comma); anything
    # else (parameters, odd spacing) goes through the full structured-field parser.
    members: dict[str, Any] = {}
    for text in value.split(","):
        match = _SIGNATURE_MEMBER.fullmatch(text.strip(" \t"))
        if match is None or match[1] in members:
            return _dictionary(value)
        try:
            members[match[1]] = (base64.b64decode(match[2], validate=True), {})
        except ValueError:
            return _dictionary(value)
    return members


def _dictionary(value: str) -> dict[str, Any]:
    canonical = parse_dictionary(value)
    if canonical is not None:
        return {
            key: ([(name, dict(params)) for name, params in member.items], dict(member.params))
            for key, member in canonical.items()
        }

    def refuse_duplicate(_name: str, _context: str) -> None:
        raise SignatureError("a signature label appears twice")

    try:
        parsed = http_sf.parse(
            value.encode("ascii"), tltype="dictionary", on_duplicate_key=refuse_duplicate
        )
    except (ValueError, UnicodeEncodeError):
        raise SignatureError("malformed Signature-Input or Signature field") from None
    if not isinstance(parsed, dict):
        raise SignatureError("malformed Signature-Input or Signature field")
    return parsed


def select_by_tag(members: Mapping[str, SignatureMember], tag: str) -> SignatureMember:
    """Return the one signature with ``tag``; raises ``SignatureError`` for none or several."""
    tagged = [member for member in members.values() if member.text_param("tag") == tag]
    if not tagged:
        raise SignatureError(f"no signature with tag {tag}")
    if len(tagged) > 1:
        raise SignatureError(f"more than one signature with tag {tag}")
    return tagged[0]
