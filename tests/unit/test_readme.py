"""The README and docs/ stay true: their commands, settings, metrics and links exist, and every setting and metric
is documented (settings in docs/configuration.md, metrics in docs/operations.md)."""

from __future__ import annotations

import re
from pathlib import Path

from prometheus_client import CollectorRegistry

from news_ingest.cli import _parser
from news_ingest.config import Settings
from news_ingest.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
DOCS = {path.name: path.read_text() for path in sorted((ROOT / "docs").glob("*.md"))}
EVERYTHING = "\n".join([README, *DOCS.values()])


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), flags=re.MULTILINE))


def test_every_make_command_in_the_readme_and_docs_is_a_target() -> None:
    assert {"run", "test"} <= set(re.findall(r"^make ([a-z-]+)", README, flags=re.MULTILINE))
    used = set(re.findall(r"`make ([a-z-]+)`|^make ([a-z-]+)", EVERYTHING, flags=re.MULTILINE))
    assert {name for pair in used for name in pair if name} <= makefile_targets()


def test_the_readme_is_short_and_links_every_doc_and_every_link_resolves() -> None:
    assert len(README.splitlines()) <= 250
    assert {f"docs/{name}" for name in DOCS} <= set(re.findall(r"\]\((docs/[a-z-]+\.md)\)", README))
    for name, text in {"README.md": README, **{f"docs/{n}": t for n, t in DOCS.items()}}.items():
        base = ROOT if name == "README.md" else ROOT / "docs"
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (base / target).exists(), f"{name} links to {target}, which does not exist"


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_cli_command_in_the_readme_exists() -> None:
    used = set(re.findall(r"^news-ingest ([a-z]+)", README, flags=re.MULTILINE))
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert used == set(commands)


def documented_settings() -> set[str]:
    return set(re.findall(r"^\| `(NEWS_INGEST_[A-Z_]+)`", DOCS["configuration.md"], flags=re.MULTILINE))


def test_settings_table_lists_exactly_the_settings() -> None:
    actual = {
        f"NEWS_INGEST_{group.upper()}__{name.upper()}"
        for group, field in Settings.model_fields.items()
        for name in field.annotation.model_fields  # type: ignore[union-attr]
    }
    assert documented_settings() == actual


def test_metrics_table_lists_exactly_the_metrics() -> None:
    registry = CollectorRegistry()
    Metrics(registry)
    exported = {metric.name for metric in registry.collect()}
    documented = set(re.findall(r"^\| `(news_ingest_[a-z_]+)`", DOCS["operations.md"], flags=re.MULTILINE))
    # prometheus_client strips _total from counter family names and _info from info families
    normalised = {re.sub(r"_(total|info)$", "", name) for name in documented}
    assert normalised == exported
