"""The composition root picks the dedup index from the settings."""

from __future__ import annotations

from contextlib import AsyncExitStack

from pydantic import SecretStr

from news_ingest.app import open_index
from news_ingest.config import RedisSettings, Settings
from news_ingest.index import InMemoryDedupIndex
from news_ingest.store import RedisDedupIndex


async def test_without_a_redis_url_the_index_lives_in_memory() -> None:
    async with AsyncExitStack() as stack:
        assert isinstance(await open_index(Settings(), stack), InMemoryDedupIndex)


async def test_a_redis_url_selects_the_shared_index() -> None:
    settings = Settings(redis=RedisSettings(url=SecretStr("redis://127.0.0.1:1/0")))
    async with AsyncExitStack() as stack:
        index = await open_index(settings, stack)  # connects lazily: nothing listens on port 1
        assert isinstance(index, RedisDedupIndex)
