"""Committed schemas match the models, and the examples pass or fail as labelled."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import orjson
import pytest
from pydantic import BaseModel, ValidationError

from news_ingest import schemas
from news_ingest.cli import main

ROOT = Path(__file__).resolve().parents[2] / "schemas"
EXAMPLES = ROOT / "examples"
MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "raw-article": (schemas.SCHEMAS["raw-article.v1.schema.json"][0], "raw-article.v1.schema.json"),
    "enriched-article": (schemas.SCHEMAS["enriched-article.v1.schema.json"][0], "enriched-article.v1.schema.json"),
    "rejected-record": (schemas.SCHEMAS["rejected-record.v1.schema.json"][0], "rejected-record.v1.schema.json"),
}


def kind(path: Path) -> str:
    return path.name.split(".")[0]


def test_committed_schemas_match_the_models() -> None:
    assert schemas.drift(ROOT) == [], "run `make schemas` and commit the result"


def test_schema_check_command_reports_drift(tmp_path: Path) -> None:
    assert main(["schemas", "--dir", str(tmp_path), "--check"]) == 1
    assert main(["schemas", "--dir", str(tmp_path)]) == 0
    assert main(["schemas", "--dir", str(tmp_path), "--check"]) == 0


@pytest.mark.parametrize("path", sorted((EXAMPLES / "valid").glob("*.json")), ids=lambda p: p.name)
def test_valid_examples_pass_schema_and_model(path: Path) -> None:
    model, schema_file = MODELS[kind(path)]
    payload = orjson.loads(path.read_bytes())
    jsonschema.validate(payload, orjson.loads((ROOT / schema_file).read_bytes()))
    model.model_validate(payload)


@pytest.mark.parametrize("path", sorted((EXAMPLES / "invalid").glob("*.json")), ids=lambda p: p.name)
def test_invalid_examples_fail_schema_and_model(path: Path) -> None:
    model, schema_file = MODELS[kind(path)]
    payload = orjson.loads(path.read_bytes())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload, orjson.loads((ROOT / schema_file).read_bytes()))
    with pytest.raises(ValidationError):
        model.model_validate(payload)


def test_every_example_kind_has_valid_and_invalid_cases() -> None:
    valid = {kind(p) for p in (EXAMPLES / "valid").glob("*.json")}
    invalid = {kind(p) for p in (EXAMPLES / "invalid").glob("*.json")}
    assert valid == set(MODELS)
    assert {"raw-article", "enriched-article"} <= invalid
