"""The shared dedup index in Redis: one ordered log of decided batches, replayed by every replica into its own index."""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from news_ingest.deduplicate import ledger, snapshot
from news_ingest.deduplicate.index import Candidate, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.errors import DedupIndexUnavailable
from news_ingest.models import DedupInfo

# Keys, under one prefix with a {hash tag} (a Redis Cluster keeps the few of them in one slot):
#   log     list: the entries (``ledger.py``), oldest first
#   base    string: the position of the log's first entry (0 until it is trimmed)
#   epoch   string: a random name for this log, so a replica notices a Redis that lost its data
#   lease   string: the token of the replica deciding a batch now (PX ``LEASE_SECONDS``)
#   snapshot            hash: id, position, parts of the latest snapshot (``snapshot.py``) of a replica's copy
#   snapshot:<id>:<n>   string: its parts; publishing one trims the log to the one before it
#   snapshotting        string: held (PX) by the replica writing one
_READ = """
redis.call('SET', KEYS[3], ARGV[2], 'NX')
if ARGV[4] ~= '' and not redis.call('SET', KEYS[4], ARGV[4], 'NX', 'PX', ARGV[5]) then return {0} end
local base = tonumber(redis.call('GET', KEYS[2]) or '0')
local from = tonumber(ARGV[1]) - base
local head = {1, redis.call('GET', KEYS[3]), base, redis.call('LLEN', KEYS[1]),
              tonumber(redis.call('HGET', KEYS[5], 'position') or '0')}
if from < 0 then return head end
return {head, redis.call('LRANGE', KEYS[1], from, from + tonumber(ARGV[3]) - 1)}
"""
_APPEND = """
if redis.call('GET', KEYS[4]) == ARGV[2] then redis.call('DEL', KEYS[4]) end
local position = tonumber(redis.call('GET', KEYS[2]) or '0') + redis.call('LLEN', KEYS[1])
if redis.call('GET', KEYS[3]) ~= ARGV[3] or position ~= tonumber(ARGV[1]) then return -1 end
redis.call('RPUSH', KEYS[1], ARGV[4])
return position + 1
"""
_PUBLISH = """
if redis.call('GET', KEYS[3]) ~= ARGV[4] or (redis.call('HGET', KEYS[5], 'id') or '') ~= ARGV[5] then return 0 end
local old = tonumber(redis.call('HGET', KEYS[5], 'position') or '0')
if tonumber(ARGV[2]) <= old then return 0 end
redis.call('HSET', KEYS[5], 'id', ARGV[1], 'position', ARGV[2], 'parts', ARGV[3])
for k = 6, #KEYS do redis.call('DEL', KEYS[k]) end
local base = tonumber(redis.call('GET', KEYS[2]) or '0')
if old > base then
  redis.call('LTRIM', KEYS[1], old - base, -1)
  redis.call('SET', KEYS[2], old)
end
return 1
"""
SNAPSHOT_ARTICLES = 200_000  # a snapshot after about this many articles since the last one
_PART_BYTES = 64 * 2**20  # a snapshot part (Redis strings hold at most 512 MiB)
LEASE_SECONDS = 5.0  # longer than deciding one batch takes; a replica that dies holding it blocks the group this long
_READ_ENTRIES = 16  # per read: a batch entry is ~1 KB per article
_WAIT_SECONDS = (0.0005, 0.003)  # between tries for the lease
_LEASE_MS = round(LEASE_SECONDS * 1000)


class RedisDedupIndex:
    """The dedup index shared by every replica of one consumer group.

    Redis orders the group's batches and keeps them; it decides nothing. Each replica holds an
    ``InMemoryDedupIndex`` that replays the log, so every replica's copy goes through the same states and
    makes the decisions one in-memory index would make on the whole group's stream. To decide a batch a
    replica takes the lease, replays what others appended since it last looked, decides the batch on its
    copy and appends the batch with its decisions, in one compare-and-set that fails if the log moved (a
    lease that expired meanwhile). Replaying costs no scoring: other replicas' decisions travel in the log.
    Two replicas receiving copies of one story at the same moment are ordered by the lease: the second sees
    the first. Any Redis failure raises ``DedupIndexUnavailable``; an append whose outcome is unknown makes the
    replica rebuild its copy from the log.
    """

    def __init__(self, *, url: str, thresholds: Thresholds, key_prefix: str, timeout_seconds: float,
                 clock: Callable[[], float] = time.time,
                 snapshot_articles: int = SNAPSHOT_ARTICLES) -> None:  # fmt: skip
        self._thresholds = thresholds
        self._clock = clock
        self._prefix = key_prefix
        self._keys = [key_prefix + name for name in ("log", "base", "epoch", "lease", "snapshot")]
        self._snapshot_articles = snapshot_articles
        self._since_snapshot = 0  # articles this replica saw since the latest snapshot it knows of
        self._snapshot_position = 0
        self._client = aioredis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds, decode_responses=False
        )
        self._read = self._client.register_script(_READ)
        self._append = self._client.register_script(_APPEND)
        self._publish = self._client.register_script(_PUBLISH)
        self._reset()

    def _reset(self) -> None:
        """Forget the local copy: the next call replays the log from its start."""
        self._copy = InMemoryDedupIndex(self._thresholds, clock=self._clock)
        self._position = 0
        self._epoch: bytes | None = None

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
        batch = [ledger.compact(candidate) for candidate in candidates]
        while True:
            token = await self._take_lease()
            now = self._clock()
            with self._copy_at_risk():
                decided = self._copy.decide(batch, now=now)
            if await self._commit(token, ledger.encode_batch(ledger.Batch(now=now, candidates=batch, decided=decided))):
                self._since_snapshot += len(batch)
                if self._since_snapshot >= self._snapshot_articles:
                    await self._write_snapshot()
                version = self._thresholds.settings_version
                return [decision.info(version) for decision, _ in decided]

    async def track(self, partitions: Sequence[str]) -> None:
        while True:
            token = await self._take_lease()
            assignment = ledger.Assignment(now=self._clock(), partitions=list(partitions))
            self._copy.track_at(assignment.partitions, now=assignment.now)
            if await self._commit(token, ledger.encode_assignment(assignment)):
                return

    async def watermark(self) -> float:
        await self._sync()
        return await self._copy.watermark()

    async def ping(self) -> None:
        with _unavailable("ping"):
            await self._client.ping()

    async def size(self) -> int:
        await self._sync()
        return await self._copy.size()

    async def memory_bytes(self) -> int:
        """Redis ``used_memory``: the whole server, so give the index a Redis (or database) of its own. Each
        replica holds a copy of the index besides (``InMemoryDedupIndex.memory_bytes`` of it)."""
        with _unavailable("info"):
            return int((await self._client.info("memory"))["used_memory"])

    async def _take_lease(self) -> str:
        """Replay the log, then take the lease (and replay what was appended meanwhile): the token."""
        await self._sync()
        token, waited = secrets.token_hex(8), 0.0
        while not await self._sync(token):
            if waited > 3 * LEASE_SECONDS:
                raise DedupIndexUnavailable(f"the dedup lease was not free for {waited:.0f} s")
            pause = random.uniform(*_WAIT_SECONDS)  # noqa: S311 - spreading retries, not security
            await asyncio.sleep(pause)
            waited += pause
        return token

    async def _sync(self, token: str = "") -> bool:
        """Replay the log to its end into the local copy; with ``token``, take the lease in the first read
        (False, and nothing read, if another replica holds it)."""
        while True:
            with _unavailable("read"):
                reply: list[Any] = await self._read(
                    keys=self._keys, args=[self._position, secrets.token_hex(8), _READ_ENTRIES, token, _LEASE_MS]
                )
            if reply[0] == 0:
                return False
            token = ""  # taken, if asked for
            (_, epoch, base, length, snapshot), entries = (reply, []) if len(reply) == 5 else (reply[0], reply[1])
            if epoch != self._epoch or self._position > base + length:  # a new log: Redis lost its data
                self._reset()
                self._epoch = epoch
                continue
            if snapshot != self._snapshot_position:
                self._snapshot_position, self._since_snapshot = snapshot, 0
            if self._position < base or (self._position == 0 and snapshot > 0):  # trimmed past this copy, or a new one
                await self._load_snapshot()
                continue
            with self._copy_at_risk():
                for entry in entries:
                    self._replay(ledger.decode(entry))
            if len(entries) < _READ_ENTRIES:
                return True

    def _replay(self, entry: ledger.Batch | ledger.Assignment) -> None:
        if isinstance(entry, ledger.Batch):
            self._copy.apply(entry.candidates, entry.decided, now=entry.now)
            self._since_snapshot += len(entry.candidates)
        else:
            self._copy.track_at(entry.partitions, now=entry.now)
        self._position += 1

    async def _commit(self, token: str, entry: bytes) -> bool:
        """Append what the local copy just did, if the log is where the copy found it (False: it moved on,
        and the copy is rebuilt from the log); the lease is given back either way."""
        try:
            with _unavailable("append"):
                position = int(await self._append(keys=self._keys, args=[self._position, token, self._epoch or b"",
                                                                        entry]))  # fmt: skip
        except DedupIndexUnavailable:
            self._reset()  # appended or not, unknown: the log says
            raise
        if position < 0:
            self._reset()
            return False
        self._position = position
        return True

    async def _write_snapshot(self) -> None:
        """Save this copy (at its position) for replicas that start later, and trim the log to the previous
        snapshot: a replica a few batches behind still replays the log rather than loading a snapshot. One
        replica at a time; a failure leaves the previous snapshot and the log as they were."""
        self._since_snapshot = 0
        name = secrets.token_hex(8)
        lock = self._prefix + "snapshotting"
        data, position = snapshot.dump(self._copy), self._position
        parts = [data[at : at + _PART_BYTES] for at in range(0, len(data), _PART_BYTES)] or [b""]
        keys = [f"{self._prefix}snapshot:{name}:{n}" for n in range(len(parts))]
        with _unavailable("snapshot"):
            if not await self._client.set(lock, name, nx=True, px=60_000):
                return
            try:
                held: list[Any] = await self._client.hmget(self._keys[4], ["id", "parts"])
                old = [f"{self._prefix}snapshot:{held[0].decode()}:{n}" for n in range(int(held[1]))] if held[0] else []
                for key, part in zip(keys, parts, strict=True):
                    await self._client.set(key, part)
                published = await self._publish(keys=[*self._keys, *old], args=[
                    name, position, len(parts), self._epoch or b"", held[0] or b""])  # fmt: skip
                if not published:
                    await self._client.delete(*keys)
            finally:
                await self._client.delete(lock)

    async def _load_snapshot(self) -> None:
        """The latest snapshot as this replica's copy."""
        with _unavailable("snapshot read"):
            held: list[Any] = await self._client.hmget(self._keys[4], ["id", "position", "parts"])
            if not held[0]:
                raise DedupIndexUnavailable("the dedup log was trimmed and holds no snapshot", retriable=False)
            name, position, count = held[0].decode(), int(held[1]), int(held[2])
            parts: list[Any] = [await self._client.get(f"{self._prefix}snapshot:{name}:{n}") for n in range(count)]
        if any(part is None for part in parts):
            raise DedupIndexUnavailable("the dedup snapshot was replaced while read")
        with self._copy_at_risk():
            self._copy = snapshot.load(b"".join(part or b"" for part in parts), self._thresholds, clock=self._clock)
        self._position = position

    @contextmanager
    def _copy_at_risk(self) -> Iterator[None]:
        """A copy interrupted half-way through a batch is rebuilt from the log."""
        try:
            yield
        except BaseException:
            self._reset()
            raise


@contextmanager
def _unavailable(action: str) -> Iterator[None]:
    """Any Redis failure becomes the retriable ``DedupIndexUnavailable``."""
    try:
        yield
    except RedisError as error:
        raise DedupIndexUnavailable(f"redis {action} failed: {error}") from error
