"""Kafka security settings: SASL and TLS reach the client; wrong combinations fail at start with a clear message."""

from __future__ import annotations

import ssl

import certifi
import pytest
from pydantic import ValidationError

from news_ingest.config import KafkaSettings, Settings, masked
from news_ingest.kafka import client_options


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_over_tls_gives_the_client_the_mechanism_credentials_and_a_tls_context(mechanism: str) -> None:
    kafka = KafkaSettings(bootstrap_servers="kafka:9093", security_protocol="SASL_SSL", sasl_mechanism=mechanism,
                          sasl_username="ingest", sasl_password="s3cret", ssl_cafile=certifi.where())  # fmt: skip
    options = client_options(kafka)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == mechanism
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("ingest", "s3cret")
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert options["ssl_context"].verify_mode is ssl.CERT_REQUIRED


def test_plaintext_sends_no_credentials_and_builds_no_tls_context() -> None:
    options = client_options(KafkaSettings(bootstrap_servers="kafka:9092"))
    assert "sasl_mechanism" not in options
    assert "ssl_context" not in options


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"security_protocol": "SASL_SSL"}, "needs sasl_mechanism, sasl_username and sasl_password"),
        ({"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN", "sasl_username": "u"}, "sasl_password"),
        ({"sasl_mechanism": "SCRAM-SHA-256", "sasl_username": "u", "sasl_password": "p"}, "use SASL_PLAINTEXT"),
        ({"security_protocol": "SSL", "ssl_certfile": "/certs/client.pem"}, "needs ssl_keyfile"),
    ],
)
def test_inconsistent_security_settings_are_refused_with_what_is_missing(fields: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        KafkaSettings(bootstrap_servers="kafka:9092", **fields)  # type: ignore[arg-type]


def test_credentials_never_appear_in_the_printed_settings_or_their_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SASL_USERNAME", "ingest")
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SASL_PASSWORD", "hunter2-sasl")
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SSL_KEY_PASSWORD", "hunter2-key")
    monkeypatch.setenv("NEWS_INGEST_REDIS__URL", "redis://:hunter2-redis@redis:6379/0")
    settings = Settings()
    shown = str(masked(settings)) + repr(settings) + str(settings)
    for secret in ("hunter2-sasl", "hunter2-key", "hunter2-redis"):
        assert secret not in shown
