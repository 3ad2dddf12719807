-- Admit one request over N scopes, atomically: check everything, then
-- take everything. Times are microseconds; money is nano-dollars.
-- KEYS, 7 per scope: rpm tat, tpm tat, in-flight zset, spent, held,
--   holds zset (grant -> expiry), hold amounts hash (grant -> cost).
-- ARGV: now, tokens, cost, grant id, hold expiry, N, then per scope:
--   rpm, tpm, max concurrency, budget, spend seed (-1: none), bucket ttl s.
-- Returns {0, reason, scope index, wait us} or {1, rpm tat, tpm tat, ...}.
local now = tonumber(ARGV[1])
local tokens = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local gid = ARGV[4]
local hexp = tonumber(ARGV[5])
local n = tonumber(ARGV[6])
local window = 60000000

local function int(x) return string.format('%.0f', x) end

local function gcra(key, limit, count)
  if count > limit then count = limit end
  local interval = window / limit
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  local newtat = tat + count * interval
  local allow = newtat - window
  if allow > now then return nil, allow - now end
  return newtat, 0
end

local newtats = {}
for i = 0, n - 1 do
  local a = 7 + i * 6
  local k = i * 7
  local rpm, tpm, conc = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local budget, seed = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  if conc > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 3], '-inf', now)
    if redis.call('ZCARD', KEYS[k + 3]) >= conc then return {0, 'concurrency', i, 1000000} end
  end
  if rpm > 0 then
    local t, w = gcra(KEYS[k + 1], rpm, 1)
    if not t then return {0, 'rpm', i, math.ceil(w)} end
    newtats[k + 1] = t
  end
  if tpm > 0 then
    local t, w = gcra(KEYS[k + 2], tpm, tokens)
    if not t then return {0, 'tpm', i, math.ceil(w)} end
    newtats[k + 2] = t
  end
  if budget > 0 then
    if seed >= 0 then redis.call('SET', KEYS[k + 4], int(seed), 'NX') end
    -- Release holds of requests whose replica died before settling.
    local expired = redis.call('ZRANGEBYSCORE', KEYS[k + 6], '-inf', now)
    for _, m in ipairs(expired) do
      local amt = redis.call('HGET', KEYS[k + 7], m)
      if amt then redis.call('DECRBY', KEYS[k + 5], amt) end
      redis.call('HDEL', KEYS[k + 7], m)
      redis.call('ZREM', KEYS[k + 6], m)
    end
    local spent = tonumber(redis.call('GET', KEYS[k + 4]) or '0')
    local held = tonumber(redis.call('GET', KEYS[k + 5]) or '0')
    if spent + held + cost > budget then return {0, 'budget', i, 0} end
  end
end

local out = {1}
for i = 0, n - 1 do
  local a = 7 + i * 6
  local k = i * 7
  local conc, budget, ttl = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 5])
  for j = 1, 2 do
    local t = newtats[k + j]
    if t then
      redis.call('SET', KEYS[k + j], int(t), 'PX', math.ceil((t - now) / 1000) + 1000)
      table.insert(out, int(t))
    else
      table.insert(out, '0')
    end
  end
  if conc > 0 then
    redis.call('ZADD', KEYS[k + 3], hexp, gid)
    redis.call('PEXPIREAT', KEYS[k + 3], math.ceil(hexp / 1000))
  end
  if budget > 0 then
    redis.call('INCRBY', KEYS[k + 5], int(cost))
    redis.call('ZADD', KEYS[k + 6], hexp, gid)
    redis.call('HSET', KEYS[k + 7], gid, int(cost))
    if ttl > 0 then
      for j = 4, 7 do redis.call('EXPIRE', KEYS[k + j], ttl) end
    end
  end
end
return out
