-- Leases a block of the global sequence, fenced by time so that a counter lost with Redis's data never comes
-- back below a number already handed out (see "Across a Redis loss" in id-service/README.md).
-- The floor grows with Redis's clock: floor = (ms since 2024-01-01) x rate / 1000. Invariant: every block's
-- exclusive end is at most floor + maxLead at the moment it is leased. So a missing counter is re-seeded at
-- floor + maxLead + margin — above every number ever leased, even with Redis's clock up to margin/rate seconds
-- behind the clock of the Redis that was lost — and a present counter below the floor is raised to it.
-- Returns {end, waitMillis, seeded}: end > 0 is the block's exclusive end; end = 0 means the lease would break
-- the invariant (right after a re-seed, or leases running faster than the rate): retry after waitMillis.
-- seeded is 1 when this call re-seeded a missing counter (or one another Redis process wrote).
-- KEYS[2] names the Redis process (its run_id) that last wrote the counter: a counter written by another one — a
-- replica that was behind when it was promoted, a restart that lost writes — may be behind what was leased, so it is
-- treated as missing (raised to the seed, never lowered). Every Redis restart pays that once (leases wait about
-- clockMargin): a restart that lost nothing looks the same.
local counterKey = KEYS[1]
local writerKey = KEYS[2]
local size = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local maxLead = tonumber(ARGV[3])
local margin = tonumber(ARGV[4])
local EPOCH_MILLIS = 1704067200000

local time = redis.call('TIME')
local nowMillis = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local floor = math.floor((nowMillis - EPOCH_MILLIS) * rate / 1000)

local runId = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local stored = redis.call('GET', counterKey)
local counter
local seeded = 0
if stored and redis.call('GET', writerKey) == runId then
  counter = math.max(tonumber(stored), floor)
else
  counter = math.max(tonumber(stored or '0'), floor + maxLead + margin)
  seeded = 1
  redis.call('SET', writerKey, runId)
end
local blockEnd = counter + size
if blockEnd > floor + maxLead then
  redis.call('SET', counterKey, string.format('%.0f', counter))
  local waitMillis = math.ceil((blockEnd - floor - maxLead) * 1000 / rate)
  return {0, waitMillis, seeded}
end
redis.call('SET', counterKey, string.format('%.0f', blockEnd))
return {blockEnd, 0, seeded}
