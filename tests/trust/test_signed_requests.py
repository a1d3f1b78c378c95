"""Signed requests: accepted when every rule holds, refused (each rule its own test) otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from app.errors import Conflict, SignatureError
from app.trust.keys import SigningKey
from app.trust.rfc9421 import RequestMessage, create_signature
from app.trust.signature_fields import Component
from app.trust.signatures import RequestVerifier, check_audience

from .support import (
    AUDIENCE,
    BASE_HEADERS,
    EVALUATE_URL,
    QUERY_BODY,
    FakeClock,
    new_key,
    signed_headers,
    verifier_for,
    verify,
)


def test_verify_accepts_signed_post_and_names_peer(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    verified = verify(verifier, signed_headers(hub_key, clock()))
    assert (verified.peer.name, verified.kid, verified.label) == ("hub", hub_key.kid, "ketanet")
    assert verified.expires - verified.created == 300
    assert verified.content_digest is not None and verified.content_digest.startswith("sha-256=")
    assert len(verified.nonce) >= 22


def test_verify_accepts_get_without_body_covering_method_and_target(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    url = f"{AUDIENCE}/fhir/Patient?_count=10"
    headers = signed_headers(hub_key, clock(), url=url, body=b"", method="GET")
    assert '("@method" "@target-uri")' in headers["Signature-Input"]
    assert verify(verifier, headers, url=url, body=b"", method="GET").content_digest is None


def test_verify_refuses_replayed_nonce(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    headers = signed_headers(hub_key, clock())
    verify(verifier, headers)
    with pytest.raises(Conflict, match="replayed nonce") as refusal:
        verify(verifier, headers)
    assert refusal.value.http_status == 409


def test_verify_refuses_body_changed_after_signing(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    headers = signed_headers(hub_key, clock())
    with pytest.raises(SignatureError, match="content-digest does not match") as refusal:
        verify(verifier, headers, body=QUERY_BODY.replace(b"[]", b"[{}]"))
    assert refusal.value.http_status == 401


def test_verify_refuses_path_changed(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    headers = signed_headers(hub_key, clock())
    with pytest.raises(SignatureError, match="signature does not verify"):
        verify(verifier, headers, url=f"{AUDIENCE}/fhir/Measure/$other")


def test_verify_refuses_query_changed(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    headers = signed_headers(hub_key, clock(), url=f"{EVALUATE_URL}?a=1")
    with pytest.raises(SignatureError, match="signature does not verify"):
        verify(verifier, headers, url=f"{EVALUATE_URL}?a=2")


def test_verify_refuses_header_changed(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    headers = {**signed_headers(hub_key, clock()), "Content-Type": "application/json"}
    with pytest.raises(SignatureError, match="signature does not verify"):
        verify(verifier, headers)


def test_verify_refuses_expired(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    headers = signed_headers(hub_key, clock())
    clock.advance(301)
    with pytest.raises(SignatureError, match="expired"):
        verify(verifier, headers)


def test_verify_refuses_created_120_s_in_future(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    with pytest.raises(SignatureError, match="60 s in the future"):
        verify(verifier, signed_headers(hub_key, clock() + 120))


def test_verify_refuses_lifetime_3600_s(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    with pytest.raises(SignatureError, match="lifetime over 300 s"):
        verify(verifier, signed_headers(hub_key, clock(), lifetime_s=3600))


def test_verify_refuses_unknown_key(verifier: RequestVerifier, clock: FakeClock) -> None:
    with pytest.raises(SignatureError, match="unknown key"):
        verify(verifier, signed_headers(new_key(), clock()))


def test_verify_refuses_revoked_key(
    sqlite_engine: Engine, hub_key: SigningKey, clock: FakeClock
) -> None:
    verifier = verifier_for(sqlite_engine, clock, hub_key, revoked=True)
    with pytest.raises(SignatureError, match="revoked"):
        verify(verifier, signed_headers(hub_key, clock()))


def test_verify_refuses_key_outside_validity(
    sqlite_engine: Engine, hub_key: SigningKey, clock: FakeClock
) -> None:
    ended = datetime.fromtimestamp(clock(), tz=UTC) - timedelta(days=1)
    verifier = verifier_for(sqlite_engine, clock, hub_key, not_after=ended)
    with pytest.raises(SignatureError, match="no longer valid"):
        verify(verifier, signed_headers(hub_key, clock()))


def test_verify_refuses_wrong_audience(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    other = "http://node.test:8102/fhir/Measure/$evaluate-measure"  # another node's URL
    with pytest.raises(SignatureError, match="wrong audience"):
        verify(verifier, signed_headers(hub_key, clock(), url=other), url=other)


@pytest.mark.parametrize(
    ("target", "accepted"),
    [
        ("https://n.test/base/fhir/x", True),
        ("https://N.TEST:443/base", True),
        ("http://n.test/base/fhir/x", False),
        ("https://n.test:8443/base/fhir/x", False),
        ("https://m.test/base/fhir/x", False),
        ("https://n.test/basement/fhir/x", False),
        ("https://n.test/fhir/x", False),
    ],
)
def test_check_audience_compares_scheme_host_port_and_path_prefix(
    target: str, accepted: bool
) -> None:
    if accepted:
        check_audience(target, "https://n.test/base")
    else:
        with pytest.raises(SignatureError, match="wrong audience"):
            check_audience(target, "https://n.test/base")


def test_verify_refuses_missing_signature(verifier: RequestVerifier) -> None:
    with pytest.raises(SignatureError, match="missing signature"):
        verify(verifier, BASE_HEADERS)


def _crafted(key: SigningKey, now: float, **changes: object) -> dict[str, str]:
    """A request signed with chosen parameters (``None`` drops one), digest included."""
    fields = {name.lower(): value for name, value in signed_headers(key, now).items()}
    params: dict[str, object] = {
        "created": int(now),
        "keyid": key.kid,
        "alg": "ed25519",
        "expires": int(now) + 300,
        "nonce": "n" * 24,
        "tag": "ketanet-request",
        **changes,
    }
    signed = create_signature(
        RequestMessage("POST", EVALUATE_URL, fields),
        private_key=key.private_key,
        label="sig1",
        components=[
            Component.of(n) for n in ("@method", "@target-uri", "content-type", "content-digest")
        ],
        params={name: value for name, value in params.items() if value is not None},  # type: ignore[misc]
    )
    return {
        **BASE_HEADERS,
        "Content-Digest": fields["content-digest"],
        "Signature-Input": signed.signature_input,
        "Signature": signed.signature,
    }


def test_verify_refuses_wrong_tag(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    with pytest.raises(SignatureError, match="no signature with tag ketanet-request"):
        verify(verifier, _crafted(hub_key, clock(), tag="ketanet-response"))


def test_verify_refuses_alg_mismatch(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    headers = signed_headers(hub_key, clock())
    headers["Signature-Input"] = headers["Signature-Input"].replace(
        'alg="ed25519"', 'alg="hmac-sha256"'
    )
    with pytest.raises(SignatureError, match="alg must be ed25519"):
        verify(verifier, headers)


@pytest.mark.parametrize(
    ("params", "rule"),
    [
        ({"expires": None}, "missing expires"),
        ({"nonce": None}, "missing nonce"),
        ({"nonce": "short"}, "at least 128 bits"),
        ({"alg": None}, "missing alg"),
        ({"created": None}, "missing created"),
        ({"extra": "x"}, "unknown signature parameter"),
    ],
    ids=["no-expires", "no-nonce", "short-nonce", "no-alg", "no-created", "unknown"],
)
def test_verify_refuses_missing_or_weak_parameter(
    verifier: RequestVerifier,
    hub_key: SigningKey,
    clock: FakeClock,
    params: dict[str, object],
    rule: str,
) -> None:
    with pytest.raises(SignatureError, match=rule):
        verify(verifier, _crafted(hub_key, clock(), **params))


def test_verify_refuses_body_not_covered_by_signature(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    headers = signed_headers(hub_key, clock(), body=b"")  # signed as a body-less request
    with pytest.raises(SignatureError, match='does not cover "content-type"'):
        verify(verifier, {**headers, **BASE_HEADERS})


def test_verify_accepts_crafted_member_among_other_labels(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    headers = _crafted(hub_key, clock())
    # A foreign signature next to ours: the verifier picks ours by its tag, not its label.
    headers["Signature-Input"] += ', proxy=("@method");created=1;keyid="p"'
    headers["Signature"] += ", proxy=:AAAA:"
    assert verify(verifier, headers).label == "sig1"
