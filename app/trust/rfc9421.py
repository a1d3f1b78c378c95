"""RFC 9421 plumbing over the ``http-message-signatures`` package: messages, fields, bases.

The package resolves covered components (``;req``, ``;key``, structured-field serialisation) and
builds the signature base; this module adapts plain values to its message interface, parses the
``Signature-Input`` and ``Signature`` fields, and signs and verifies one member. The package's own
wall-clock checks are switched off: time, replay, audience and key policy belong to the KetaNet
profile (``signatures.py``, ``responses.py``), which takes an injectable clock.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import http_sf
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    MappingKeyResolver,
    algorithms,
)

from app.errors import SignatureError

ParamValue = str | int | bool


@dataclass
class RequestMessage:
    """A request as the package reads it: upper-case method, encoded absolute URL, headers."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ResponseMessage:
    """A response and the request it answers (for ``;req`` components)."""

    status_code: int
    headers: dict[str, str]
    request: RequestMessage


def combine_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return headers with lower-case names, repeated fields joined by ``", "`` (RFC 9110 §5.3)."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    combined: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        combined[key] = f"{combined[key]}, {value}" if key in combined else value
    return combined


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
        return self.name, frozenset(self.params)

    def __str__(self) -> str:
        item: Any = (self.name, dict(self.params))
        return http_sf.ser(item)


@dataclass(frozen=True)
class SignatureMember:
    """One labelled signature: its covered components, its parameters and its bytes."""

    label: str
    components: tuple[Component, ...]
    params: Mapping[str, ParamValue]
    signature: bytes

    def covers(self, component: Component) -> bool:
        """Return whether ``component`` is among the covered components."""
        return component.identity() in {covered.identity() for covered in self.components}

    def text_param(self, name: str) -> str | None:
        """Return the String parameter ``name``, or ``None`` when absent or not a String."""
        value = self.params.get(name)
        return value if type(value) is str else None

    def int_param(self, name: str) -> int | None:
        """Return the Integer parameter ``name``, or ``None`` when absent or not an Integer."""
        value = self.params.get(name)
        return value if type(value) is int else None


def parse_signatures(headers: Mapping[str, str]) -> dict[str, SignatureMember]:
    """Return the signatures of a message by label; raises ``SignatureError`` when absent or malformed."""
    fields = combine_headers(headers)
    if "signature-input" not in fields or "signature" not in fields:
        raise SignatureError("missing signature (Signature-Input and Signature fields)")
    inputs, signatures = _dictionary(fields["signature-input"]), _dictionary(fields["signature"])
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
            components.append(Component(name, tuple(component_params.items())))
        if not all(_plain(v) for v in params.values()):
            raise SignatureError("malformed signature parameter")
        members[label] = SignatureMember(label, tuple(components), dict(params), value)
    return members


def _plain(value: Any) -> bool:
    return type(value) in (str, int, bool)


def _dictionary(value: str) -> dict[str, Any]:
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


@dataclass(frozen=True)
class SignedFields:
    """The result of signing: the new fields' members and the base that was signed."""

    label: str
    signature_input: str
    signature: str
    signature_base: bytes


def signature_base(
    message: RequestMessage | ResponseMessage,
    *,
    components: Sequence[Component],
    key_id: str,
    created: int,
    expires: int | None = None,
    nonce: str | None = None,
    tag: str | None = None,
    include_alg: bool = True,
    label: str = "sig",
) -> tuple[bytes, str]:
    """Return the signature base and the ``@signature-params`` value; raises ``ValueError``.

    Parameters come in the package's order: ``created``, ``keyid``, ``alg``, ``expires``,
    ``nonce``, ``tag`` (which is also RFC 9421 B.2.6's order for the first two).
    """
    signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519)
    try:
        prepared = signer.prepare(
            message,
            key_id=key_id,
            created=dt.datetime.fromtimestamp(created, tz=dt.UTC),
            expires=dt.datetime.fromtimestamp(expires, tz=dt.UTC) if expires is not None else None,
            nonce=nonce,
            label=label,
            tag=tag,
            include_alg=include_alg,
            covered_component_ids=[str(component) for component in components],
            use_existing_digest=True,
        )
    except HTTPMessageSignaturesException as exc:
        raise ValueError(f"cannot build the signature base: {exc}") from None
    return prepared.signature_base, prepared.signature_params


def create_signature(
    message: RequestMessage | ResponseMessage,
    *,
    private_key: Ed25519PrivateKey,
    label: str,
    components: Sequence[Component],
    key_id: str,
    created: int,
    expires: int | None = None,
    nonce: str | None = None,
    tag: str | None = None,
    include_alg: bool = True,
) -> SignedFields:
    """Return the ``Signature-Input`` and ``Signature`` fields for ``message``; raises ``ValueError``."""
    base, params = signature_base(
        message,
        components=components,
        key_id=key_id,
        created=created,
        expires=expires,
        nonce=nonce,
        tag=tag,
        include_alg=include_alg,
        label=label,
    )
    signature = base64.b64encode(private_key.sign(base)).decode("ascii")
    return SignedFields(label, f"{label}={params}", f"{label}=:{signature}:", base)


class _ProfileVerifier(HTTPMessageVerifier):
    """The package's verifier without its wall-clock checks (the profile checks time itself)."""

    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        return None


def verify_signature(
    message: RequestMessage | ResponseMessage,
    member: SignatureMember,
    public_key: Ed25519PublicKey,
) -> None:
    """Check ``member``'s Ed25519 signature over ``message``; raises ``SignatureError``."""
    tag, key_id = member.text_param("tag"), member.text_param("keyid")
    if tag is None or key_id is None:
        raise SignatureError("signature needs tag and keyid parameters")
    verifier = _ProfileVerifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={key_id: public_key}, private_keys={}),
    )
    try:
        verifier.verify(message, max_age=None, expect_tag=tag, expect_label=member.label)
    except (HTTPMessageSignaturesException, ValueError, TypeError, KeyError):
        # The package's message may quote covered values; the rule alone goes to the peer.
        raise SignatureError("signature does not verify") from None
