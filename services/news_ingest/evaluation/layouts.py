"""Layout invariance: the same article in every layout feeds use must come out as the same record.

Each story is rendered in every layout of ``renderings`` and run through the normalise stage, the tag stage
and the dedup sketch; the record (paragraphs, title, related headlines, dateline, countries with salience,
entities, the sketch) must equal the blank-line rendering's, where the teaser layout also expects the
teased headlines in ``related``. Stories come from the shared sets (BBC News, Reuters-21578, MEANTIME, the
article-extraction benchmark's gold texts) or a user's JSONL.
"""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.errors import InputRejected
from news_ingest.evaluation.renderings import LAYOUTS, REFERENCE, Rendered, Story
from news_ingest.models import Article, RawArticle
from news_ingest.normalise import text
from news_ingest.normalise.stage import Normaliser
from news_ingest.tag.stage import Tagger

_FIELDS = ("rejected", "paragraphs", "title", "related", "dateline", "countries", "entities", "sketch")


@dataclass(frozen=True, slots=True)
class Record:
    """What one rendering came out as, field by field (``rejected`` holds the reason of a rejection)."""

    rejected: str | None
    paragraphs: tuple[str, ...] = ()
    title: str | None = None
    related: tuple[str, ...] = ()
    dateline: tuple[str | None, str | None] = (None, None)
    countries: tuple[tuple[str, float], ...] = ()
    entities: tuple[tuple[str, str, int, float], ...] = ()
    sketch: bytes = b""

    def first_difference(self, other: Record) -> tuple[str, object, object] | None:
        for name in _FIELDS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                return name, mine, theirs
        return None


@dataclass(frozen=True, slots=True)
class Difference:
    story: str
    layout: str
    field: str
    expected: object
    got: object
    body: str


@dataclass
class LayoutReport:
    """Per layout: stories compared and those that came out the same; the first differences."""

    stories: int = 0
    skipped: int = 0  # the reference rendering itself was rejected (no text)
    same: dict[str, int] = field(default_factory=dict)
    compared: dict[str, int] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)

    def share(self, layout: str) -> float:
        return self.same.get(layout, 0) / max(self.compared.get(layout, 0), 1)

    def lines(self, label: str, *, show: int = 5) -> list[str]:
        out = [f"{label}: {self.stories} stories ({self.skipped} with no text in the reference layout skipped)"]
        out.append(f"  {'layout':<14} {'invariant':>10} {'of':>6} {'share':>7}")
        out.extend(
            f"  {name:<14} {self.same[name]:>10} {self.compared[name]:>6} {self.share(name):>7.3f}"
            for name in self.compared
        )
        for difference in self.differences[:show]:
            out.extend(_side_by_side(difference))
        return out


class Checker:
    """Renders, normalises, tags and sketches one story at a time."""

    def __init__(self, normaliser: Normaliser, tagger: Tagger, deduplicator: Deduplicator) -> None:
        self._normalise = normaliser
        self._tagger = tagger
        self._dedup = deduplicator

    async def record(self, story: Story, rendered: Rendered) -> Record:
        raw = RawArticle(url=f"https://layouts.invalid/{story.id}", title=story.title, body=rendered.body)
        try:
            article = self._normalise(raw)
        except InputRejected as rejected:
            return Record(rejected=rejected.reason.value)
        return await self._record(article)

    async def _record(self, article: Article) -> Record:
        tags = (await self._tagger([article]))[0]
        candidate = self._dedup.candidate("layouts", article)
        return Record(
            rejected=None,
            paragraphs=tuple(article.body.split("\n\n")),
            title=article.title,
            related=article.related,
            dateline=(article.dateline.text, article.dateline.country),
            countries=tuple((country.code, country.salience) for country in tags.regions.countries),
            entities=tuple((e.name, e.type.value, e.mentions, e.salience) for e in tags.entities),
            sketch=candidate.signature.tobytes() + candidate.lede_signature.tobytes(),
        )

    async def compare(self, stories: Sequence[Story], *, seed: int = 7, layouts: Iterable[str] = LAYOUTS,
                      keep: int = 20) -> LayoutReport:  # fmt: skip
        """Every story in every layout against its blank-line rendering; ``keep`` differences kept."""
        chosen = [name for name in layouts if name != REFERENCE]
        report = LayoutReport(compared=dict.fromkeys(chosen, 0), same=dict.fromkeys(chosen, 0))
        for number, story in enumerate(stories):
            report.stories += 1
            reference = await self.record(story, LAYOUTS[REFERENCE](story, random.Random(seed), stories))
            if reference.rejected is not None:
                report.skipped += 1
                continue
            for name in chosen:
                rng = random.Random(f"{seed}:{name}:{number}")
                rendered = LAYOUTS[name](story, rng, stories)
                got = await self.record(story, rendered)
                expected = _with_teased(reference, rendered.teased, story.title)
                report.compared[name] += 1
                difference = expected.first_difference(got)
                if difference is None:
                    report.same[name] += 1
                elif len(report.differences) < keep:
                    report.differences.append(Difference(story.id, name, *difference, body=rendered.body))
        return report


def _with_teased(reference: Record, teased: tuple[str, ...], title: str | None) -> Record:
    """The reference record with the teased headlines added to ``related`` as the normaliser cleans them."""
    if not teased:
        return reference
    own = _words(title or "")
    related = list(reference.related)
    for headline in teased:
        clean = text.squash_spaces(text.clean_unicode(headline))
        if clean and _words(clean) != own and clean not in related:
            related.append(clean)
    return dataclasses.replace(reference, related=tuple(related))


def _words(headline: str) -> str:
    return " ".join(re.findall(r"\w+", headline.lower()))


def _side_by_side(difference: Difference, width: int = 70) -> list[str]:
    out = [f"  -- {difference.story} in {difference.layout}: {difference.field} differs"]
    expected, got = _listed(difference.expected), _listed(difference.got)
    for left, right in itertools.zip_longest(expected, got, fillvalue=""):
        if left == right:
            out.append(f"    {left[:width]:<{width}}   {right[:width]}")
            continue
        start = max(_first_unequal(left, right) - width // 3, 0)  # show where they part
        cut = "..." if start else ""
        out.append(f"    {cut + left[start : start + width]:<{width}} | {cut + right[start : start + width]}")
    return out


def _first_unequal(left: str, right: str) -> int:
    return next((n for n, (a, b) in enumerate(zip(left, right, strict=False)) if a != b), min(len(left), len(right)))


def _listed(value: object) -> list[str]:
    if isinstance(value, tuple):
        return [repr(item) if not isinstance(item, str) else item for item in value] or ["()"]
    if isinstance(value, bytes):
        return [value.hex()[:16] + "..."]
    return [repr(value)]


# -- stories


def bbc_stories(path: Path) -> Iterator[Story]:
    """BBC News: title, then paragraphs, one per line (list items have a line each within a blank-line block)."""
    for record in _gzip_jsonl(path):
        paragraphs = tuple(" ".join(p.split()) for p in record["body"].split("\n") if p.strip())
        if paragraphs:
            yield Story(record["id"], record["title"], paragraphs)


def reuters_stories(path: Path) -> Iterator[Story]:
    """Reuters-21578 as printed: the dateline, then paragraphs that start with an indent in the source."""
    for record in _gzip_jsonl(path):
        body = (record.get("body") or "").replace("\r", "")
        if "Blah blah blah" in body or body.lstrip().startswith("*"):
            continue  # the corpus' placeholder for a headline-only flash: no article text
        paragraphs = tuple(" ".join(p.split()) for p in re.split(r"\n(?=[ \t])", body) if p.strip())
        if paragraphs:
            yield Story(f"reuters-{record['newid']}", record.get("title") or None, paragraphs,
                        record.get("dateline") or None)  # fmt: skip


def meantime_stories(path: Path) -> Iterator[Story]:
    """MEANTIME (Wikinews): sentence 0 is the headline, 1 the date; the text after, two sentences a paragraph."""
    sentences: dict[str, dict[int, list[str]]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if not line.startswith("#") and len(parts) >= 4:
                sentences.setdefault(parts[0], {}).setdefault(int(parts[1]), []).append(parts[3])
    for key, numbered in sentences.items():
        texts = [_detokenise(tokens) for _, tokens in sorted(numbered.items())]
        body = texts[2:]
        paragraphs = tuple(" ".join(body[n : n + 2]) for n in range(0, len(body), 2))
        if paragraphs:
            yield Story(f"meantime-{key}", texts[0], paragraphs)


def article_extraction_stories(directory: Path) -> Iterator[Story]:
    """The article-extraction benchmark's gold article texts (blank-line paragraphs), without the HTML."""
    truth = orjson.loads((directory / "ground-truth.json").read_bytes())
    for item_id, record in sorted(truth.items()):
        paragraphs = tuple(" ".join(p.split()) for p in record["articleBody"].split("\n") if p.strip())
        if paragraphs:
            yield Story(f"aeb-{item_id[:12]}", None, paragraphs)


def jsonl_stories(path: Path) -> Iterator[Story]:
    """A user's own articles: ``{"id"?, "title"?, "body"}`` per line, paragraphs separated by blank lines."""
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if line.strip():
            record = orjson.loads(line)
            paragraphs = tuple(" ".join(p.split()) for p in re.split(r"\n\s*\n", record["body"]) if p.strip())
            if paragraphs:
                yield Story(str(record.get("id") or number), record.get("title"), paragraphs)


def shared_stories(data: Path, *, per_set: int, seed: int = 7) -> list[Story]:
    """``per_set`` stories drawn (seeded) from each shared set present under ``data``."""
    sets = (
        (data / "bbc-news" / "articles.jsonl.gz", bbc_stories),
        (data / "reuters21578" / "reuters21578.jsonl.gz", reuters_stories),
        (data / "meantime-en" / "meantime.conll.gz", meantime_stories),
        (data / "article-extraction-benchmark", article_extraction_stories),
    )
    chosen: list[Story] = []
    for path, load in sets:
        if path.exists():
            stories = list(load(path))
            chosen.extend(random.Random(seed).sample(stories, min(per_set, len(stories))))
    return chosen


_NO_SPACE_BEFORE = re.compile(r" (?=[,.;:!?%)\]}]|'s\b|n't\b|'re\b|'ve\b|'ll\b|'d\b|'m\b)")
_NO_SPACE_AFTER = re.compile(r"(?<=[(\[{$]) ")


def _detokenise(tokens: list[str]) -> str:
    joined = " ".join(tokens).replace("``", '"').replace("''", '"')
    return _NO_SPACE_AFTER.sub("", _NO_SPACE_BEFORE.sub("", joined))


def _gzip_jsonl(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rb") as lines:
        for line in lines:
            yield orjson.loads(line)
