"""Quality evaluations run by ``news-ingest eval``: loaders for labelled data and the scoring loop."""

from __future__ import annotations

import gzip
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from selectolax.lexbor import LexborHTMLParser

from news_ingest.errors import InputRejected
from news_ingest.evaluation.scoring import Score, mean, token_overlap, tokens
from news_ingest.models import RawArticle
from news_ingest.normalise.stage import Normaliser

_L3S_CONTENT = ("x-nc-sel1", "x-nc-sel2")  # headline, full text
_L3S_RELATED = ("x-nc-sel4",)  # links to and blurbs of other articles


@dataclass(frozen=True, slots=True)
class LabelledPage:
    """One page: its HTML (or text), the gold article text, and text labelled as related content, if any."""

    name: str
    body: str
    gold: str
    related: str = ""


@dataclass(frozen=True, slots=True)
class BoilerplateReport:
    """Token precision/recall/F1 of the cleaned body against gold, and how much related content leaked."""

    pages: int
    rejected_empty: int
    score: Score
    related_leak: float | None

    def lines(self, label: str) -> list[str]:
        out = [
            f"{label}: {self.pages} pages ({self.rejected_empty} came out empty)",
            (
                f"  token precision {self.score.precision:.3f}  recall {self.score.recall:.3f}"
                f"  F1 {self.score.f1:.3f}  (macro average over pages)"
            ),
        ]
        if self.related_leak is not None:
            out.append(f"  related-content tokens kept in the body: {self.related_leak:.3f} (lower is better)")
        return out


def evaluate_boilerplate(pages: Iterator[LabelledPage], normaliser: Normaliser) -> BoilerplateReport:
    """Run the normalise stage's body cleaning over each page and score it against the gold text."""
    scores, leaks, count, empty = [], [], 0, 0
    for page in pages:
        count += 1
        try:
            body = normaliser(RawArticle(url=f"https://eval.invalid/{page.name}", body=page.body)).body
        except InputRejected:
            body, empty = "", empty + 1
        scores.append(token_overlap(body, page.gold))
        if page.related.strip():
            related = tokens(page.related)
            kept = tokens(body) & related
            leaks.append(sum(kept.values()) / sum(related.values()))
    leak = sum(leaks) / len(leaks) if leaks else None
    return BoilerplateReport(pages=count, rejected_empty=empty, score=mean(scores), related_leak=leak)


def article_extraction_pages(directory: Path) -> Iterator[LabelledPage]:
    """The article-extraction-benchmark layout: ``ground-truth.json`` and ``html/<id>.html.gz``."""
    truth = orjson.loads((directory / "ground-truth.json").read_bytes())
    for item_id, record in sorted(truth.items()):
        html = gzip.decompress((directory / "html" / f"{item_id}.html.gz").read_bytes()).decode("utf-8", "replace")
        yield LabelledPage(name=item_id, body=html, gold=record["articleBody"])


def l3s_pages(tarball: Path) -> Iterator[LabelledPage]:
    """L3S-GN1 pages from the page-signal tarball: ``input/<id>.html`` with gold spans in ``GoldStandard/<id>.txt``."""
    with tarfile.open(tarball) as archive:  # read once, in archive order: seeking a .tar.gz re-inflates it
        files = {member.name: _read(archive, member) for member in archive if member.isfile()}
    gold_by_id = {name.rsplit("/", 1)[-1].removesuffix(".txt"): text for name, text in files.items()
                  if "/GoldStandard/" in name}  # fmt: skip
    for name in sorted(n for n in files if "/input/" in n and n.endswith(".html")):
        page_id = name.rsplit("/", 1)[-1].removesuffix(".html")
        if page_id not in gold_by_id:
            continue
        gold_tree = LexborHTMLParser(gold_by_id[page_id])
        yield LabelledPage(
            name=page_id,
            body=files[name],
            gold=_span_text(gold_tree, _L3S_CONTENT),
            related=_span_text(gold_tree, _L3S_RELATED),
        )


def jsonl_pages(path: Path) -> Iterator[LabelledPage]:
    """A user's own labelled data: one JSON object per line with ``body`` (HTML or text) and ``gold``."""
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if line.strip():
            record = orjson.loads(line)
            yield LabelledPage(name=str(record.get("id", number)), body=record["body"], gold=record["gold"],
                               related=record.get("related", ""))  # fmt: skip


def _read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    extracted = archive.extractfile(member)
    return extracted.read().decode("utf-8", "replace") if extracted else ""


def _span_text(tree: LexborHTMLParser, classes: tuple[str, ...]) -> str:
    selector = ",".join(f"span.{name}" for name in classes)
    return "\n".join(node.text(separator=" ") for node in tree.css(selector))
