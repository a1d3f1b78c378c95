"""The trust core stays framework-free and builds nothing at import time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CORE = (
    "audit",
    "digest",
    "keys",
    "nonces",
    "peers",
    "profile",
    "responses",
    "rfc9421",
    "signature_fields",
    "signatures",
    "tables",
)
FRAMEWORKS = ("fastapi", "starlette", "httpx", "aiohttp", "yarl", "typer", "uvicorn")


def test_trust_core_imports_no_web_or_cli_framework() -> None:
    imports = "; ".join(f"import app.trust.{module}" for module in CORE)
    check = (
        f"import sys; {imports}; "
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r}); "
        "print(','.join(loaded))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.strip() == ""
