"""``app.trust`` re-exports its core names, each imported on first use."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import app.trust


@pytest.mark.parametrize("name", app.trust.__all__)
def test_every_listed_name_is_the_one_of_its_module(name: str) -> None:
    value = getattr(app.trust, name)
    module = importlib.import_module(app.trust._EXPORTS[name])
    assert value is getattr(module, name)
    assert name in dir(app.trust)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'sign_everything'"):
        app.trust.sign_everything  # noqa: B018


def test_the_tables_alone_load_no_signing_code() -> None:
    script = (
        "import json, sys\n"
        "import app.trust.tables\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "                        if m.startswith(('cryptography', 'app.trust.')))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == ["app.trust.tables"]
