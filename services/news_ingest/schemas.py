"""JSON Schema files generated from the contract models, and the check that the committed ones have not drifted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from news_ingest.models import EnrichedArticle, RawArticle, RejectedRecord

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "raw-article.v1.schema.json": (RawArticle, "validation"),
    "enriched-article.v1.schema.json": (EnrichedArticle, "serialization"),
    "rejected-record.v1.schema.json": (RejectedRecord, "serialization"),
}


def render() -> dict[str, bytes]:
    """File name -> pretty, key-sorted JSON Schema bytes, exactly as committed under ``schemas/``."""
    rendered = {}
    for name, (model, mode) in SCHEMAS.items():
        schema: dict[str, Any] = {"$schema": _DIALECT, "$id": name, **model.model_json_schema(mode=mode)}  # type: ignore[arg-type]
        rendered[name] = orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    return rendered


def write(directory: Path) -> list[Path]:
    """Write every schema file into ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in render().items():
        path = directory / name
        path.write_bytes(content)
        written.append(path)
    return written


def drift(directory: Path) -> list[str]:
    """Names of schema files that are missing or differ from what the models generate now."""
    return [
        name
        for name, content in render().items()
        if not (directory / name).is_file() or (directory / name).read_bytes() != content
    ]
