"""How blinded sets travel: the 32-byte group elements concatenated and base64-encoded.

Pure and free of curve arithmetic, so the hub can check the shape of what it relays (a whole
number of elements, no more than the limit, none repeated) without being able to compute on it.
"""

from __future__ import annotations

import base64
import binascii

from app.errors import InputError

ELEMENT_BYTES = 32
MAX_SET_ELEMENTS = 1_000_000


def pack_elements(elements: list[bytes]) -> str:
    """Return the base64 text of a list of 32-byte elements."""
    return base64.b64encode(b"".join(elements)).decode("ascii")


def unpack_elements(text: str, *, max_elements: int = MAX_SET_ELEMENTS) -> list[bytes]:
    """Return the elements of a packed set; raises ``InputError`` for bad base64, a length that
    is not a whole number of elements, more than ``max_elements`` or a repeated element."""
    if len(text) > 4 * (max_elements * ELEMENT_BYTES + 2) // 3 + 4:
        raise InputError(f"a blinded set holds more than {max_elements} elements")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("a blinded set is not valid base64") from None
    if len(raw) % ELEMENT_BYTES:
        raise InputError(f"a blinded set is not a whole number of {ELEMENT_BYTES}-byte elements")
    elements = [raw[i : i + ELEMENT_BYTES] for i in range(0, len(raw), ELEMENT_BYTES)]
    if len(elements) > max_elements:
        raise InputError(f"a blinded set holds more than {max_elements} elements")
    if len(set(elements)) != len(elements):
        raise InputError("a blinded set repeats an element")
    return elements


def packed_length(elements: int) -> int:
    """Return the length in characters of a packed set of ``elements`` elements."""
    return 4 * ((elements * ELEMENT_BYTES + 2) // 3)
