-- Settle one admitted request: free its concurrency slot, turn its
-- reservation into the actual cost, charge tokens beyond the estimate.
-- KEYS as in redis_admit.lua. ARGV: now, grant id, reserved cost, actual
-- cost, token delta, N, then per scope: tpm, max concurrency, budget.
local now = tonumber(ARGV[1])
local gid = ARGV[2]
local actual = ARGV[4]
local delta = tonumber(ARGV[5])
local n = tonumber(ARGV[6])
local window = 60000000
for i = 0, n - 1 do
  local a = 7 + i * 3
  local k = i * 7
  local tpm, conc, budget = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  if conc > 0 then redis.call('ZREM', KEYS[k + 3], gid) end
  if budget > 0 then
    -- The hold may already have expired and been released by an admission.
    local amt = redis.call('HGET', KEYS[k + 7], gid)
    if amt then
      redis.call('DECRBY', KEYS[k + 5], amt)
      redis.call('HDEL', KEYS[k + 7], gid)
      redis.call('ZREM', KEYS[k + 6], gid)
    end
    redis.call('INCRBY', KEYS[k + 4], actual)
  end
  if tpm > 0 and delta ~= 0 then
    local tat = tonumber(redis.call('GET', KEYS[k + 2]) or '0')
    if tat < now then tat = now end
    tat = tat + delta * (window / tpm)
    if tat > now then
      redis.call('SET', KEYS[k + 2], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
    end
  end
end
return 1
