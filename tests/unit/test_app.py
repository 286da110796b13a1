"""The composition root picks the dedup index from the settings and settles the heap before consuming."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import AsyncExitStack

import pytest
from pydantic import SecretStr

from news_ingest.app import open_index, settle_heap
from news_ingest.config import DedupSettings, RedisSettings, RuntimeSettings, Settings
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.redis_index import RedisDedupIndex


async def test_without_a_redis_url_the_index_lives_in_memory() -> None:
    async with AsyncExitStack() as stack:
        assert isinstance(await open_index(DedupSettings(), RedisSettings(), stack), InMemoryDedupIndex)


async def test_a_redis_url_selects_the_shared_index() -> None:
    settings = Settings(redis=RedisSettings(url=SecretStr("redis://127.0.0.1:1/0")))
    async with AsyncExitStack() as stack:
        index = await open_index(settings.dedup, settings.redis, stack)  # connects lazily: nothing listens on port 1
        assert isinstance(index, RedisDedupIndex)


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector's state as the test found it, restored afterwards."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("collector")
def test_settling_freezes_the_start_up_heap_and_raises_the_young_threshold() -> None:
    built_at_start = {"gazetteer": [list(range(3)) for _ in range(1_000)]}
    settle_heap(RuntimeSettings(gc_young_threshold=40_000))
    assert gc.get_freeze_count() >= 1_000  # the lists above, at least, are out of the collector's sight
    assert gc.get_threshold()[0] == 40_000
    assert len(built_at_start["gazetteer"]) == 1_000


@pytest.mark.usefixtures("collector")
def test_cycles_made_after_settling_are_still_collected() -> None:
    settle_heap(RuntimeSettings())

    class Node:
        pass

    first, second = Node(), Node()
    first.other, second.other = second, first  # type: ignore[attr-defined]
    gone = weakref.ref(first)
    del first, second
    gc.collect()
    assert gone() is None


@pytest.mark.usefixtures("collector")
def test_a_zero_threshold_keeps_pythons_default() -> None:
    gc.set_threshold(700, 10, 10)
    settle_heap(RuntimeSettings(gc_young_threshold=0))
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() > 0
