"""The dedup index contract: every backend is held to these (only the in-memory one exists so far)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from news_ingest.config import DedupSettings
from news_ingest.deduplicate import thresholds
from news_ingest.index import Candidate, DedupIndex, InMemoryDedupIndex
from news_ingest.models import DedupStatus
from news_ingest.sketch import MinHasher, shingles

HASHER = MinHasher(permutations=64)
STORY = (
    "The port authority said the harbour would reopen on Tuesday after a week of storms that damaged two "
    "piers and sank a fishing boat. Ferry operators expect normal timetables by the weekend, a spokeswoman "
    "said, while repairs to the northern breakwater will take until the spring. The mayor thanked the crews."
)
OTHER = (
    "The central bank kept its key interest rate unchanged on Wednesday, citing stubborn food prices and a "
    "weaker currency, and said it would watch wage talks in the public sector closely before moving again."
)
BACKENDS: dict[str, Callable[[DedupSettings], DedupIndex]] = {
    "memory": lambda settings: InMemoryDedupIndex(thresholds(settings)),
}


def candidate(text: str, *, source: str, url: str | None = None, generation: int = 100) -> Candidate:
    hashes = shingles(text, words=3)
    return Candidate(
        source=source,
        article_id=f"id-{abs(hash((url or source, text))) % 10**8}",
        canonical_url=url or f"https://a.example/{source}",
        content_hash=f"h-{abs(hash(text)) % 10**8}",
        signature=HASHER.signature(hashes),
        lede_signature=HASHER.signature(shingles(" ".join(text.split()[:60]), words=3)),
        shingle_count=int(hashes.size),
        generation=generation,
    )


@pytest.fixture(params=sorted(BACKENDS))
def index(request: pytest.FixtureRequest) -> DedupIndex:
    return BACKENDS[request.param](DedupSettings())


async def test_first_article_of_a_story_is_unique_and_its_own_cluster(index: DedupIndex) -> None:
    first = candidate(STORY, source="raw/0/1")
    (decision,) = await index.check_and_insert([first])
    assert decision.status is DedupStatus.UNIQUE
    assert decision.cluster_id == first.article_id
    assert decision.settings_version == DedupSettings().version()


async def test_same_canonical_url_within_window_is_exact_duplicate_by_url(index: DedupIndex) -> None:
    first = candidate(STORY, source="raw/0/1", url="https://a.example/harbour")
    again = candidate(STORY + " Updated.", source="raw/0/2", url="https://a.example/harbour")
    first_decision, second = await index.check_and_insert([first, again])
    assert (second.status, second.method, second.duplicate_of) == (
        DedupStatus.EXACT_DUPLICATE,
        "url",
        first.article_id,
    )
    assert second.cluster_id == first_decision.cluster_id


async def test_same_content_at_another_url_is_exact_duplicate_by_content(index: DedupIndex) -> None:
    first = candidate(STORY, source="raw/0/1", url="https://a.example/x")
    copy = dataclasses.replace(
        candidate(STORY, source="raw/1/7", url="https://b.example/y"), content_hash=first.content_hash
    )
    _, decision = await index.check_and_insert([first, copy])
    assert (decision.status, decision.method, decision.duplicate_of) == (
        DedupStatus.EXACT_DUPLICATE,
        "content",
        first.article_id,
    )


async def test_edited_syndicated_copy_is_a_near_duplicate_in_the_same_cluster(index: DedupIndex) -> None:
    first = candidate(STORY, source="raw/0/1")
    edited = candidate(STORY.replace("The mayor thanked the crews.", "Officials thanked rescue crews."),
                       source="raw/2/3", url="https://b.example/harbour")  # fmt: skip
    _, decision = await index.check_and_insert([first, edited])
    assert decision.status is DedupStatus.NEAR_DUPLICATE
    assert decision.method == "minhash"
    assert decision.duplicate_of == first.article_id
    assert decision.cluster_id == first.article_id
    assert decision.similarity is not None
    assert decision.similarity >= DedupSettings().near_jaccard


async def test_abridged_copy_is_caught_by_containment(index: DedupIndex) -> None:
    first = candidate(STORY + " " + OTHER.replace("central bank", "harbour board"), source="raw/0/1")
    abridged = candidate(STORY[:160], source="raw/1/1", url="https://c.example/short")
    _, decision = await index.check_and_insert([first, abridged])
    assert decision.status is DedupStatus.NEAR_DUPLICATE
    assert decision.method == "containment"
    assert decision.duplicate_of == first.article_id


async def test_different_story_is_unique(index: DedupIndex) -> None:
    _, decision = await index.check_and_insert([candidate(STORY, source="raw/0/1"), candidate(OTHER, source="raw/0/2")])
    assert decision.status is DedupStatus.UNIQUE


async def test_a_reconsumed_offset_gets_its_first_decision_not_duplicate_of_itself(index: DedupIndex) -> None:
    first = candidate(STORY, source="raw/0/1")
    copy = candidate(STORY + " More.", source="raw/0/2", url="https://b.example/z")
    decisions = await index.check_and_insert([first, copy])
    replayed = await index.check_and_insert([first, copy])  # a crash before commit: the batch comes back
    assert replayed == decisions
    assert replayed[0].status is DedupStatus.UNIQUE


async def test_articles_older_than_the_window_are_forgotten_whole(index: DedupIndex) -> None:
    settings = DedupSettings(window_hours=12, generation_hours=6)
    index = BACKENDS["memory"](settings)
    await index.check_and_insert([candidate(STORY, source="raw/0/1", url="https://a.example/x", generation=10)])
    await index.check_and_insert([candidate(OTHER, source="raw/0/2", generation=12)])  # window moves on
    (late,) = await index.check_and_insert([candidate(STORY, source="raw/0/3", url="https://a.example/x",
                                                      generation=12)])  # fmt: skip
    assert late.status is DedupStatus.UNIQUE
    assert index.size() == 2


async def test_max_entries_bounds_the_index(index: DedupIndex) -> None:
    bounded = BACKENDS["memory"](DedupSettings(max_entries=3))
    texts = [f"{OTHER} Story number {n} is about item {n * 7} in district {n * 13}." for n in range(6)]
    await bounded.check_and_insert([candidate(t, source=f"raw/0/{n}", generation=n) for n, t in enumerate(texts)])
    assert bounded.size() <= 3


def test_signature_agrees_with_true_jaccard_within_sampling_error() -> None:
    a, b = shingles(STORY, words=3), shingles(STORY[:200], words=3)
    true = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    estimate = float(np.mean(HASHER.signature(a) == HASHER.signature(b)))
    assert abs(estimate - true) < 3 * (true * (1 - true) / 64) ** 0.5 + 0.02
