"""Regenerates src/morphsweep/models.py from the server's OpenAPI document.

    python clients/python/scripts/regenerate_models.py                 # from the repository's source
    python clients/python/scripts/regenerate_models.py --url URL       # from a running server
    python clients/python/scripts/regenerate_models.py --check [...]   # exit 1 if models.py drifted

The generator (datamodel-code-generator) is pinned in requirements-dev.txt, so the same document always
gives the same file; tests/test_models_drift.py regenerates from the document the server serves and
fails on any difference.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
REPOSITORY_ROOT = PACKAGE_ROOT.parents[1]
MODELS_PATH = PACKAGE_ROOT / "src" / "morphsweep" / "models.py"
HEADER = (
    "# Generated from the MorphSweep OpenAPI document (/api/openapi.json) by\n"
    "# clients/python/scripts/regenerate_models.py with datamodel-code-generator; do not edit by hand."
)

GENERATOR_ARGS = [
    "--input-file-type", "openapi",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.10",
    "--snake-case-field",
    "--allow-population-by-field-name",
    # Answers may gain fields before this client learns them: ignore those instead of failing.
    "--extra-fields", "ignore",
    "--use-annotated",
    "--field-constraints",
    "--use-standard-collections",
    "--use-union-operator",
    "--enum-field-as-literal", "all",
    "--collapse-root-models",
    "--collapse-constrained-root-models-as-annotated",
    "--use-type-alias",
    "--use-schema-description",
    "--use-field-description",
    "--disable-timestamp",
    "--formatters", "builtin",
]


def document_from_source() -> dict[str, Any]:
    """The document as the repository's server code builds it (no server needed)."""
    script = "import { openApiDocument } from './web/lib/server/openapi.ts'; process.stdout.write(JSON.stringify(openApiDocument()));"
    output = subprocess.run(
        ["node", "--import", "tsx", "--input-type=module", "-e", script],
        cwd=REPOSITORY_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    document: dict[str, Any] = json.loads(output)
    return document


def document_from_server(url: str, token: str | None = None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.get(f"{url.rstrip('/')}/api/openapi.json", headers=headers, timeout=30)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


def generate_models(document: dict[str, Any]) -> str:
    """models.py's text for `document`."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "openapi.json"
        target = Path(folder) / "models.py"
        source.write_text(json.dumps(document))
        subprocess.run(
            [
                sys.executable, "-m", "datamodel_code_generator",
                "--input", str(source),
                "--output", str(target),
                "--custom-file-header", HEADER,
                *GENERATOR_ARGS,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return target.read_text()


def drift(generated: str, committed: str) -> str:
    """A unified diff from the committed models to freshly generated ones; empty when equal."""
    return "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            fromfile="models.py (committed)",
            tofile="models.py (from the served document)",
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="read /api/openapi.json from this server instead of the source")
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 on drift")
    args = parser.parse_args()
    document = document_from_server(args.url) if args.url else document_from_source()
    generated = generate_models(document)
    if args.check:
        difference = drift(generated, MODELS_PATH.read_text())
        if difference:
            sys.stdout.write(difference)
            return 1
        return 0
    MODELS_PATH.write_text(generated)
    print(f"wrote {MODELS_PATH.relative_to(REPOSITORY_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
