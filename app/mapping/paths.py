"""Simple FHIR paths: ``a.b``, ``a[0].b``, ``coding[system=http://loinc.org].code``.

A step names an element; ``[n]`` picks the n-th item of a list, ``[key=value]`` the first item whose
``key`` equals ``value`` (the value may contain dots, slashes and colons). When a step meets a list
without a selector, the first item is taken: export rows carry one value per registry field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]*\])*)")
_SELECTOR = re.compile(r"\[([^\]]*)\]")


class PathSyntaxError(ValueError):
    """A path that does not follow the simple FHIR path syntax."""


@dataclass(frozen=True, slots=True)
class Step:
    """One path step: an element name and its selectors (index or key=value filters)."""

    name: str
    selectors: tuple[int | tuple[str, str], ...] = ()


def compile_path(text: str) -> tuple[Step, ...]:
    """Return the steps of ``text``; raises ``PathSyntaxError`` when it is not a simple FHIR path."""
    steps: list[Step] = []
    position = 0
    while True:
        match = _STEP.match(text, position)
        if match is None:
            raise PathSyntaxError(f"bad path step at character {position + 1}")
        selectors: list[int | tuple[str, str]] = []
        for selector in _SELECTOR.findall(match.group(2)):
            if selector.isdigit():
                selectors.append(int(selector))
            elif "=" in selector:
                key, _, value = selector.partition("=")
                if not key:
                    raise PathSyntaxError("filter without a key, e.g. [system=...]")
                selectors.append((key.strip(), value.strip()))
            else:
                raise PathSyntaxError("a selector is [n] or [key=value]")
        steps.append(Step(match.group(1), tuple(selectors)))
        position = match.end()
        if position == len(text):
            return tuple(steps)
        if text[position] != ".":
            raise PathSyntaxError(f"expected '.' at character {position + 1}")
        position += 1


def evaluate_path(steps: tuple[Step, ...], resource: Any) -> Any:
    """Return the value at ``steps`` in a parsed JSON object, or ``None`` when absent."""
    current = resource
    for step in steps:
        if isinstance(current, list):
            current = current[0] if current else None
        if not isinstance(current, dict):
            return None
        current = current.get(step.name)
        for selector in step.selectors:
            current = _select(current, selector)
            if current is None:
                return None
    if isinstance(current, list):
        return current[0] if current else None
    return current


def _select(value: Any, selector: int | tuple[str, str]) -> Any:
    items = value if isinstance(value, list) else [value] if value is not None else []
    if isinstance(selector, int):
        return items[selector] if selector < len(items) else None
    key, wanted = selector
    for item in items:
        if isinstance(item, dict) and str(item.get(key)) == wanted:
            return item
    return None
