"""Analyst bearer tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import ConfigError, SignatureError
from app.hub.tokens import TokenRegistry


def test_token_file_names_analysts(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text("alice secret-a\n# comment\nsecret-b\n\n")
    registry = TokenRegistry.from_file(path)
    assert registry.analyst("Bearer secret-a") == "alice"
    assert registry.analyst("bearer secret-b") == "token-3"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic secret-a", "Bearer nope"])
def test_bad_or_missing_token_refused(tmp_path: Path, header: str | None) -> None:
    path = tmp_path / "tokens"
    path.write_text("alice secret-a\n")
    with pytest.raises(SignatureError):
        TokenRegistry.from_file(path).analyst(header)


def test_empty_token_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text("\n")
    with pytest.raises(ConfigError):
        TokenRegistry.from_file(path)
