"""Tampering with any covered component, one byte anywhere, is refused (property test)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import SignatureError
from app.trust.keys import SigningKey
from app.trust.signatures import RequestVerifier, VerifiedRequest

from .support import EVALUATE_URL, QUERY_BODY, FakeClock, signed_headers

COVERED = ("method", "url", "content-type", "content-digest", "signature-input", "body")
SIGNED_FIELDS = ("content-type", "content-digest", "signature-input")
SIGNED_URL = f"{EVALUATE_URL}?_format=json"


def _covered_parts(key: SigningKey, now: float) -> tuple[dict[str, str], dict[str, str | bytes]]:
    headers = {k.lower(): v for k, v in signed_headers(key, now, url=SIGNED_URL).items()}
    parts: dict[str, str | bytes] = {"method": "POST", "url": SIGNED_URL, "body": QUERY_BODY}
    parts.update({name: headers[name] for name in SIGNED_FIELDS})
    return headers, parts


def _verify_parts(
    verifier: RequestVerifier, headers: dict[str, str], parts: Mapping[str, str | bytes]
) -> VerifiedRequest:
    headers = {**headers, **{name: str(parts[name]) for name in SIGNED_FIELDS}}
    body = parts["body"]
    assert isinstance(body, bytes)
    return verifier.verify(
        method=str(parts["method"]), url=str(parts["url"]), headers=headers, body=body
    )


def test_verify_accepts_unchanged_covered_components(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    # The baseline of the property below: without a change, the same request is accepted.
    headers, parts = _covered_parts(hub_key, clock())
    assert _verify_parts(verifier, headers, parts).kid == hub_key.kid


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_verify_refuses_any_single_byte_change_to_covered_component(
    data: st.DataObject, verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    # Every mutated request must fail before its nonce is spent, so one verifier serves all.
    headers, parts = _covered_parts(hub_key, clock())
    which = data.draw(st.sampled_from(COVERED), label="component")
    original = parts[which]
    index = data.draw(st.integers(0, len(original) - 1), label="index")
    if isinstance(original, bytes):
        byte = data.draw(st.integers(0, 255).filter(lambda b: b != original[index]), label="byte")
        parts[which] = original[:index] + bytes([byte]) + original[index + 1 :]
    else:
        printable = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
        char = data.draw(printable.filter(lambda c: c != original[index]), label="char")
        parts[which] = original[:index] + char + original[index + 1 :]
    with pytest.raises(SignatureError):
        _verify_parts(verifier, headers, parts)
