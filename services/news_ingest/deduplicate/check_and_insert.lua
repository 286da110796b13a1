-- Check-and-insert for one batch of the shared dedup index (news_ingest/deduplicate/redis_index.py has the key
-- layout). One call is atomic: replicas that receive copies of one story at the same moment are serialised here.
--
-- KEYS[1]  the entries sorted set
-- ARGV[1]  the settings, a JSON object of named values; numbers are sent as text so every float is exact
-- ARGV[2..] the candidates, PER_CANDIDATE values each, in the order FIELD names
local entries = KEYS[1]
local setting = cjson.decode(ARGV[1])
local prefix, version = setting.prefix, setting.settings_version
local ttl = tonumber(setting.ttl_ms)
local near_jaccard, min_containment = tonumber(setting.near_jaccard), tonumber(setting.containment)
local lede_jaccard, lede_containment = tonumber(setting.lede_jaccard), tonumber(setting.lede_containment)
local max_entries, max_forget = tonumber(setting.max_entries), tonumber(setting.max_forget)
local story_similarity = tonumber(setting.story_similarity)
local story_window, story_members = tonumber(setting.story_window_seconds), tonumber(setting.story_members)
local seed_terms, recent_stories = tonumber(setting.seed_terms), tonumber(setting.recent_stories)
local max_candidates, band_candidates = tonumber(setting.story_candidates), tonumber(setting.band_candidates)
local FIELD = {source = 0, id = 1, url = 2, content = 3, signature = 4, lede = 5, shingles = 6, bands = 7,
               terms = 8, weights = 9, timestamp = 10, raw_id = 11}
local PER_CANDIDATE = 12
local stories = prefix .. 'stories'
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

local function pack(status, duplicate_of, cluster, similarity, method)
  return table.concat({status, duplicate_of, cluster, similarity, method, version}, '\t')
end
local function to_hex(raw)
  return (string.gsub(raw, '.', function(c) return string.format('%02x', string.byte(c)) end))
end
local function to_raw(hex)
  return (string.gsub(hex, '..', function(cc) return string.char(tonumber(cc, 16)) end))
end
local function bucket(kind, digest) return prefix .. kind .. string.sub(digest, 1, 2), string.sub(digest, 3) end

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

local function exact(url, content)
  for _, probe in ipairs({{'url', 'u:', url}, {'content', 'c:', content}}) do
    local key, field = bucket(probe[2], probe[3])
    local first = redis.call('HGET', key, field)
    if first then
      local cluster = redis.call('HGET', prefix .. 'a:' .. first, 'k')
      if cluster then return pack('exact_duplicate', first, cluster, '1', probe[1]) end
    end
  end
  return nil
end

local function near(signature, lede, size, bands)
  local seen = {}
  for i = 1, #bands, 8 do
    local members = redis.call('HGET', bucket('b:', string.sub(bands, i, i + 7)))
    if members then
      for j = 1, #members, 16 do seen[string.sub(members, j, j + 15)] = true end
    end
  end
  local best_score, best_method, best_id, best_cluster = nil, nil, nil, nil
  for raw_id, _ in pairs(seen) do
    local other_id = to_hex(raw_id)
    local other = redis.call('HMGET', prefix .. 'a:' .. other_id, 's', 'l', 'n', 'k')
    if other[1] then
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

local function insert(id, raw_id, url, content, signature, lede, size, bands, cluster)
  local entry = prefix .. 'a:' .. id
  redis.call('HSET', entry, 's', signature, 'l', lede, 'n', size, 'k', cluster, 'b', bands, 'u', url, 'c', content)
  redis.call('PEXPIRE', entry, 2 * ttl)
  for _, probe in ipairs({{'u:', url}, {'c:', content}}) do
    local key, field = bucket(probe[1], probe[2])
    redis.call('HSETNX', key, field, id)
  end
  for i = 1, #bands, 8 do
    local key, field = bucket('b:', string.sub(bands, i, i + 7))
    local held = redis.call('HGET', key, field) or ''
    if #held >= 16 * band_candidates then  -- keep the first (the original) and the most recent others
      held = string.sub(held, 1, 16) .. string.sub(held, #held - 16 * (band_candidates - 2) + 1)
    end
    redis.call('HSET', key, field, held .. raw_id)
  end
  redis.call('ZADD', entries, now, id)
end

local function drop_id(kind, digest, raw_id)  -- remove one 16-byte id from a bucket field's list
  local key, field = bucket(kind, digest)
  local members, kept = redis.call('HGET', key, field), {}
  if not members then return end
  for j = 1, #members, 16 do
    local member = string.sub(members, j, j + 15)
    if member ~= raw_id then kept[#kept + 1] = member end
  end
  if #kept == 0 then redis.call('HDEL', key, field) else redis.call('HSET', key, field, table.concat(kept)) end
end

local function forget(id)
  local entry = prefix .. 'a:' .. id
  local fields = redis.call('HMGET', entry, 'b', 'u', 'c')
  redis.call('DEL', entry)
  if not fields[1] then return end
  local raw_id = to_raw(id)
  for i = 1, #fields[1], 8 do drop_id('b:', string.sub(fields[1], i, i + 7), raw_id) end
  for index, kind in ipairs({'u:', 'c:'}) do
    local key, field = bucket(kind, fields[index + 1])
    if redis.call('HGET', key, field) == id then redis.call('HDEL', key, field) end
  end
end

local function digests(terms)
  local list = {}
  for i = 1, #terms, 8 do list[#list + 1] = string.sub(terms, i, i + 7) end
  return list
end

local function story(id, raw_id, terms, weights, timestamp)
  local keys, shared, order = digests(terms), {}, {}  -- order: as met, seed terms heaviest first, newest first
  for k = 1, math.min(#keys, seed_terms) do
    local holders = redis.call('HGET', bucket('t:', keys[k]))
    if holders then
      for j = #holders - 15, 1, -16 do
        local holder = string.sub(holders, j, j + 15)
        if shared[holder] == nil then shared[holder] = 0; order[#order + 1] = holder end
        shared[holder] = shared[holder] + 1
      end
    end
  end
  local best_similarity, best_id, best_raw, scored = nil, nil, nil, 0
  for count = seed_terms, 1, -1 do  -- most shared first; within a count, as met (a stable order, no sort)
    for _, holder in ipairs(order) do
      if scored == max_candidates then break end
      if shared[holder] == count then
        local story_id = to_hex(holder)
        local story_key = prefix .. 'st:' .. story_id
        local head = redis.call('HMGET', story_key, '_n', '_t')
        if head[1] and tonumber(head[2]) >= timestamp - story_window then
          scored = scored + 1
          local values, dot = redis.call('HMGET', story_key, unpack(keys)), 0.0
          for k = 1, #keys do dot = dot + weights[k] * (tonumber(values[k]) or 0.0) end
          local similarity = dot / tonumber(head[1])
          if similarity >= story_similarity and (best_similarity == nil or similarity > best_similarity
              or (similarity == best_similarity and story_id < best_id)) then
            best_similarity, best_id, best_raw = similarity, story_id, holder
          end
        end
      end
    end
  end
  local joined = best_id or id
  local story_key = prefix .. 'st:' .. joined
  local head = redis.call('HMGET', story_key, '_m', '_t', '_o')
  local members = (tonumber(head[1]) or 0) + 1
  local last_seen = head[2] and math.max(tonumber(head[2]), timestamp) or timestamp
  redis.call('HSET', story_key, '_m', members, '_t', string.format('%.17g', last_seen))
  redis.call('PEXPIRE', story_key, 2 * story_window * 1000)
  redis.call('ZADD', stories, last_seen, joined)
  if members <= story_members and #keys > 0 then
    local order, current = head[3] or '', redis.call('HMGET', story_key, unpack(keys))
    local raw_story = best_raw or raw_id
    for k, digest in ipairs(keys) do
      local old = tonumber(current[k])
      if old == nil then
        old, order = 0.0, order .. digest
        local key, field = bucket('t:', digest)
        local holders = (redis.call('HGET', key, field) or '') .. raw_story
        if #holders > 16 * recent_stories then holders = string.sub(holders, -16 * recent_stories) end
        redis.call('HSET', key, field, holders)
      end
      redis.call('HSET', story_key, digest, string.format('%.17g', old + weights[k]))
    end
    local all, squares = redis.call('HMGET', story_key, unpack(digests(order))), 0.0
    for k = 1, #all do
      local weight = tonumber(all[k])
      squares = squares + weight * weight
    end
    local norm = math.sqrt(squares)
    if norm == 0 then norm = 1.0 end
    redis.call('HSET', story_key, '_o', order, '_n', string.format('%.17g', norm))
  end
  if best_id == nil then return pack('unique', '', id, '', '') end
  return pack('unique', '', best_id, string.format('%.17g', best_similarity), 'story')
end

local function forget_story(story_id)
  local story_key = prefix .. 'st:' .. story_id
  local order = redis.call('HGET', story_key, '_o')
  redis.call('DEL', story_key)
  if not order then return end
  local raw_story = to_raw(story_id)
  for _, digest in ipairs(digests(order)) do drop_id('t:', digest, raw_story) end
end

local decisions, newest = {}, nil
for base = 2, #ARGV, PER_CANDIDATE do
  local function arg(name) return ARGV[base + FIELD[name]] end
  local source, id, url, content = arg('source'), arg('id'), arg('url'), arg('content')
  local signature, lede, size, bands = arg('signature'), arg('lede'), tonumber(arg('shingles')), arg('bands')
  local terms, timestamp, weights, raw_id = arg('terms'), tonumber(arg('timestamp')), {}, arg('raw_id')
  for weight in string.gmatch(arg('weights'), '%S+') do weights[#weights + 1] = tonumber(weight) end
  local source_key = prefix .. 's:' .. source
  local decision = redis.call('GET', source_key)
  if not decision then
    decision = exact(url, content) or near(signature, lede, size, bands) or story(id, raw_id, terms, weights, timestamp)
    newest = math.max(newest or timestamp, timestamp)
    redis.call('SET', source_key, decision, 'PX', ttl)
    if redis.call('EXISTS', prefix .. 'a:' .. id) == 0 then
      local cluster = string.match(decision, '^[^\t]*\t[^\t]*\t([^\t]*)')
      insert(id, raw_id, url, content, signature, lede, size, bands, cluster)
    end
  end
  decisions[#decisions + 1] = decision
end

-- Forget what left the window, then the oldest beyond max_entries; a bounded amount per call, so a
-- service that was idle for a long time catches up over several batches instead of blocking Redis.
local budget = max_forget
for _, id in ipairs(redis.call('ZRANGEBYSCORE', entries, '-inf', now - ttl, 'LIMIT', 0, budget)) do
  forget(id)
  redis.call('ZREM', entries, id)
  budget = budget - 1
end
local excess = math.min(redis.call('ZCARD', entries) - max_entries, budget)
if excess > 0 then
  local oldest = redis.call('ZPOPMIN', entries, excess)
  for i = 1, #oldest, 2 do forget(oldest[i]) end
  budget = budget - excess
end
if newest and budget > 0 then  -- stories whose latest member is a story window older than this batch's newest
  local cutoff = string.format('(%.17g', newest - story_window)
  for _, story_id in ipairs(redis.call('ZRANGEBYSCORE', stories, '-inf', cutoff, 'LIMIT', 0, budget)) do
    forget_story(story_id)
    redis.call('ZREM', stories, story_id)
  end
end
return decisions
