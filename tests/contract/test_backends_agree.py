"""Both index backends make the same decisions on the same random streams (hypothesis).

A stream mixes new stories, exact re-posts (same URL, or the same text at another URL), edited and abridged
copies, other write-ups of a story, and re-consumed offsets, in random batch sizes, all within one window, so
that neither backend's expiry applies (their clocks differ on purpose: see docs/deduplicate.md).
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from news_ingest.config import DedupSettings
from news_ingest.deduplicate.index import Candidate, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.redis_index import RedisDedupIndex
from news_ingest.redis_server import LocalRedis
from tests.dedup_cases import FIRE, FIRE_RETOLD, OTHER, OTHER_FIRE, STORY, candidate

pytestmark = pytest.mark.integration
TEXTS = (STORY, OTHER, FIRE, FIRE_RETOLD, OTHER_FIRE)
EDITS = ("as written", "edited", "abridged", "extended")


def variant(text: str, edit: str, n: int) -> str:
    if edit == "edited":
        return text.replace(" the ", f" the {['new', 'old', 'main'][n % 3]} ", 1)
    if edit == "abridged":
        return text[: max(60, len(text) * (40 + n % 50) // 100)]
    if edit == "extended":
        return f"{text} Officials said more details would follow later on day {n}."
    return text


steps = st.lists(
    st.tuples(st.integers(0, len(TEXTS) - 1), st.sampled_from(EDITS), st.integers(0, 40), st.integers(0, 9)),
    min_size=1,
    max_size=40,
)


def stream(chosen: list[tuple[int, str, int, int]]) -> list[Candidate]:
    """Candidates in order; ``url`` picks one of a few addresses per text (so URLs repeat), offsets repeat
    when a step re-consumes an earlier one."""
    built: list[Candidate] = []
    for n, (text, edit, url, replay) in enumerate(chosen):
        if replay == 0 and built:
            built.append(built[n * 7 % len(built)])  # the same offset again (after a crash or rebalance)
            continue
        body = variant(TEXTS[text], edit, n)
        moment = 1_790_000_000.0 + 60 * n
        built.append(candidate(body, source=f"raw/{n % 3}/{n}", url=f"https://s{url}.example/{text}",
                               timestamp=moment, generation=int(moment // (6 * 3600))))  # fmt: skip
    return built


@pytest.mark.timeout(300)
def test_memory_and_redis_decide_every_random_stream_alike(redis_server: LocalRedis) -> None:
    dedup = DedupSettings()

    async def both(candidates: list[Candidate], cuts: list[int]) -> None:
        memory = InMemoryDedupIndex(Thresholds.from_settings(dedup))
        redis = RedisDedupIndex(url=redis_server.url, thresholds=Thresholds.from_settings(dedup),
                                key_prefix=f"agree:{{{uuid.uuid4().hex}}}:",
                                timeout_seconds=10.0)  # fmt: skip
        try:
            start = 0
            for size in [*cuts, len(candidates)]:
                batch = candidates[start : start + max(size, 1)]
                if not batch:
                    break
                assert await memory.check_and_insert(batch) == await redis.check_and_insert(batch), start
                start += len(batch)
        finally:
            await redis.aclose()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps, st.lists(st.integers(1, 8), max_size=10))
    def check(chosen: list[tuple[int, str, int, int]], cuts: list[int]) -> None:
        asyncio.run(both(stream(chosen), cuts))

    check()
