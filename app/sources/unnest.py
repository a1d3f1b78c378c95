"""One row per item of a list element: a QuestionnaireResponse with ten answered items is ten rows.

A mapping's NDJSON source may name a list element (``each: item``); every item of that list then
becomes a row of its own, in which the element holds that item alone, so the mapping's paths read
``item.linkId`` and the resource's other elements (``subject``, ``authored``) unchanged. Rows keep
the resource's line; a resource without the element gives one row, which the mapping then
rejects for its missing fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from app.sources.rows import SourceRow


def unnest(rows: Iterable[SourceRow], element: str) -> Iterator[SourceRow]:
    """Yield each row once per item of its list ``element`` (rows without one pass unchanged)."""
    for row in rows:
        values = row.values
        items = values.get(element) if isinstance(values, dict) else None
        if not isinstance(values, dict) or not isinstance(items, list) or not items or row.issues:
            yield row
            continue
        for item in items:
            yield SourceRow(row.file, row.line, {**values, element: [item]})
