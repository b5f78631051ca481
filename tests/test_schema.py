"""The JSON Schema editors use must match the typed models, and the catalog must point at it."""

from __future__ import annotations

import json

from generator.catalog.schema import json_schema
from tests.conftest import ROOT


def test_committed_schema_is_current() -> None:
    committed = json.loads((ROOT / "catalog.schema.json").read_text())
    assert committed == json_schema(), "catalog.schema.json is stale: run `make schema`"


def test_catalog_declares_its_schema_for_editors() -> None:
    first = (ROOT / "catalog.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=./catalog.schema.json"


def test_schema_knows_every_component_and_status() -> None:
    schema = json_schema()
    defs = schema["$defs"]
    assert set(defs["Status"]["enum"]) == {"open", "partial", "closed", "unknown"}
    assert "pretraining_data" in defs["Component"]["enum"]
    for name in ("Family", "Model", "Derivative"):
        openness = defs[name]["properties"]["openness"]
        assert openness["propertyNames"] == {"$ref": "#/$defs/Component"}
