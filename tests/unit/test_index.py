"""The in-memory dedup index beyond the shared contract: time generations, the size cap, the sketch."""

from __future__ import annotations

from news_ingest.config import DedupSettings
from news_ingest.deduplicate import thresholds
from news_ingest.index import InMemoryDedupIndex
from news_ingest.models import DedupStatus
from tests.dedup_cases import OTHER, STORY, candidate


async def test_articles_older_than_the_window_are_forgotten_whole() -> None:
    index = InMemoryDedupIndex(thresholds(DedupSettings(window_hours=12, generation_hours=6)))
    await index.check_and_insert([candidate(STORY, source="raw/0/1", url="https://a.example/x", generation=10)])
    await index.check_and_insert([candidate(OTHER, source="raw/0/2", generation=12)])  # window moves on
    (late,) = await index.check_and_insert([candidate(STORY, source="raw/0/3", url="https://a.example/x",
                                                      generation=12)])  # fmt: skip
    assert late.status is DedupStatus.UNIQUE
    assert await index.size() == 2


async def test_max_entries_drops_the_oldest_generation_whole() -> None:
    bounded = InMemoryDedupIndex(thresholds(DedupSettings(max_entries=3)))
    texts = [" ".join(f"story{n}word{k}" for k in range(40)) for n in range(6)]  # six unrelated articles
    await bounded.check_and_insert([candidate(t, source=f"raw/0/{n}", generation=n) for n, t in enumerate(texts)])
    assert await bounded.size() == 3
    (again,) = await bounded.check_and_insert([candidate(texts[0], source="raw/0/9", generation=6)])
    assert again.status is DedupStatus.UNIQUE  # the oldest article was dropped to respect the cap
