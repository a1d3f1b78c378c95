"""Access logs without query strings: ``uvicorn``'s log configuration with a redacting filter.

A query string can carry record-search values (``?patient=...``, ``?date=...``) or a refused
``?token=``; the access log keeps method, path and status, never the query. ``node serve`` and
``hub serve`` run uvicorn with ``uvicorn_log_config()``.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG


class QueryStringRedactor(logging.Filter):
    """Replace the query string of an access log record's path with ``?…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return True (the record is kept) after redacting its path argument."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, sep, _query = args[2].partition("?")
            if sep:
                record.args = (*args[:2], f"{path}?…", *args[3:])
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """Return uvicorn's default logging configuration with query strings redacted."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_query"] = {"()": QueryStringRedactor}
    config["handlers"]["access"]["filters"] = ["redact_query"]
    return config
