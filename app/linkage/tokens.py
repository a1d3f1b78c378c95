"""Linkage tokens: one keyed hash per patient that is equal across registries for the same person.

The token of a patient is ``HMAC-SHA256(linkage_secret, "family|given|YYYY-MM-DD|sex")`` over the
normalised family and given names (``names.normalise_name``), the full birth date and the registry's
sex code, joined by ``|`` without spaces and encoded as UTF-8. The secret is the same on every node
of a network and never reaches the hub: with it, anyone who knows a person's name, birth date and
sex could compute that person's token. A patient without a family name or a full birth date gets
no token (such a patient can never be linked, and is counted as distinct).
"""

from __future__ import annotations

import hmac
import re
from datetime import date

from app.errors import ConfigError
from app.linkage.names import normalise_name

LINKAGE_SECRET_MIN_BYTES = 32
TOKEN_BYTES = 32
LINKAGE_TOKEN_FIELD = "linkage_token"  # noqa: S105 (a field name, not a secret)
"""The field of a de-identified patient record (and its store row) that holds the token."""
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def linkage_message(
    *, family: str | None, given: str | None, birth_date: str | date | None, sex: str | None
) -> bytes | None:
    """Return the UTF-8 text the token is computed over, or None when the patient gets no token."""
    family_part = normalise_name(family or "")
    birth_part = _full_birth_date(birth_date)
    if not family_part or birth_part is None:
        return None
    given_part = normalise_name(given or "")
    return "|".join((family_part, given_part, birth_part, (sex or "").strip())).encode("utf-8")


def _full_birth_date(value: str | date | None) -> str | None:
    """``YYYY-MM-DD`` of a full, valid birth date; None for a missing, partial or invalid one."""
    if isinstance(value, date):
        return value.isoformat()
    text = (value or "").strip()
    if not _FULL_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


class LinkageTokeniser:
    """Compute linkage tokens under one network-wide secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < LINKAGE_SECRET_MIN_BYTES:
            raise ConfigError(f"linkage secret must hold at least {LINKAGE_SECRET_MIN_BYTES} bytes")
        self._mac = hmac.new(secret, digestmod="sha256")

    def __repr__(self) -> str:
        return "LinkageTokeniser(<secret>)"

    def token(
        self,
        *,
        family: str | None,
        given: str | None,
        birth_date: str | date | None,
        sex: str | None,
    ) -> bytes | None:
        """Return the 32-byte token of a patient, or None without a family name or full birth date."""
        message = linkage_message(family=family, given=given, birth_date=birth_date, sex=sex)
        if message is None:
            return None
        mac = self._mac.copy()
        mac.update(message)
        return mac.digest()


def linkage_token(
    secret: bytes,
    *,
    family: str | None,
    given: str | None,
    birth_date: str | date | None,
    sex: str | None,
) -> bytes | None:
    """Return the token of one patient; raises ``ConfigError`` for a secret under 32 bytes."""
    return LinkageTokeniser(secret).token(
        family=family, given=given, birth_date=birth_date, sex=sex
    )
