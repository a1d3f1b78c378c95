"""Analyst bearer tokens: ``api_token_file`` holds one token a line, optionally ``name token``."""

from __future__ import annotations

import hmac
from pathlib import Path

from app.errors import BearerTokenRefused, ConfigError, NotFound


class TokenRegistry:
    """Map presented bearer tokens to analyst names, comparing in constant time."""

    def __init__(self, tokens: dict[str, str]) -> None:
        if not tokens:
            raise ConfigError("hub.api_token_file: holds no token")
        self._tokens = tokens

    @classmethod
    def from_file(cls, path: Path) -> TokenRegistry:
        """Read the token file; raises ``ConfigError`` when it is missing or empty."""
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise ConfigError(f"hub.api_token_file: {path} does not exist") from None
        tokens: dict[str, str] = {}
        for number, line in enumerate(lines, start=1):
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            name, token = (parts[0], parts[1]) if len(parts) >= 2 else (f"token-{number}", parts[0])
            tokens[token] = name
        return cls(tokens)

    def analyst(self, authorization: str | None) -> str:
        """Return the analyst behind an ``Authorization`` header; raises ``BearerTokenRefused``."""
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not presented:
            raise BearerTokenRefused("missing bearer token")
        for token, name in self._tokens.items():
            if hmac.compare_digest(token.encode(), presented.strip().encode()):
                return name
        raise BearerTokenRefused("unknown bearer token")

    def first_token(self) -> str:
        """Return one valid token (the demo prints it for the analyst)."""
        return next(iter(self._tokens))

    def token_of(self, name: str | None) -> str:
        """Return the token of analyst ``name`` (None: the first); raises ``NotFound``."""
        if name is None:
            return self.first_token()
        for token, analyst in self._tokens.items():
            if analyst == name:
                return token
        raise NotFound(f"--name: no analyst {name!r} in the token file")
