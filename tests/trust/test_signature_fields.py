"""Parsing Signature-Input: covered components as written, however often they were seen."""

from __future__ import annotations

from app.trust.signature_fields import Component, parse_signature_fields

SIGNATURE = "sig=:AAAA:"


def _components(signature_input: str) -> tuple[Component, ...]:
    fields = {"signature-input": signature_input, "signature": SIGNATURE}
    return parse_signature_fields(fields)["sig"].components


def test_a_boolean_parameter_and_an_integer_one_stay_different_components() -> None:
    # ``;req`` (True) and ``;req=1`` compare equal in Python; shared instances must not mix them
    flag = _components('sig=("@method";req);created=1')
    number = _components('sig=("@method";req=1);created=1')

    assert flag[0].params == (("req", True),) and type(flag[0].params[0][1]) is bool
    assert type(number[0].params[0][1]) is int
    assert str(flag[0]) == '"@method";req' and str(number[0]) == '"@method";req=1'
