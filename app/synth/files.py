"""What the CSV and NDJSON export writers share: open files, row counts, closing."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self


class ExportFiles:
    """A set of export files in one folder, with a row count per file name."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.rows: dict[str, int] = dict.fromkeys(names, 0)
        self._handles: list[IO[Any]] = []

    def _open(self, name: str, *, binary: bool) -> IO[Any]:
        path = self.folder / name
        handle: IO[Any] = (
            path.open("wb") if binary else path.open("w", encoding="utf-8", newline="")
        )
        self._handles.append(handle)
        return handle

    def close(self) -> None:
        """Flush and close every file; drop a file that got no rows (ingest refuses empty files)."""
        for handle in self._handles:
            handle.close()
        for name, count in self.rows.items():
            if count == 0:
                (self.folder / name).unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
