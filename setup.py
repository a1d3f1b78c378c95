"""Ship the top-level ``mappings/`` and ``schemas/`` folders inside the wheel as ``app/_data``.

All metadata lives in pyproject.toml; this only extends ``build_py`` (editable installs read the
folders from the checkout, see ``app/package_data.py``).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithData(build_py):
    """Copy the data folders next to the package when building."""

    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        for folder in ("mappings", "schemas"):
            target = Path(self.build_lib) / "app" / "_data" / folder
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(root / folder, target)


setup(cmdclass={"build_py": BuildWithData})
