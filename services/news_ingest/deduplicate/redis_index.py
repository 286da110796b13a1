"""The shared dedup index in Redis: one atomic Lua call per batch, so many replicas make one set of decisions."""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np
import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from news_ingest.deduplicate.index import BAND_CANDIDATES, Candidate, Thresholds, band_keys
from news_ingest.deduplicate.stories import CANDIDATES, RECENT_STORIES, SEED_TERMS
from news_ingest.deduplicate.watermark import RUN_AHEAD, partition_of
from news_ingest.errors import DedupIndexUnavailable
from news_ingest.models import DedupInfo, DedupMethod, DedupStatus

# The same decision rules as ``InMemoryDedupIndex``, run inside Redis so that check and insert are one atomic
# step for the whole batch: two replicas that receive copies of one story at the same moment are serialised
# by Redis, and exactly one of them sees "nothing like this yet". Floating-point steps are written in the same
# order as the Python twin, so both backends give bit-identical similarities.
#
# Layout (every key under one prefix with a {hash tag}, so a Redis Cluster keeps them in one slot). Small
# values live as fields of 65,536 bucket hashes, which Redis stores as compact listpacks; per-key overhead
# would otherwise cost several times the data:
#   s:<source>          string: the packed decision for an input offset (replays get it back)   TTL = exact window
#   a:<article id>      hash: s, l (sketches), n (shingles), k (cluster), b (band keys), u, c    TTL = 2 x exact
#                       (wall time, a safety net: entries leave by event time, below)
#   b:<2 bytes>         hash: rest of a 64-bit band key -> 16-byte binary article ids, concatenated: the first
#                       and the last BAND_CANDIDATES - 1 (a story copied 20,000 times costs what 16 copies do)
#   u:<2 bytes>, c:...  hash: rest of a 96-bit URL / content digest -> first article id (hex)
#   entries             sorted set: article ids by retention generation (event time); trimming it forgets them
#                       (exact window, max_entries)
#   sketched            sorted set: the same, while their sketches are kept; trimming it drops s, l, n, b and the
#                       band lists' ids (sketch window)
#   wm                  hash: partition -> its RUN_AHEAD highest article times and the wall time last heard
#   wmark               string: the watermark (event time, seconds), never moved back (``watermark.py``)
#   st:<story id>       hash: centroid weight per 8-byte term digest, _o (digests in first-seen order), _n (norm),
#                       _m (members), _t (latest member's article time)                     TTL = 2 x story window
#   t:<2 bytes>         hash: rest of a term id -> 16-byte binary ids of the last RECENT_STORIES stories to gain it
#   stories             sorted set: story ids by latest member's article time; trimmed a story window behind
# Bucket hashes carry no TTL (refreshing one on every write cost a third of the script's time): trimming the
# entries set removes their fields, a bounded number per batch, also after a long pause.
_HEX_ID = re.compile(r"[0-9a-f]{32}")
_SCRIPT_PATH = Path(__file__).with_name("check_and_insert.lua")


class RedisDedupIndex:
    """The dedup index shared by every replica of one consumer group.

    One ``EVALSHA`` per batch (the client reloads the script if Redis restarted). Entries follow the same
    event-time watermark as the in-memory index (``watermark.py``, state in Redis, so every replica moves
    one watermark): sketches leave ``window_hours`` behind it, exact keys ``exact_window_hours`` behind it;
    ``max_entries`` drops the oldest first. ``clock`` is wall time, for partitions gone silent only. Any
    Redis failure raises ``DedupIndexUnavailable``: the worker retries the batch, publishes nothing
    meanwhile, and readiness is false.
    """

    def __init__(self, *, url: str, thresholds: Thresholds, key_prefix: str, timeout_seconds: float,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self._thresholds = thresholds
        self._prefix = key_prefix
        self._clock = clock
        self._ttl_ms = max(1, round(thresholds.exact_generations * thresholds.generation_seconds * 1000))
        self._client = aioredis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds, decode_responses=False
        )
        self._script = self._client.register_script(_SCRIPT_PATH.read_text())  # read once, when opened

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def check_and_insert(self, candidates: Sequence[Candidate]) -> list[DedupInfo]:
        if not candidates:
            return []
        limits = self._thresholds
        named = {
            "prefix": self._prefix, "settings_version": limits.settings_version, "ttl_ms": str(self._ttl_ms),
            "near_jaccard": repr(limits.near_jaccard), "containment": repr(limits.containment),
            "lede_jaccard": repr(limits.lede_jaccard), "lede_containment": repr(limits.lede_containment),
            "max_entries": str(limits.max_entries), "max_forget": str(2 * len(candidates) + 100),
            "story_similarity": repr(limits.stories.similarity),
            "story_window_seconds": repr(limits.stories.window_seconds), "story_members": str(limits.stories.members),
            "seed_terms": str(SEED_TERMS), "recent_stories": str(RECENT_STORIES), "story_candidates": str(CANDIDATES),
            "band_candidates": str(BAND_CANDIDATES), "now": repr(self._clock()),
            "window_generations": str(limits.window_generations), "exact_generations": str(limits.exact_generations),
            "generation_seconds": repr(limits.generation_seconds), "lateness": repr(limits.lateness_seconds),
            "idle": repr(limits.idle_seconds), "run_ahead": str(RUN_AHEAD),
        }  # fmt: skip
        args: list[bytes | str | int | float] = [orjson.dumps(named)]
        for candidate in candidates:
            bands = np.array(band_keys(candidate.signature, candidate.lede_signature, limits.bands), dtype=">u8")
            args += [
                candidate.source, candidate.article_id, _digest(candidate.canonical_url),
                _digest(candidate.content_hash), candidate.signature.tobytes(), candidate.lede_signature.tobytes(),
                candidate.shingle_count, bands.tobytes(), b"".join(digest for digest, _ in candidate.terms),
                " ".join(repr(weight) for _, weight in candidate.terms), repr(candidate.timestamp),
                _raw_id(candidate.article_id), candidate.generation, partition_of(candidate.source),
            ]  # fmt: skip
        with _unavailable("check-and-insert"):
            packed = await self._script(keys=[self._prefix + "entries"], args=args)
        return [_unpack(value) for value in packed]

    async def track(self, partitions: Sequence[str]) -> None:
        """Each partition's front kept, its wall time last heard set to now (as ``Watermarks.track``)."""
        key, now = self._prefix + "wm", repr(self._clock())
        with _unavailable("track"):
            held: list[bytes | str | None] = await self._client.hmget(key, list(partitions)) if partitions else []
            fields: dict[str | bytes | bytearray | memoryview | int | float, str] = {
                p: (old.decode() if isinstance(old, bytes) else old or "").split("|")[0] + "|" + now
                for p, old in zip(partitions, held, strict=True)
            }
            if fields:
                await self._client.hset(key, mapping=fields)

    async def watermark(self) -> float:
        with _unavailable("watermark"):
            value = await self._client.get(self._prefix + "wmark")
        return float(value) if value else -math.inf

    async def ping(self) -> None:
        with _unavailable("ping"):
            await self._client.ping()

    async def size(self) -> int:
        with _unavailable("size"):
            return int(await self._client.zcard(self._prefix + "entries"))

    async def memory_bytes(self) -> int:
        """Redis ``used_memory``: the whole server, so give the index a Redis (or database) of its own."""
        with _unavailable("info"):
            return int((await self._client.info("memory"))["used_memory"])


@contextmanager
def _unavailable(action: str) -> Iterator[None]:
    """Any Redis failure becomes the retriable ``DedupIndexUnavailable``."""
    try:
        yield
    except RedisError as error:
        raise DedupIndexUnavailable(f"redis {action} failed: {error}") from error


def _digest(text: str) -> bytes:
    """96 bits of the text's hash: a bucket (2 bytes) and a field (10 bytes) of the URL / content tables."""
    return hashlib.blake2b(text.encode(), digest_size=12).digest()


def _raw_id(article_id: str) -> bytes:
    """The 16 bytes stored in band and story lists; the script turns them back into lower-case hex."""
    if not _HEX_ID.fullmatch(article_id):
        raise ValueError(f"the Redis index needs 32 lower-case hex digit article ids, got {article_id!r}")
    return bytes.fromhex(article_id)


def _unpack(value: bytes) -> DedupInfo:
    status, duplicate_of, cluster_id, similarity, method, version = value.decode().split("\t")
    return DedupInfo(
        status=DedupStatus(status),
        duplicate_of=duplicate_of or None,
        cluster_id=cluster_id or None,
        similarity=round(float(similarity), 4) if similarity else None,
        method=DedupMethod(method) if method else None,
        settings_version=version,
    )
