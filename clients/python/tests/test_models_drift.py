"""The generated models, and the few literals written by hand, match the document the server serves."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import httpx
import pytest

from morphsweep import models
from morphsweep.evidence import ExpandTo
from morphsweep.run import StructureFormat
from morphsweep.sweep import CostKind, SweepStatus

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "regenerate_models.py"


def _regenerate_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regenerate_models", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["regenerate_models"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def served_document(server_url: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{server_url}/api/openapi.json", timeout=30).raise_for_status().json()
    return document


def test_models_are_generated_from_the_served_document(served_document: dict[str, Any]) -> None:
    script = _regenerate_script()
    difference = script.drift(script.generate_models(served_document), script.MODELS_PATH.read_text())
    assert not difference, (
        "clients/python/src/morphsweep/models.py differs from what the served /api/openapi.json generates; "
        "run `.morphsweep/py-venv/bin/python clients/python/scripts/regenerate_models.py` and update the client "
        f"for the change:\n{difference}"
    )


def test_hand_written_literals_match_the_document(served_document: dict[str, Any]) -> None:
    schemas = served_document["components"]["schemas"]
    assert list(get_args(CostKind)) == schemas["Front"]["properties"]["cost"]["enum"]
    assert list(get_args(SweepStatus)) == schemas["SweepSummary"]["properties"]["status"]["enum"]
    structure = served_document["paths"]["/api/runs/{id}/structure"]["get"]["parameters"]
    formats = next(parameter for parameter in structure if parameter["name"] == "format")["schema"]["enum"]
    assert list(get_args(StructureFormat)) == formats
    assert get_args(models.Front.model_fields["cost"].annotation) == get_args(CostKind)
    # Run.evidence(expand_to=...): a positive cost or the literals the generated request model allows.
    expand_to_literals = [arg for arg in get_args(models.EvidenceRequest.model_fields["expand_to"].annotation) if get_args(arg)]
    assert [get_args(literal) for literal in expand_to_literals] == [get_args(get_args(ExpandTo)[1])] == [("seed",)]
