"""The shared dedup index in Redis: one ordered log of decided batches, replayed by every replica into its own index."""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from news_ingest.deduplicate import ledger, snapshot
from news_ingest.deduplicate.footprint import Reads, Writes, conflict
from news_ingest.deduplicate.index import Candidate, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.errors import DedupIndexUnavailable
from news_ingest.models import DedupInfo

# Keys, under one prefix with a {hash tag} (a Redis Cluster keeps the few of them in one slot):
#   log     list: the entries (``ledger.py``), oldest first
#   base    string: the position of the log's first entry (0 until it is trimmed)
#   epoch   string: a random name for this log, so a replica notices a Redis that lost its data
#   lease   string: the token of the replica deciding a batch under the lease (PX ``LEASE_SECONDS``): while it
#           is held, no other replica appends
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
local lease = redis.call('GET', KEYS[4])
if ARGV[2] == '' then
  if lease then return -2 end
elseif lease == ARGV[2] then redis.call('DEL', KEYS[4]) end
local position = tonumber(redis.call('GET', KEYS[2]) or '0') + redis.call('LLEN', KEYS[1])
if redis.call('GET', KEYS[3]) ~= ARGV[3] or position ~= tonumber(ARGV[1]) then return -1 end
redis.call('RPUSH', KEYS[1], ARGV[4])
return position + 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
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
_WAIT_SECONDS = (0.0005, 0.003)  # between tries for the lease, or to append while another replica holds it
OPTIMISTIC_DECIDES = 3  # decisions made again after conflicts before a replica takes the lease
_APPEND_TRIES = 8  # appends refused because the log moved (without a conflict) before the decisions are given up
_LEASE_MS = round(LEASE_SECONDS * 1000)
# The longest a replica waits on others' leases (to take it, or to append past it) before it gives the batch
# up as unavailable (consumption pauses and the batch is tried again): each holder appends once within
# LEASE_SECONDS, so this long means replicas keep taking it in turn, or a holder's clock or Redis is wrong.
LEASE_WAIT_SECONDS = 3 * LEASE_SECONDS
_LEASED = -2  # an append refused while another replica holds the lease


class RedisDedupIndex:
    """The dedup index shared by every replica of one consumer group.

    Redis orders the group's batches and keeps them; it decides nothing. Each replica holds an
    ``InMemoryDedupIndex`` that replays the log, so every replica's copy goes through the same states and
    makes the decisions one in-memory index would make on the whole group's stream. To decide a batch a
    replica replays what others appended since it last looked, decides the batch on its copy holding no lock,
    and appends the batch with its decisions in one compare-and-set on the log's length. If other batches
    landed meanwhile it takes its batch back out of the copy, replays them, and appends the same decisions
    if none of them wrote anything the decisions read (``footprint.py``), else decides again. After
    ``OPTIMISTIC_DECIDES`` conflicts it decides under the lease, while which no other replica appends, so no
    replica starves. Replaying costs no scoring: other replicas' decisions travel in the log. Two replicas
    receiving copies of one story at the same moment are ordered by the log: the one whose append lands
    second meets the first's article in its copy and decides again. Any Redis failure raises
    ``DedupIndexUnavailable``; an append whose outcome is unknown makes the replica rebuild its copy from the log.
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
        self.decides: Counter[str] = Counter()  # how batches were decided: first, rebased, conflict_*, leased
        self._client = aioredis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds, decode_responses=False
        )
        self._read = self._client.register_script(_READ)
        self._append_script = self._client.register_script(_APPEND)
        self._release_script = self._client.register_script(_RELEASE)
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
        await self._sync()
        decided = None
        if self._copy.can_decide_tentatively(len(batch)):  # else an expiry is due, which cannot be undone
            decided = await self._decide_optimistically(batch)
        if decided is None:
            decided = await self._decide_leased(batch)
        self._since_snapshot += len(batch)
        if self._since_snapshot >= self._snapshot_articles:
            await self._write_snapshot()
        version = self._thresholds.settings_version
        return [decision.info(version) for decision, _ in decided]

    async def track(self, partitions: Sequence[str]) -> None:
        entry = ledger.Assignment(now=self._clock(), partitions=list(partitions))
        encoded = ledger.encode_assignment(entry)
        waited = 0.0
        while True:
            await self._sync()
            position = await self._append(encoded)
            if position >= 0:
                self._copy.track_at(entry.partitions, now=entry.now)
                return
            waited = await self._pause(position, waited)

    async def _decide_optimistically(self, batch: list[Candidate]) -> list[ledger.Decided] | None:
        """Decide on the copy holding nothing, and append if the log is where the copy was. If other batches
        landed first, replay them and append the same decisions when none of them wrote what the decisions
        read (``footprint.py``), else decide again the articles whose reads they touched, and try again.
        None: ``OPTIMISTIC_DECIDES`` tries conflicted, or the appends kept being refused (the copy is then
        where the log is, without this batch)."""
        now, window = self._clock(), self._thresholds.stories.window_seconds
        decided: list[ledger.Decided] = []
        landed: Writes | None = None
        for _ in range(OPTIMISTIC_DECIDES):
            with self._copy_at_risk():
                if landed is None or landed.reshaped:
                    decided, tentative = self._copy.decide_tentatively(batch)
                else:
                    decided, tentative, again = self._copy.decide_again(batch, decided, tentative.reads, landed,
                                                                        window_seconds=window)  # fmt: skip
                    self.decides["articles_decided_again"] += again
                entry = ledger.encode_batch(ledger.Batch(now=now, candidates=batch, decided=decided))
                position = await self._append(entry)
                if position >= 0:
                    self._copy.close_batch(batch, now=now)
                    self.decides["first" if landed is None else "partly_again"] += 1
                    return decided
                self._copy.undo(tentative)
            appended, landed = await self._append_after(batch, decided, entry, tentative.reads, position, now=now)
            if landed is None:
                self.decides["rebased" if appended else "refused"] += 1
                return decided if appended else None
        return None

    async def _append_after(self, batch: list[Candidate], decided: list[ledger.Decided], entry: bytes, reads: Reads,
                            refused: int, *, now: float) -> tuple[bool, Writes | None]:  # fmt: skip
        """Replay what landed before the batch and append it, with its decisions, once nothing that landed
        wrote what they read: whether it was appended, and what landed if that conflicted."""
        moved, waited = 0, 0.0
        while moved < _APPEND_TRIES:  # waits while another replica holds the lease: at most LEASE_WAIT_SECONDS
            moved += refused != _LEASED
            waited = await self._pause(refused, waited)
            landed = Writes()
            await self._sync(writes=landed)
            reason = conflict(reads, landed, window_seconds=self._thresholds.stories.window_seconds)
            if reason is not None:
                self.decides[f"conflict_{reason}"] += 1
                return False, landed
            refused = await self._append(entry)
            if refused >= 0:
                with self._copy_at_risk():
                    self._copy.apply(batch, decided, now=now)
                return True, None
        return False, None

    async def _decide_leased(self, batch: list[Candidate]) -> list[ledger.Decided]:
        """Decide under the lease, which stops every other replica appending (so no replica starves)."""
        while True:
            token = await self._take_lease()
            now = self._clock()
            try:
                with self._copy_at_risk():
                    decided = self._copy.decide(batch, now=now)
                entry = ledger.encode_batch(ledger.Batch(now=now, candidates=batch, decided=decided))
            except BaseException:
                await self._release(token)
                raise
            if await self._append(entry, token) >= 0:
                self.decides["leased"] += 1
                return decided
            self._reset()  # the lease ran out while deciding and another replica appended: rebuilt from the log

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
            if waited > LEASE_WAIT_SECONDS:
                raise DedupIndexUnavailable(f"the dedup lease was not free for {waited:.1f} s")
            pause = random.uniform(*_WAIT_SECONDS)  # noqa: S311 - spreading retries, not security
            await asyncio.sleep(pause)
            waited += pause
        return token

    async def _sync(self, token: str = "", writes: Writes | None = None) -> bool:
        """Replay the log to its end into the local copy; with ``token``, take the lease in the first read
        (False, and nothing read, if another replica holds it); with ``writes``, note what the replayed
        entries changed."""
        reshapes = self._copy.reshapes
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
                if writes is not None:
                    writes.reshaped = True
                continue
            if snapshot != self._snapshot_position:
                self._snapshot_position, self._since_snapshot = snapshot, 0
            if self._position < base or (self._position == 0 and snapshot > 0):  # trimmed past this copy, or a new one
                await self._load_snapshot()
                if writes is not None:
                    writes.reshaped = True
                continue
            with self._copy_at_risk():
                for entry in entries:
                    self._replay(ledger.decode(entry), writes)
            if len(entries) < _READ_ENTRIES:
                if writes is not None and self._copy.reshapes != reshapes:
                    writes.reshaped = True
                return True

    def _replay(self, entry: ledger.Batch | ledger.Assignment, writes: Writes | None = None) -> None:
        if isinstance(entry, ledger.Batch):
            self._copy.apply(entry.candidates, entry.decided, now=entry.now, writes=writes)
            self._since_snapshot += len(entry.candidates)
        else:
            self._copy.track_at(entry.partitions, now=entry.now)
        self._position += 1

    async def _append(self, entry: bytes, token: str = "") -> int:
        """Append ``entry`` if the log ends where the copy is: the log's new length, or -1 if it moved on.
        Without ``token``, refused (-2) while another replica holds the lease; with it, the lease is given back
        either way. An append whose outcome is unknown resets the copy (the log will say)."""
        try:
            with _unavailable("append"):
                reply = await self._append_script(keys=self._keys, args=[self._position, token, self._epoch or b"",
                                                                         entry])  # fmt: skip
        except DedupIndexUnavailable:
            self._reset()
            raise
        if int(reply) >= 0:
            self._position = int(reply)
        return int(reply)

    async def _pause(self, refused: int, waited: float) -> float:
        """Before trying to append again: a moment if another replica holds the lease, else none. ``waited``:
        the time paused on the lease so far, returned with this pause added; past ``LEASE_WAIT_SECONDS`` the
        index is unavailable."""
        if refused != _LEASED:
            return waited
        if waited > LEASE_WAIT_SECONDS:
            raise DedupIndexUnavailable(f"another replica held the dedup lease for {waited:.1f} s")
        pause = random.uniform(*_WAIT_SECONDS)  # noqa: S311 - spreading retries, not security
        await asyncio.sleep(pause)
        return waited + pause

    async def _release(self, token: str) -> None:
        """Give the lease back at once (deciding failed): else the group waits until it expires."""
        with contextlib.suppress(RedisError):
            await self._release_script(keys=[self._keys[3]], args=[token])

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
