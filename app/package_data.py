"""Locate the data files shipped with the package: ``mappings/`` and ``schemas/``.

In a wheel they are installed as ``app/_data/{mappings,schemas}``; in a source checkout (editable
install, tests) they are the repository's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_path(relative: str) -> Path:
    """Return the path of a shipped data file, e.g. ``data_path("mappings/reference-csv.yaml")``.

    Raises ``FileNotFoundError`` when neither the installed nor the checkout copy exists.
    """
    for root in (_PACKAGE_DIR / "_data", _PACKAGE_DIR.parent):
        candidate = root / relative
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"shipped data file {relative} is missing from the installation")
