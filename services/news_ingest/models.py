"""Event contracts: the raw input, the enriched output and the rejected envelope, plus their closed vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

_OUTPUT = ConfigDict(frozen=True, extra="forbid")
_WEB_SCHEMES = frozenset({"http", "https"})


class Stage(StrEnum):
    """Where in the pipeline a message is; used for timing, reject attribution and metric labels."""

    DECODE = "decode"
    NORMALISE = "normalise"
    DEDUPLICATE = "deduplicate"
    TAG = "tag"
    ENCODE = "encode"


class Outcome(StrEnum):
    """The one output every consumed offset ends in."""

    ENRICHED = "enriched"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class RejectReason(StrEnum):
    """Closed set of reasons a message is rejected; the ``reason`` metric label takes only these."""

    NULL_VALUE = "null_value"
    TOO_LARGE = "too_large"
    INVALID_UTF8 = "invalid_utf8"
    INVALID_JSON = "invalid_json"
    SCHEMA_VIOLATION = "schema_violation"
    EMPTY_CONTENT = "empty_content"
    OUTPUT_TOO_LARGE = "output_too_large"  # the enriched record would not fit the output topic
    PROCESSING_FAILED = "processing_failed"  # a stage raised on this record: a bug to fix, not bad input


class DedupStatus(StrEnum):
    """How an article relates to what was seen before it."""

    UNIQUE = "unique"
    NEAR_DUPLICATE = "near_duplicate"
    EXACT_DUPLICATE = "exact_duplicate"


class DedupMethod(StrEnum):
    """What linked an article to an earlier one (or to its story)."""

    URL = "url"  # the same canonical URL
    CONTENT = "content"  # the same cleaned title and body
    MINHASH = "minhash"  # estimated Jaccard of the two texts' shingles
    CONTAINMENT = "containment"  # an abridged or extended copy of the other
    STORY = "story"  # not a copy: another write-up of a live story


class EntityType(StrEnum):
    """Entity classes published downstream."""

    PERSON = "PERSON"
    ORG = "ORG"
    LOC = "LOC"


def web_address_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) address with a host and a valid port, or ``None`` when it is one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # parsed lazily: out of range or not a number raises here
    except ValueError as error:  # a malformed IPv6 host ("http://[::1/x"), a bad port
        return f"not a valid address ({error})"
    if parts.scheme.lower() not in _WEB_SCHEMES:
        return "only http and https addresses are accepted"
    if not parts.hostname:
        return "the address has no host"
    if port == 0:
        return "port 0 is not a valid port"
    return None


class RawArticle(BaseModel):
    """An article as a crawler or aggregator sends it (input contract v1); unknown fields land in ``metadata``."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=False)

    url: str = Field(min_length=1, max_length=8_192, description="Address the article was fetched from.")
    body: str = Field(description="Article text, plain or HTML.")
    title: str | None = Field(default=None, max_length=4_096)
    source: str | None = Field(default=None, max_length=512, description="Outlet name or domain.")
    published_at: str | int | float | None = Field(
        default=None, description="Publication time in any common format (string) or Unix seconds."
    )
    fetched_at: AwareDatetime | None = Field(default=None, description="RFC 3339 time the crawler fetched it.")
    event_id: str | None = Field(default=None, max_length=512)
    language: str | None = Field(default=None, max_length=35, description="BCP 47 tag if the sender knows it.")
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _a_web_address(cls, url: str) -> str:
        problem = web_address_problem(url)
        if problem is not None:
            raise ValueError(problem)
        return url

    @model_validator(mode="before")
    @classmethod
    def _keep_unknown_fields(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.keys() <= _RAW_FIELDS:
            return data
        metadata = data.get("metadata") or {}
        if not isinstance(metadata, dict):
            return data  # a bad ``metadata`` that field validation will report
        unknown = {key: value for key, value in data.items() if key not in _RAW_FIELDS}
        known = {key: value for key, value in data.items() if key in _RAW_FIELDS}
        return {**known, "metadata": {**unknown, **metadata}}


_RAW_FIELDS = frozenset(RawArticle.model_fields)


class Dateline(BaseModel):
    """The dateline opening the lede ("MOSCOW, Russia (Reuters) - "), taken out of the body."""

    model_config = _OUTPUT

    text: str | None = None
    place: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 of the place, when resolved.")
    credit: str | None = Field(default=None, description="Wire credit such as Reuters, AP or AFP.")


class DedupInfo(BaseModel):
    """The deduplication decision and its evidence."""

    model_config = _OUTPUT

    status: DedupStatus = DedupStatus.UNIQUE
    duplicate_of: str | None = None
    cluster_id: str | None = None
    similarity: float | None = Field(default=None, ge=0.0, le=1.0)
    method: DedupMethod | None = None
    settings_version: str | None = Field(default=None, description="Version of the thresholds that decided.")


class TagEvidence(BaseModel):
    """One mention that supports a tag: what matched, where, and in which field."""

    model_config = _OUTPUT

    text: str
    field: Literal["dateline", "title", "body"]
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class CountryTag(BaseModel):
    """A country the article is about or mentions."""

    model_config = _OUTPUT

    code: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2.")
    name: str
    continent: str | None = None
    subregion: str | None = Field(default=None, description="UN M49 sub-region.")
    salience: float = Field(ge=0.0, le=1.0)
    evidence: tuple[TagEvidence, ...] = ()


class Regions(BaseModel):
    """Countries tagged on the article and the one it is mainly about."""

    model_config = _OUTPUT

    primary_country: str | None = Field(default=None, description="The dateline's country, else the most salient.")
    countries: tuple[CountryTag, ...] = Field(default=(), description="Most salient first.")
    outlet_country: str | None = Field(
        default=None, description="The publishing outlet's country (its country-code domain), not the story's."
    )


class Entity(BaseModel):
    """A person, organisation or place named in the article, linked to a stable id."""

    model_config = _OUTPUT

    id: str
    name: str
    type: EntityType
    mentions: int = Field(ge=1)
    salience: float = Field(ge=0.0, le=1.0)
    first_offset: int = Field(ge=0)


class Provenance(BaseModel):
    """Where an output came from; equal on reprocessing so re-published records are byte-identical."""

    model_config = _OUTPUT

    topic: str
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    fetched_at: datetime | None = None
    processed_at: datetime | None = Field(
        default=None,
        description="Timestamp of the source record in the input log (UTC); stable across reprocessing.",
    )
    service_version: str


class EnrichedArticle(BaseModel):
    """An article after normalise, deduplicate and tag (output contract v1)."""

    model_config = _OUTPUT

    schema_version: Literal[1] = 1
    article_id: str = Field(description="Deterministic id: the same input always gives the same id.")
    url: str
    canonical_url: str
    title: str | None = Field(
        default=None, description="The event's title, else the headline of the web page sent as the body, if any."
    )
    body: str
    related: tuple[str, ...] = ()
    dateline: Dateline = Dateline()
    language: str | None = None
    published_at: datetime | None = Field(default=None, description="UTC.")
    published_at_estimated: bool = Field(
        default=False, description="True when published_at was missing or implausible and fetched_at is used."
    )
    fetched_at_clamped: bool = Field(
        default=False,
        description="True when the sender's fetched_at was implausible (in the future, or before 1990) and the "
        "processing time stands in for it.",
    )
    body_truncated: bool = Field(
        default=False, description="True when the cleaned body was cut at the per-article limit (200,000 characters)."
    )
    source: str | None = None
    event_id: str | None = None
    word_count: int = Field(default=0, ge=0)
    content_hash: str
    dedup: DedupInfo = DedupInfo()
    regions: Regions = Regions()
    entities: tuple[Entity, ...] = ()
    metadata: dict[str, Any] = Field(default_factory=dict, description="The sender's metadata, passed through.")
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Article:
    """An article after the normalise stage: clean, comparable content the later stages trust."""

    article_id: str
    url: str
    canonical_url: str
    title: str | None
    body: str
    content_hash: str
    word_count: int
    related: tuple[str, ...] = ()
    dateline: Dateline = field(default_factory=Dateline)
    language: str | None = None
    published_at: datetime | None = None
    published_at_estimated: bool = False
    fetched_at: datetime | None = None
    fetched_at_clamped: bool = False
    body_truncated: bool = False
    source: str | None = None
    event_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Tags:
    """What the tag stage found: regions and entities."""

    regions: Regions = field(default_factory=Regions)
    entities: tuple[Entity, ...] = ()


class SourceRef(BaseModel):
    """Topic, partition and offset of the consumed record."""

    model_config = _OUTPUT

    topic: str
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    timestamp_ms: int | None = None


class RejectedRecord(BaseModel):
    """Envelope published on the rejected topic: why, where, and the original bytes (base64)."""

    model_config = _OUTPUT

    schema_version: Literal[1] = 1
    reason: RejectReason
    stage: Stage
    detail: str
    source: SourceRef
    original_value_b64: str | None = Field(description="The consumed value, base64; null for a tombstone.")
    original_key_b64: str | None = None
    original_size_bytes: int = Field(ge=0)
    original_sha256: str | None = None
    original_truncated: bool = Field(
        default=False, description="True when the value was too big to embed; it stays at the source offset."
    )
    original_key_size_bytes: int = Field(default=0, ge=0)
    original_key_sha256: str | None = None
    original_key_truncated: bool = Field(
        default=False,
        description="True when the key was too big to embed (or to use as this record's key, which is then its "
        "SHA-256 in hex); it stays at the source offset.",
    )
    service_version: str
