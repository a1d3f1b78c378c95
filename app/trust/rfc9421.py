"""RFC 9421 HTTP Message Signatures: messages, component values and the signature base.

The signature base is built here rather than by the ``http-message-signatures`` package: its
general machinery (structured-field objects for every component, re-parsing each time) cost
three to five times the Ed25519 operation itself (``bench/bench_signatures.py``), too much for
the hub's per-node budget. This builder covers what the KetaNet profile and common peers use
(the request derived components, ``@status``, header fields, ``;req`` and a dictionary member by
``;key``) and refuses anything else. It reproduces RFC 9421 B.2.6 and §2.4 byte for byte, and a
differential test holds it equal to the package on generated messages; the package stays the
independent signer and verifier of the interoperability tests.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import http_sf
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_sf.innerlist import ser_item_or_inner_list

from app.errors import SignatureError
from app.trust.sf_canonical import parse_dictionary
from app.trust.signature_fields import (
    KEY,
    Component,
    ParamValue,
    SignatureMember,
    combine_headers,
    serialize_params,
)

# RFC 3986 characters only: no space, quote, angle bracket, backslash, caret, backtick or brace.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[!#-;=?-\[\]_a-z~A-Z0-9%-]+")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


class ComponentError(ValueError):
    """A covered component cannot be resolved (missing, unsupported or malformed)."""


@dataclass
class RequestMessage:
    """A request as signed: method, absolute encoded URL and headers (lower-case names)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.headers = combine_headers(self.headers)


@dataclass
class ResponseMessage:
    """A response and the request it answers (for ``;req`` components)."""

    status_code: int
    headers: dict[str, str]
    request: RequestMessage

    def __post_init__(self) -> None:
        self.headers = combine_headers(self.headers)


@dataclass(frozen=True)
class _Target:
    """The parts of a target URI the derived components are made of."""

    scheme: str
    """As sent (``@target-uri`` keeps it; ``@scheme`` lower-cases it)."""
    authority: str
    path: str
    query: str | None
    """Without its ``?``; None when the URI has no ``?``."""
    host_and_port: str
    """``@authority``: the host, with the port unless it is the scheme's default."""


@lru_cache(maxsize=1024)
def _target(url: str) -> _Target:
    """Return the parts of ``url`` (fragment removed); raises ``ComponentError``.

    Cached: a hub signs and verifies the same few node URLs over and over, and each signature
    base asks for several of their parts. Errors are raised again on every call (not cached).
    """
    url = url.split("#", 1)[0]
    if not _URL.fullmatch(url):
        raise ComponentError("the target URI is not an encoded absolute URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ComponentError("the target URI has an invalid authority") from None
    host = parts.hostname or ""
    default = port is None or str(port) == _DEFAULT_PORTS.get(parts.scheme)
    host = f"[{host}]" if ":" in host else host
    return _Target(
        scheme=url.partition(":")[0],
        authority=parts.netloc.rpartition("@")[2],
        path=parts.path,
        query=parts.query if "?" in url else None,
        host_and_port=host if default else f"{host}:{port}",
    )


def _derived(message: RequestMessage | ResponseMessage, name: str) -> str:
    if isinstance(message, ResponseMessage):
        if name != "@status":
            raise ComponentError(f"{name} of a response needs ;req")
        return str(message.status_code)
    if name == "@method":
        return message.method
    if name == "@status":
        raise ComponentError("@status belongs to responses")
    target = _target(message.url)
    query = "" if target.query is None else "?" + target.query
    if name == "@target-uri":
        # The scheme as sent: urlsplit lower-cases it, the signer may not have.
        path = target.path or ("" if message.method == "OPTIONS" else "/")
        return f"{target.scheme}://{target.authority}{path}{query}"
    if name == "@authority":
        return target.host_and_port
    if name == "@scheme":
        return target.scheme.lower()
    if name == "@path":
        return target.path or "/"
    if name == "@query":
        return "?" + (target.query or "")
    if name == "@request-target":
        return f"{target.path or '/'}{query}"
    raise ComponentError(f"unsupported derived component {name}")


def component_value(message: RequestMessage | ResponseMessage, component: Component) -> str:
    """Return the value of ``component`` in ``message``; raises ``ComponentError``."""
    if not component.params:  # the usual case: a derived component or a whole field
        if component.name.startswith("@"):
            return _derived(message, component.name)
        if component.name not in message.headers:
            raise ComponentError(f'covered field "{component.name}" is missing')
        return message.headers[component.name]
    params = dict(component.params)
    if params.pop("req", False) is True:
        if not isinstance(message, ResponseMessage):
            raise ComponentError(";req is only for responses")
        return component_value(message.request, Component(component.name, tuple(params.items())))
    if component.name.startswith("@"):
        if params:
            raise ComponentError(f"unsupported parameters on {component.name}")
        return _derived(message, component.name)
    if component.name not in message.headers:
        raise ComponentError(f'covered field "{component.name}" is missing')
    value = message.headers[component.name]
    if not params:
        return value
    if set(params) != {"key"} or type(params["key"]) is not str:
        raise ComponentError(f'unsupported parameters on "{component.name}"')
    canonical = parse_dictionary(value)
    if canonical is not None:
        # Canonical text: the member as written is its re-serialization (``sf_canonical``).
        if params["key"] not in canonical:
            raise ComponentError(f'"{component.name}" is not a dictionary with that member')
        return canonical[params["key"]].text
    try:
        parsed = http_sf.parse(value.encode("ascii"), tltype="dictionary")
        member = parsed[params["key"]] if isinstance(parsed, dict) else None
        if member is None:
            raise ComponentError(f'"{component.name}" has no member {params["key"]}')
        # RFC 9421 §2.1.2: the member's value, re-serialized (its parameters included).
        return ser_item_or_inner_list(member)
    except (ValueError, UnicodeEncodeError, KeyError):
        raise ComponentError(f'"{component.name}" is not a dictionary with that member') from None


def signature_base(
    message: RequestMessage | ResponseMessage,
    components: Sequence[Component],
    params: Mapping[str, ParamValue],
) -> tuple[bytes, str]:
    """Return the signature base and the ``@signature-params`` value; raises ``ComponentError``."""
    lines, seen, names = [], set(), []
    for component in components:
        identity = component.identity()
        if identity in seen:
            raise ComponentError(f"{component} is covered twice")
        seen.add(identity)
        value = component_value(message, component)
        if "\n" in value or "\r" in value:
            raise ComponentError(f"{component} holds a line break")
        name = str(component)
        names.append(name)
        lines.append(f"{name}: {value}")
    try:
        signature_params = "(" + " ".join(names) + ")" + serialize_params(params.items())
        lines.append(f'"@signature-params": {signature_params}')
        return "\n".join(lines).encode("ascii"), signature_params
    except (ValueError, UnicodeEncodeError):
        raise ComponentError("the signature base is not printable ASCII") from None


@dataclass(frozen=True)
class SignedFields:
    """The result of signing: the new fields' members and the base that was signed."""

    label: str
    signature_input: str
    signature: str
    signature_base: bytes


def create_signature(
    message: RequestMessage | ResponseMessage,
    *,
    private_key: Ed25519PrivateKey,
    label: str,
    components: Sequence[Component],
    params: Mapping[str, ParamValue],
) -> SignedFields:
    """Return ``label``'s ``Signature-Input`` and ``Signature`` members; raises ``ValueError``."""
    if not KEY.fullmatch(label):
        raise ValueError("a signature label is a lower-case structured-field key")
    base, signature_params = signature_base(message, components, params)
    signature = base64.b64encode(private_key.sign(base)).decode("ascii")
    return SignedFields(label, f"{label}={signature_params}", f"{label}=:{signature}:", base)


def verify_signature(
    message: RequestMessage | ResponseMessage,
    member: SignatureMember,
    public_key: Ed25519PublicKey,
) -> None:
    """Check ``member``'s Ed25519 signature over ``message``; raises ``SignatureError``."""
    try:
        base, _ = signature_base(message, member.components, member.params)
    except ComponentError as error:
        # Component names come from the peer: bounded, and printable ASCII by construction.
        raise SignatureError(f"signature base: {str(error)[:200]}") from None
    except ValueError:
        raise SignatureError("signature base: not printable ASCII") from None
    try:
        public_key.verify(member.signature, base)
    except InvalidSignature:
        raise SignatureError("signature does not verify") from None
