"""`pip install ./clients/python` builds a wheel that holds the whole package and its metadata."""

from __future__ import annotations

import re
import subprocess
import sys
from email.parser import Parser
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def test_a_plain_pip_install_brings_the_package_the_models_and_its_dependencies(tmp_path: Path) -> None:
    # --no-build-isolation uses the pinned hatchling of the test venv: no index is needed here.
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--disable-pip-version-check", "--target", str(tmp_path), str(PACKAGE_ROOT)],
        check=True,
    )
    package = tmp_path / "morphsweep"
    assert {"__init__.py", "models.py", "py.typed", "client.py"} <= {path.name for path in package.iterdir()}
    imported = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import morphsweep; print(morphsweep.__file__, morphsweep.__version__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert imported.startswith(str(package)), imported
    (metadata_path,) = tmp_path.glob("morphsweep-*.dist-info/METADATA")
    metadata = Parser().parsestr(metadata_path.read_text())
    assert metadata["Requires-Python"] == ">=3.10"
    requirements = metadata.get_all("Requires-Dist") or []
    assert {re.split(r"[<>=!~;\[ ]", requirement)[0] for requirement in requirements} >= {"httpx", "httpx-sse", "pydantic", "pandas", "tqdm"}
    assert "frames" in (metadata.get_all("Provides-Extra") or [])
