"""Count how often ``validate_query`` runs: the real function, wrapped where modules bound it."""

from __future__ import annotations

import sys

import pytest

from app.catalogue import validation
from app.exchange.query import MeasureQuery


def count_validations(monkeypatch: pytest.MonkeyPatch) -> list[MeasureQuery]:
    """Return the list every later ``validate_query`` call appends its query to (for one test)."""
    original = validation.validate_query
    calls: list[MeasureQuery] = []

    def counting(query: MeasureQuery) -> MeasureQuery:
        calls.append(query)
        return original(query)

    # ``from app.catalogue import validate_query`` binds the function in each importer.
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "app" and getattr(module, "validate_query", None) is original:
            monkeypatch.setattr(module, "validate_query", counting)
    return calls
