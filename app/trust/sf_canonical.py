"""A strict fast path for the one structured field signatures use: a Dictionary of Inner Lists.

``Signature-Input`` is parsed for every request and response, and re-serialized member by
member for ``"signature-input";key=...``; the general ``http-sf`` parser costs several times the
Ed25519 check itself. This module accepts only text that is already in canonical form
(RFC 9651 §4.1): a Dictionary whose members are all Inner Lists of Strings, every parameter a
String without escapes, an Integer without leading zeros, or a Boolean written as ``;key`` or
``;key=?0``; members may be separated by any optional whitespace around the comma. Anything else,
duplicate keys included, returns ``None`` and the caller takes the full ``http-sf`` parser, so
results and refusals are exactly that parser's. As accepted text is its own canonical
serialization, a member's source text is also its re-serialization (RFC 9421 §2.1.2).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

ParamValue = str | int | bool
Params = tuple[tuple[str, ParamValue], ...]

_KEY = r"[a-z*][a-z0-9_.*-]*"
_STRING = r'"[ !#-\[\]-~]*"'  # printable ASCII without '"' and '\': nothing escaped
_INTEGER = r"(?:0|-?[1-9][0-9]{0,14})"  # no leading zero, no "-0": canonical as written
_PARAM = rf";{_KEY}(?:={_STRING}|={_INTEGER}|=\?0)?"
_ITEM = rf"{_STRING}(?:{_PARAM})*"
_MEMBER = re.compile(rf"({_KEY})=(\((?:{_ITEM}(?: {_ITEM})*)?\)(?:{_PARAM})*)")
_SEPARATOR = re.compile(r"[ \t]*,[ \t]*")
# Tokens of an already validated member: a String, a parameter, or the closing parenthesis.
_TOKEN = re.compile(rf'"([^"]*)"|;({_KEY})(?:="([^"]*)"|=(-?[0-9]+)|=(\?0))?|(\))')


class Member(NamedTuple):
    """One Dictionary member: its Inner List's items and parameters, and its text as written."""

    items: tuple[tuple[str, Params], ...]
    """Each String with its parameters, as (name, value) pairs in order."""
    params: Params
    text: str


@functools.lru_cache(maxsize=128)
def parse_dictionary(value: str) -> Mapping[str, Member] | None:
    """Return a canonical Dictionary of Inner Lists as ``http-sf`` parses it, else ``None``.

    The result is immutable and cached by text: verifying a response parses the request's
    ``Signature-Input`` twice (its signatures, then the ``;key`` member it binds).
    """
    members: dict[str, Member] = {}
    position, end = 0, len(value)
    while True:
        match = _MEMBER.match(value, position)
        if match is None or match[1] in members:
            return None
        member = _inner_list(match[2])
        if member is None:
            return None
        members[match[1]] = member
        position = match.end()
        if position == end:
            return MappingProxyType(members)
        separator = _SEPARATOR.match(value, position)
        if separator is None or separator.end() == end:
            return None
        position = separator.end()


def _inner_list(text: str) -> Member | None:
    # ``text`` matched ``_MEMBER``; a repeated parameter is left to the full parser (None).
    items: list[tuple[str, dict[str, ParamValue]]] = []
    params: dict[str, ParamValue] = {}
    current = params  # parameters of the last String, or of the list once ")" is passed
    for token in _TOKEN.finditer(text):
        string, key, text_value, integer, false, close = token.groups()
        if close is not None:
            current = params
        elif key is None:
            current = {}
            items.append((string, current))
        else:
            if key in current:
                return None
            if text_value is not None:
                current[key] = text_value
            elif integer is not None:
                current[key] = int(integer)
            else:
                current[key] = false is None  # ";key" is true, ";key=?0" false
    return Member(
        tuple((name, tuple(item.items())) for name, item in items), tuple(params.items()), text
    )
