"""Settings: one frozen object from NEWS_INGEST_* variables, secrets never shown."""

from __future__ import annotations

import orjson
import pytest
from pydantic import ValidationError

from news_ingest.cli import main
from news_ingest.config import Settings, load_settings, masked


def test_defaults_start_the_embedded_broker_with_idempotence_off() -> None:
    settings = load_settings()
    assert settings.embedded is True
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
    assert "http.port" in capsys.readouterr().err
