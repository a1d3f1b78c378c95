"""The repository explains itself: no link or comment points at documents outside it."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"}
TEXT_SUFFIXES = {
    ".py",
    ".md",
    ".toml",
    ".yaml",
    ".yml",
    ".json",
    ".html",
    ".js",
    ".css",
    ".sh",
    ".txt",
    ".cfg",
}
# Built from parts so that this file does not match itself.
OUTSIDE = re.compile(
    "|".join([r"\.\./" + "shared", "DESIGN" + r"\.md section", "DESIGN" + r"\.md §"])
)


def _repository_text_files() -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(ROOT):
        # Prune in place so the walk never enters virtualenvs or caches.
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
        for name in names:
            path = Path(folder) / name
            if path.suffix in TEXT_SUFFIXES or name in {"Dockerfile", "run"}:
                files.append(path)
    return files


def test_no_file_points_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _repository_text_files()
        for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_the_scan_sees_the_code_and_the_docs() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in _repository_text_files()}
    assert {"README.md", "app/errors.py", "pyproject.toml"} <= names
