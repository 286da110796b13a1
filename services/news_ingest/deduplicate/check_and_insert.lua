-- Check-and-insert for one batch of the shared dedup index (news_ingest/deduplicate/redis_index.py has the key
-- layout). One call is atomic: replicas that receive copies of one story at the same moment are serialised here.
--
-- KEYS[1]  the entries sorted set
-- ARGV[1]  the settings, a JSON object of named values; numbers are sent as text so every float is exact
-- ARGV[2..] the candidates, PER_CANDIDATE values each, in the order FIELD names
--
-- Time is event time: every expiry follows the watermark (news_ingest/deduplicate/watermark.py has the rule;
-- the arithmetic below follows it step for step), and "now" is the caller's wall clock, used only to tell
-- silent partitions.
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
local now = tonumber(setting.now)
local window_generations, exact_generations = tonumber(setting.window_generations), tonumber(setting.exact_generations)
local generation_seconds, lateness = tonumber(setting.generation_seconds), tonumber(setting.lateness)
local idle, run_ahead = tonumber(setting.idle), tonumber(setting.run_ahead)
local FIELD = {source = 0, id = 1, url = 2, content = 3, signature = 4, lede = 5, shingles = 6, bands = 7,
               terms = 8, weights = 9, timestamp = 10, raw_id = 11, generation = 12, partition = 13}
local PER_CANDIDATE = 14
local stories, sketched = prefix .. 'stories', prefix .. 'sketched'
local fronts, mark_key = prefix .. 'wm', prefix .. 'wmark'
local mark = tonumber(redis.call('GET', mark_key) or '-inf')
local function cutoff(generations)  -- generations below it have left a window of that many
  if mark == -math.huge then return nil end
  return math.floor(mark / generation_seconds) - generations + 1
end
local sketch_cutoff = cutoff(window_generations)

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

local function contained(j, size, other)  -- the share of the smaller text found in the larger
  local smaller = math.min(size, other)
  if smaller <= 0 then return 0.0 end
  return math.min(1.0, j * (size + other) / (1 + j) / smaller)
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
  local best_rank, best_similarity, best_score, best_method, best_id, best_cluster = nil, nil, nil, nil, nil, nil
  for raw_id, _ in pairs(seen) do
    local other_id = to_hex(raw_id)
    local other = redis.call('HMGET', prefix .. 'a:' .. other_id, 's', 'l', 'n', 'k')
    if other[1] then
      local similarity = jaccard(signature, other[1])
      local share = contained(similarity, size, tonumber(other[3]))  -- either way: abridged or extended
      local score, method, rank = nil, nil, nil  -- near copies rank before containment copies, as in copies.py
      if similarity >= near_jaccard then
        score, method, rank = similarity, 'minhash', 1.0 + similarity
      elseif share >= min_containment or (share >= lede_containment and jaccard(lede, other[2]) >= lede_jaccard) then
        score, method, rank = share, 'containment', share
      end
      if rank and (best_rank == nil or rank > best_rank or (rank == best_rank and (similarity > best_similarity
          or (similarity == best_similarity and other_id < best_id)))) then
        best_rank, best_similarity, best_score, best_method = rank, similarity, score, method
        best_id, best_cluster = other_id, other[4]
      end
    end
  end
  if best_score == nil then return nil end
  return pack('near_duplicate', best_id, best_cluster, string.format('%.17g', best_score), best_method)
end

local function insert(id, raw_id, url, content, signature, lede, size, bands, cluster, generation)
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
  local kept = generation  -- a late article: kept a sketch window from the watermark, like the memory index
  if sketch_cutoff and sketch_cutoff > kept then kept = sketch_cutoff end
  redis.call('ZADD', entries, kept, id)
  redis.call('ZADD', sketched, kept, id)
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

local function forget_sketch(id)  -- behind the sketch window: exact keys stay
  local entry = prefix .. 'a:' .. id
  local bands = redis.call('HGET', entry, 'b')
  if bands then
    local raw_id = to_raw(id)
    for i = 1, #bands, 8 do drop_id('b:', string.sub(bands, i, i + 7), raw_id) end
  end
  redis.call('HDEL', entry, 's', 'l', 'n', 'b')
  redis.call('ZREM', sketched, id)
end

local function forget(id)
  forget_sketch(id)
  local entry = prefix .. 'a:' .. id
  local fields = redis.call('HMGET', entry, 'b', 'u', 'c')
  redis.call('DEL', entry)
  if not fields[2] then return end
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

local decisions = {}
local observed = {}  -- partition -> its front, as read and updated in this batch
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
    redis.call('SET', source_key, decision, 'PX', ttl)
    if redis.call('EXISTS', prefix .. 'a:' .. id) == 0 then
      local cluster = string.match(decision, '^[^\t]*\t[^\t]*\t([^\t]*)')
      insert(id, raw_id, url, content, signature, lede, size, bands, cluster, tonumber(arg('generation')))
    end
  end
  decisions[#decisions + 1] = decision
  local partition = arg('partition')
  local front = observed[partition]
  if front == nil then
    front = {}
    local held = redis.call('HGET', fronts, partition)
    if held then
      for value in string.gmatch(string.match(held, '^([^|]*)'), '%S+') do front[#front + 1] = tonumber(value) end
    end
    observed[partition] = front
  end
  local at = #front + 1  -- insert in order (after equal values), keep the run_ahead highest
  while at > 1 and front[at - 1] > timestamp do at = at - 1 end
  table.insert(front, at, timestamp)
  if #front > run_ahead then table.remove(front, 1) end
end
for partition, front in pairs(observed) do
  local values = {}
  for k, value in ipairs(front) do values[k] = string.format('%.17g', value) end
  redis.call('HSET', fronts, partition, table.concat(values, ' ') .. '|' .. setting.now)
end

-- The watermark: the lowest front among partitions heard from within the idle time, less the lateness.
local held, lowest, live = redis.call('HGETALL', fronts), math.huge, false
for k = 1, #held, 2 do
  local front, heard = string.match(held[k + 1], '^([^|]*)|(.*)$')
  if now - tonumber(heard) < idle then
    live = true
    local values = {}
    for value in string.gmatch(front, '%S+') do values[#values + 1] = tonumber(value) end
    local value = -math.huge
    if #values == run_ahead then value = values[1] end
    if value < lowest then lowest = value end
  end
end
if live and lowest - lateness > mark then
  mark = lowest - lateness
  redis.call('SET', mark_key, string.format('%.17g', mark))
end

-- Forget what the watermark left behind, then the oldest beyond max_entries; a bounded amount per call, so
-- a long jump of the watermark is caught up over several batches instead of blocking Redis.
local budget = max_forget
local exact_cutoff = cutoff(exact_generations)
sketch_cutoff = cutoff(window_generations)
if exact_cutoff then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', entries, '-inf', '(' .. exact_cutoff, 'LIMIT', 0, budget)) do
    forget(id)
    redis.call('ZREM', entries, id)
    budget = budget - 1
  end
end
if sketch_cutoff and budget > 0 then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', sketched, '-inf', '(' .. sketch_cutoff, 'LIMIT', 0, budget)) do
    forget_sketch(id)
    budget = budget - 1
  end
end
local excess = math.min(redis.call('ZCARD', entries) - max_entries, budget)
if excess > 0 then
  local oldest = redis.call('ZPOPMIN', entries, excess)
  for i = 1, #oldest, 2 do forget(oldest[i]) end
  budget = budget - excess
end
if mark > -math.huge and budget > 0 then  -- stories whose latest member is a story window behind the watermark
  local story_cutoff = string.format('(%.17g', mark - story_window)
  for _, story_id in ipairs(redis.call('ZRANGEBYSCORE', stories, '-inf', story_cutoff, 'LIMIT', 0, budget)) do
    forget_story(story_id)
    redis.call('ZREM', stories, story_id)
  end
end
return decisions
