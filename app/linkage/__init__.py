"""Cross-border linkage without identities: linkage tokens and private set intersection cardinality.

A patient's *linkage token* (``tokens``) is a keyed hash of their normalised name (``names``),
birth date and sex under a secret shared by every node and never by the hub. Two nodes learn how
many tokens they share with the ECDH PSI-cardinality exchange of ``psi`` over the ristretto255
group of ``group`` (libsodium), the first node keeping its one-query key in ``rounds`` between
its two rounds; ``wire`` is the message format, the only part the hub needs.

This face re-exports the parts that need no curve library; import ``app.linkage.psi`` for the
exchange itself.
"""

from app.linkage.names import normalise_name
from app.linkage.tokens import (
    LINKAGE_SECRET_MIN_BYTES,
    LINKAGE_TOKEN_FIELD,
    TOKEN_BYTES,
    LinkageTokeniser,
    linkage_message,
    linkage_token,
)
from app.linkage.wire import pack_elements, unpack_elements

__all__ = [
    "LINKAGE_SECRET_MIN_BYTES",
    "LINKAGE_TOKEN_FIELD",
    "TOKEN_BYTES",
    "LinkageTokeniser",
    "linkage_message",
    "linkage_token",
    "normalise_name",
    "pack_elements",
    "unpack_elements",
]
