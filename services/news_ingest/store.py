"""The shared dedup index in Redis: one atomic Lua call per batch, so many replicas make one set of decisions."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from news_ingest.errors import DedupIndexUnavailable
from news_ingest.index import Candidate, Thresholds
from news_ingest.models import DedupInfo, DedupStatus

# The same decision rules as ``InMemoryDedupIndex``, run inside Redis so that check and insert are one atomic
# step for the whole batch: two replicas that receive copies of one story at the same moment are serialised
# by Redis, and exactly one of them sees "nothing like this yet". Floating-point steps are written in the same
# order as the Python twin, so both backends give bit-identical similarities.
#
# Keys (all under one prefix with a {hash tag}, so a Redis Cluster keeps them in one slot):
#   s:<source>         the packed decision for an input offset (replays get it back)     TTL = window
#   u:<url>, c:<hash>  the first article id per canonical URL / content hash               TTL = window
#   a:<id>             hash: s (signature), l (lede signature), n (shingles), k (cluster), u, c
#   b:<band>:<bytes>   set of article ids whose signature band has these bytes            TTL = window
#   entries            sorted set of article ids by insert time: size, and the max_entries bound
_CHECK_AND_INSERT = """
local entries = KEYS[1]
local prefix = ARGV[1]
local ttl = tonumber(ARGV[2])
local near_jaccard, min_containment = tonumber(ARGV[3]), tonumber(ARGV[4])
local lede_jaccard, lede_containment = tonumber(ARGV[5]), tonumber(ARGV[6])
local bands, max_entries, version = tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

local function pack(status, duplicate_of, cluster, similarity, method)
  return table.concat({status, duplicate_of, cluster, similarity, method, version}, '\\t')
end

local function jaccard(a, b)
  local same = 0
  for i = 1, #a, 4 do
    if string.sub(a, i, i + 3) == string.sub(b, i, i + 3) then same = same + 1 end
  end
  return same / (#a / 4)
end

local function contained(j, size, other)
  if size == 0 then return 0.0 end
  return math.min(1.0, j * (size + other) / ((1 + j) * size))
end

local function band_keys(signature, lede)
  local keys, width = {}, #signature / bands
  for band = 0, bands - 1 do
    keys[#keys + 1] = prefix .. 'b:' .. band .. ':' .. string.sub(signature, band * width + 1, (band + 1) * width)
  end
  for band = 0, bands - 1 do
    keys[#keys + 1] = prefix .. 'b:' .. (bands + band) .. ':' .. string.sub(lede, band * width + 1, (band + 1) * width)
  end
  return keys
end

local function exact(url, content)
  for _, probe in ipairs({{'url', prefix .. 'u:' .. url}, {'content', prefix .. 'c:' .. content}}) do
    local first = redis.call('GET', probe[2])
    if first then
      local cluster = redis.call('HGET', prefix .. 'a:' .. first, 'k')
      if cluster then return pack('exact_duplicate', first, cluster, '1', probe[1]) end
    end
  end
  return nil
end

local function near(signature, lede, size, keys)
  local seen = {}
  for _, key in ipairs(keys) do
    for _, member in ipairs(redis.call('SMEMBERS', key)) do
      seen[member] = seen[member] or {}
      table.insert(seen[member], key)
    end
  end
  local best_score, best_method, best_id, best_cluster = nil, nil, nil, nil
  for other_id, found_in in pairs(seen) do
    local other = redis.call('HMGET', prefix .. 'a:' .. other_id, 's', 'l', 'n', 'k')
    if not other[1] then
      for _, key in ipairs(found_in) do redis.call('SREM', key, other_id) end  -- expired: tidy the band
    else
      local similarity = jaccard(signature, other[1])
      local share = contained(similarity, size, tonumber(other[3]))
      local score, method = nil, nil
      if similarity >= near_jaccard then
        score, method = similarity, 'minhash'
      elseif share >= min_containment or (share >= lede_containment and jaccard(lede, other[2]) >= lede_jaccard) then
        score, method = share, 'containment'
      end
      if score and (best_score == nil or score > best_score or (score == best_score and other_id < best_id)) then
        best_score, best_method, best_id, best_cluster = score, method, other_id, other[4]
      end
    end
  end
  if best_score == nil then return nil end
  return pack('near_duplicate', best_id, best_cluster, string.format('%.17g', best_score), best_method)
end

local function forget(article_id)
  local key = prefix .. 'a:' .. article_id
  local fields = redis.call('HMGET', key, 'u', 'c')
  redis.call('DEL', key)
  if fields[1] and redis.call('GET', prefix .. 'u:' .. fields[1]) == article_id then
    redis.call('DEL', prefix .. 'u:' .. fields[1])
  end
  if fields[2] and redis.call('GET', prefix .. 'c:' .. fields[2]) == article_id then
    redis.call('DEL', prefix .. 'c:' .. fields[2])
  end
end

local decisions = {}
for base = 10, #ARGV, 7 do
  local source, id, url, content = ARGV[base], ARGV[base + 1], ARGV[base + 2], ARGV[base + 3]
  local signature, lede, size = ARGV[base + 4], ARGV[base + 5], tonumber(ARGV[base + 6])
  local source_key = prefix .. 's:' .. source
  local decision = redis.call('GET', source_key)
  if not decision then
    local keys = band_keys(signature, lede)
    decision = exact(url, content) or near(signature, lede, size, keys) or pack('unique', '', id, '', '')
    redis.call('SET', source_key, decision, 'PX', ttl)
    local entry = prefix .. 'a:' .. id
    if redis.call('EXISTS', entry) == 0 then
      local cluster = string.match(decision, '^[^\\t]*\\t[^\\t]*\\t([^\\t]*)')
      redis.call('HSET', entry, 's', signature, 'l', lede, 'n', size, 'k', cluster, 'u', url, 'c', content)
      redis.call('PEXPIRE', entry, ttl)
      redis.call('SET', prefix .. 'u:' .. url, id, 'PX', ttl, 'NX')
      redis.call('SET', prefix .. 'c:' .. content, id, 'PX', ttl, 'NX')
      for _, key in ipairs(keys) do
        redis.call('SADD', key, id)
        redis.call('PEXPIRE', key, ttl)
      end
      redis.call('ZADD', entries, now, id)
    end
  end
  decisions[#decisions + 1] = decision
end

redis.call('ZREMRANGEBYSCORE', entries, '-inf', now - ttl)
local excess = redis.call('ZCARD', entries) - max_entries
if excess > 0 then
  local oldest = redis.call('ZPOPMIN', entries, excess)
  for i = 1, #oldest, 2 do forget(oldest[i]) end
end
return decisions
"""


class RedisDedupIndex:
    """The dedup index shared by every replica of one consumer group.

    One ``EVALSHA`` per batch (the client reloads the script if Redis restarted). Entries expire by TTL,
    ``window_hours`` after they were indexed; ``max_entries`` drops the oldest first. Any Redis failure raises
    ``DedupIndexUnavailable``: the worker retries the batch, publishes nothing meanwhile, and readiness is false.
    """

    def __init__(self, *, url: str, thresholds: Thresholds, ttl_seconds: float, key_prefix: str,
                 timeout_seconds: float) -> None:  # fmt: skip
        self._thresholds = thresholds
        self._prefix = key_prefix
        self._ttl_ms = max(1, round(ttl_seconds * 1000))
        self._client = aioredis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds, decode_responses=False
        )
        self._script = self._client.register_script(_CHECK_AND_INSERT)

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
        args: list[bytes | str | int | float] = [
            self._prefix, self._ttl_ms, repr(limits.near_jaccard), repr(limits.containment),
            repr(limits.lede_jaccard), repr(limits.lede_containment), limits.bands, limits.max_entries,
            limits.settings_version,
        ]  # fmt: skip
        for candidate in candidates:
            args += [
                candidate.source, candidate.article_id, candidate.canonical_url, candidate.content_hash,
                candidate.signature.tobytes(), candidate.lede_signature.tobytes(), candidate.shingle_count,
            ]  # fmt: skip
        try:
            packed = await self._script(keys=[self._prefix + "entries"], args=args)
        except RedisError as error:
            raise DedupIndexUnavailable(f"redis check-and-insert failed: {error}") from error
        return [_unpack(value) for value in packed]

    async def ping(self) -> None:
        try:
            await self._client.ping()
        except RedisError as error:
            raise DedupIndexUnavailable(f"redis ping failed: {error}") from error

    async def size(self) -> int:
        try:
            return int(await self._client.zcard(self._prefix + "entries"))
        except RedisError as error:
            raise DedupIndexUnavailable(f"redis size failed: {error}") from error


def _unpack(value: bytes) -> DedupInfo:
    status, duplicate_of, cluster_id, similarity, method, version = value.decode().split("\t")
    return DedupInfo(
        status=DedupStatus(status),
        duplicate_of=duplicate_of or None,
        cluster_id=cluster_id or None,
        similarity=round(float(similarity), 4) if similarity else None,
        method=method or None,
        settings_version=version,
    )
