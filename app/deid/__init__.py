"""De-identification at the door: keyed pseudonyms, birth year, and an allow-list (default deny).

Identifiers become HMAC-SHA256 pseudonyms under the node secret, separated per record kind; a birth
date becomes its year; any field the allow-list does not name is dropped, so names, national ids,
postal codes, contact details, free text and lot numbers never reach the store or a log.
"""

from app.deid.allowlist import Deidentifier, DeidRule
from app.deid.pseudonyms import PSEUDONYM_HEX_CHARS, Pseudonymiser, pseudonymise_patient_id

__all__ = [
    "PSEUDONYM_HEX_CHARS",
    "DeidRule",
    "Deidentifier",
    "Pseudonymiser",
    "pseudonymise_patient_id",
]
