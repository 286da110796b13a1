"""Settings: one frozen object from NEWS_INGEST_* variables, secrets never shown."""

from __future__ import annotations

import orjson
import pytest
from pydantic import ValidationError

from news_ingest.cli import main
from news_ingest.config import Settings, load_settings, masked, unknown_variables, variable_names


def test_defaults_ask_for_no_embedded_broker_and_turn_idempotence_off() -> None:
    settings = load_settings()
    assert settings.embedded is False  # only when asked: --demo, --embedded or NEWS_INGEST_KAFKA__EMBEDDED
    assert settings.producer.enable_idempotence is False
    assert settings.topics.raw == "news.articles.raw.v1"


def test_nested_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    monkeypatch.setenv("NEWS_INGEST_CONSUMER__MAX_BATCH_RECORDS", "64")
    monkeypatch.setenv("NEWS_INGEST_PRODUCER__COMPRESSION_TYPE", "gzip")
    settings = load_settings()
    assert settings.kafka.bootstrap_servers == "k1:9092,k2:9092"
    assert settings.embedded is False
    assert settings.consumer.max_batch_records == 64
    assert settings.producer.compression_type == "gzip"


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.consumer.group_id = "other"  # type: ignore[misc]


def test_invalid_value_is_refused_with_the_field_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_PRODUCER__ACKS", "sometimes")
    with pytest.raises(ValidationError, match=r"producer\.acks"):
        load_settings()


def test_unknown_nested_key_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(kafka={"bootstrap_server": "typo:9092"})  # type: ignore[arg-type]


def test_secrets_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SASL_PASSWORD", "hunter2")
    settings = load_settings()
    assert settings.kafka.sasl_password is not None
    assert settings.kafka.sasl_password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(settings)
    assert masked(settings)["kafka"]["sasl_password"] == "**********"


def test_redis_url_may_hold_a_password_so_it_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_REDIS__URL", "redis://:hunter2@index.internal:6379/0")
    settings = load_settings()
    assert settings.redis.url is not None
    assert settings.redis.url.get_secret_value().endswith("@index.internal:6379/0")
    assert "hunter2" not in repr(settings)
    assert masked(settings)["redis"]["url"] == "**********"


def test_config_command_prints_effective_settings_without_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SASL_PASSWORD", "hunter2")
    monkeypatch.setenv("NEWS_INGEST_CONSUMER__GROUP_ID", "team-a")
    assert main(["config"]) == 0
    printed = capsys.readouterr().out
    assert "hunter2" not in printed
    assert orjson.loads(printed)["consumer"]["group_id"] == "team-a"


def test_invalid_settings_exit_with_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWS_INGEST_HTTP__PORT", "not-a-port")
    assert main(["config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("news-ingest: error: invalid settings: NEWS_INGEST_HTTP__PORT: ")
    assert err.count("\n") == 1


def test_a_misspelt_variable_stops_the_start_with_the_closest_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWS_INGEST_KAFKA_BOOTSTRAP_SERVERS", "prod-kafka:9092")  # one underscore
    assert main(["config"]) == 2
    assert capsys.readouterr().err == (
        "news-ingest: error: unknown setting NEWS_INGEST_KAFKA_BOOTSTRAP_SERVERS: did you mean "
        "NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS?\n"
    )


def test_an_unknown_variable_far_from_any_name_is_refused_too() -> None:
    problems = unknown_variables({"NEWS_INGEST_COLOUR": "blue", "OTHER_APP_SETTING": "1", "PATH": "/bin"})
    assert problems == ["unknown setting NEWS_INGEST_COLOUR (`news-ingest config` shows every setting)"]


def test_every_known_variable_passes() -> None:
    assert unknown_variables(dict.fromkeys(variable_names(), "x")) == []


def test_list_settings_read_comma_separated_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_DEDUP__PRELOAD_LANGUAGES", "en,de")
    monkeypatch.setenv("NEWS_INGEST_RUNTIME__TRACE_HEADERS", '["traceparent", "x-b3"]')
    settings = load_settings()
    assert settings.dedup.preload_languages == ("en", "de")
    assert settings.runtime.trace_headers == ("traceparent", "x-b3")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"NEWS_INGEST_DEDUP__BANDS": "10"}, "NEWS_INGEST_DEDUP__*: bands (10) must divide permutations (64)"),
        (
            {"NEWS_INGEST_DEDUP__STORY_LONG_SIMILARITY": "0.2"},
            "story_long_similarity (0.2) must be at least story_similarity (0.25)",
        ),
        (
            {"NEWS_INGEST_DEDUP__STORY_SHORT_SIMILARITY": "0.4"},
            "story_short_similarity (0.4) must be at most story_similarity (0.25)",
        ),
        ({"NEWS_INGEST_CONSUMER__REPLICAS": "3"}, "consumer.replicas is 3 but redis.url is unset"),
        (
            {"NEWS_INGEST_KAFKA__EMBEDDED": "true", "NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS": "k:9092"},
            "embedded and bootstrap_servers are both set",
        ),
        ({"NEWS_INGEST_DEDUP__PRELOAD_LANGUAGES": "[en"}, "NEWS_INGEST_DEDUP__PRELOAD_LANGUAGES: "),
    ],
)
def test_cross_field_rules_are_checked_when_the_settings_load(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert main(["config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("news-ingest: error: invalid settings: ")
    assert message in err
    assert err.count("\n") == 1


def test_several_replicas_with_the_shared_index_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_CONSUMER__REPLICAS", "3")
    monkeypatch.setenv("NEWS_INGEST_REDIS__URL", "redis://index:6379/0")
    assert load_settings().consumer.replicas == 3
