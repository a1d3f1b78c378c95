"""Our signature base equals the ``http-message-signatures`` package's on generated messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from http_message_signatures import HTTPMessageSigner, algorithms
from hypothesis import given, settings
from hypothesis import strategies as st

from app.trust.rfc9421 import RequestMessage, ResponseMessage, signature_base
from app.trust.signature_fields import Component

DERIVED = ("@method", "@target-uri", "@authority", "@scheme", "@path", "@query", "@request-target")
UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


@dataclass
class PackageRequest:
    method: str
    url: str
    headers: dict[str, str]


@dataclass
class PackageResponse:
    status_code: int
    headers: dict[str, str]
    request: PackageRequest


segment = st.text(alphabet=UNRESERVED + "%2F:@!$&'()*+,;=", min_size=0, max_size=8).filter(
    lambda text: "%" not in text or text.count("%") == text.count("%2F")
)
urls = st.builds(
    lambda scheme, host, port, segments, query: (
        f"{scheme}://{host}{port}/{'/'.join(segments)}{query}"
    ),
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["example.com", "Node.Test", "127.0.0.1", "[::1]"]),
    st.sampled_from(["", ":80", ":443", ":8101"]),
    st.lists(segment, max_size=3),
    st.one_of(
        st.just(""),
        st.just("?"),
        st.text(alphabet=UNRESERVED + "=&", max_size=12).map(lambda q: "?" + q),
    ),
)
header_values = st.text(alphabet=PRINTABLE, min_size=1, max_size=20).map(str.strip).filter(bool)
headers = st.dictionaries(
    st.sampled_from(["content-type", "x-a", "x-b", "date"]), header_values, min_size=1, max_size=4
)


def package_base(message: object, names: list[str], params: dict[str, object]) -> bytes:
    signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519)
    prepared = signer.prepare(
        message,
        key_id=str(params["keyid"]),
        created=dt.datetime.fromtimestamp(int(params["created"]), tz=dt.UTC),  # type: ignore[call-overload]
        nonce=params.get("nonce"),  # type: ignore[arg-type]
        tag=params.get("tag"),  # type: ignore[arg-type]
        covered_component_ids=names,
    )
    return prepared.signature_base


def package_params(nonce: str | None, tag: str | None) -> dict[str, object]:
    # The package's own parameter order: created, keyid, alg, expires, nonce, tag.
    params: dict[str, object] = {"created": 1_700_000_000, "keyid": "key-1", "alg": "ed25519"}
    if nonce is not None:
        params["nonce"] = nonce
    if tag is not None:
        params["tag"] = tag
    return params


@settings(max_examples=150, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    url=urls,
    fields=headers,
    data=st.data(),
    nonce=st.one_of(st.none(), st.text(alphabet=UNRESERVED, min_size=1, max_size=30)),
    tag=st.one_of(st.none(), st.text(alphabet=PRINTABLE, max_size=10)),
)
def test_request_signature_base_matches_package(
    method: str,
    url: str,
    fields: dict[str, str],
    data: st.DataObject,
    nonce: str | None,
    tag: str | None,
) -> None:
    names = data.draw(st.lists(st.sampled_from([*DERIVED, *fields]), unique=True, min_size=1))
    params = package_params(nonce, tag)
    ours, _ = signature_base(
        RequestMessage(method, url, fields),
        [Component.of(n) for n in names],
        params,  # type: ignore[arg-type]
    )
    assert ours == package_base(PackageRequest(method, url, dict(fields)), names, params)


@settings(max_examples=100, deadline=None)
@given(url=urls, fields=headers, status=st.sampled_from([200, 404, 503]), data=st.data())
def test_response_signature_base_with_req_and_key_matches_package(
    url: str, fields: dict[str, str], status: int, data: st.DataObject
) -> None:
    request_headers = {
        **fields,
        "signature-input": 'a=("@method");created=1, ketanet=("@target-uri" "x-a";req);keyid="k"',
    }
    response_headers = {"content-type": "application/fhir+json", "x-r": "1"}
    choices = [
        '"@status"',
        '"content-type"',
        '"x-r"',
        '"@method";req',
        '"@target-uri";req',
        '"@authority";req',
        '"signature-input";req;key="ketanet"',
        '"signature-input";req',
        *(f'"{name}";req' for name in fields),
    ]
    names = data.draw(st.lists(st.sampled_from(choices), unique=True, min_size=1))
    components = [_component(name) for name in names]
    params = package_params(None, "ketanet-response")
    request = RequestMessage("POST", url, request_headers)
    ours, _ = signature_base(ResponseMessage(status, response_headers, request), components, params)  # type: ignore[arg-type]
    theirs = package_base(
        PackageResponse(status, response_headers, PackageRequest("POST", url, request_headers)),
        names,
        params,
    )
    assert ours == theirs


def _component(serialized: str) -> Component:
    name, *params = serialized.split(";")
    parsed: dict[str, str | bool] = {}
    for param in params:
        key, _, value = param.partition("=")
        parsed[key] = value.strip('"') if value else True
    return Component.of(name.strip('"'), **parsed)


def test_target_parts_are_cached_per_url_and_a_bad_url_fails_every_time() -> None:
    # The URL's parts are cached per URL (the hub signs the same node URLs over and over):
    # the same URL with two methods gives each its own @method, and an unusable URL is refused
    # on every call, never remembered as good.
    components = [Component("@method"), Component("@authority"), Component("@request-target")]
    url = "https://Node.Example:8443/fhir/Measure/$evaluate-measure?x=1"
    for method in ("POST", "GET"):
        base, _ = signature_base(RequestMessage(method, url, {}), components, {})
        assert base.decode().splitlines()[:3] == [
            f'"@method": {method}',
            '"@authority": node.example:8443',
            '"@request-target": /fhir/Measure/$evaluate-measure?x=1',
        ]
    for _ in range(2):
        with pytest.raises(ValueError, match="encoded absolute URL"):
            signature_base(RequestMessage("GET", "https://node.example/a b", {}), components, {})
