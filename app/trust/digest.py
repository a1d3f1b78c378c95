"""RFC 9530 ``Content-Digest``: create (sha-256) and check (sha-256 and sha-512 members)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any, cast

import http_sf

from app.errors import SignatureError

# RFC 9530 algorithm names → hashlib names; the digest sizes guard against truncated members.
HASHES = {"sha-256": "sha256", "sha-512": "sha512"}
_SIZES = {"sha-256": 32, "sha-512": 64}
_ONE_MEMBER = re.compile(r"[ \t]*(sha-256|sha-512)=:([A-Za-z0-9+/]+={0,2}):[ \t]*")


def _hash(algorithm: str, body: bytes) -> bytes:
    return hashlib.new(HASHES[algorithm], body).digest()


def content_digest(body: bytes, algorithm: str = "sha-256") -> str:
    """Return the ``Content-Digest`` field value of ``body`` (``sha-256=:base64:`` by default)."""
    digest = _hash(algorithm, body)
    return f"{algorithm}=:{base64.b64encode(digest).decode('ascii')}:"


def parse_content_digest(value: str) -> dict[str, bytes]:
    """Return the supported members of a ``Content-Digest`` field; raises ``SignatureError``.

    Members with algorithms other than sha-256 and sha-512 are ignored, as RFC 9530 section 2
    lets a recipient do; a field with no supported member is refused.
    """

    single = _ONE_MEMBER.fullmatch(value)
    if single is not None:
        # Fast path for the usual single member; every other form takes the full parser.
        try:
            digest = base64.b64decode(single[2], validate=True)
        except ValueError:
            raise SignatureError("content-digest: not a valid byte sequence") from None
        if len(digest) != _SIZES[single[1]]:
            raise SignatureError(f"content-digest: {single[1]} member is not a digest")
        return {single[1]: digest}

    def refuse_duplicate(_name: str, _context: str) -> None:
        raise SignatureError("content-digest: an algorithm appears twice")

    try:
        parsed = http_sf.parse(
            value.encode("ascii"), tltype="dictionary", on_duplicate_key=refuse_duplicate
        )
    except (ValueError, UnicodeEncodeError):
        raise SignatureError("content-digest: not a valid structured field dictionary") from None
    if not isinstance(parsed, dict):
        raise SignatureError("content-digest: not a valid structured field dictionary")
    members: dict[str, bytes] = {}
    for algorithm, (item, _params) in cast(dict[str, Any], parsed).items():
        if algorithm not in HASHES:
            continue
        if not isinstance(item, bytes) or len(item) != _SIZES[algorithm]:
            raise SignatureError(f"content-digest: {algorithm} member is not a digest")
        members[algorithm] = item
    if not members:
        raise SignatureError("content-digest: no sha-256 or sha-512 member")
    return members


def verify_content_digest(value: str, body: bytes) -> None:
    """Check every supported member of ``value`` against ``body``; raises ``SignatureError``."""
    for algorithm, expected in parse_content_digest(value).items():
        if not hmac.compare_digest(expected, _hash(algorithm, body)):
            raise SignatureError("content-digest does not match the body")
