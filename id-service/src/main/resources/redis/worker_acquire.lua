-- Takes Snowflake worker id N for a holder if nobody holds it, and reserves timestamps for the new holder.
-- Returns {floor, ceiling}: the new holder must issue timestamps above floor (the high-water mark: every
-- timestamp earlier holders issued or reserved) and at most ceiling (what it reserves now, stored as the new
-- high-water mark). Returns nil when the worker id is held by someone else.
-- A worker id without a high-water mark (Redis lost its data, or nobody ever held it) is fenced: an earlier
-- holder may still issue from memory, up to fenceMillis above the caller's clock (see "Across a Redis loss" in
-- id-service/README.md), so the floor starts there. The third value is 1 when the floor is such a fence.
-- With markedOnly = '1' a worker id without a high-water mark is left alone (nil): callers try worker ids
-- held before first, so a restart or a lost lease does not pay the fence.
-- KEYS[3] names the Redis process (its run_id) that last set the worker id's high-water mark at an acquisition: a
-- mark from another one — a replica that was behind when it was promoted, a restart that lost writes — may be below
-- what an earlier holder issued, so it is fenced as a missing one is (the first acquisition after a Redis restart
-- pays the fence; a restart that lost nothing looks the same).
local leaseKey = KEYS[1]
local highWaterKey = KEYS[2]
local writerKey = KEYS[3]
local owner = ARGV[1]
local ttlMillis = ARGV[2]
local nowMillis = tonumber(ARGV[3])
local reserveMillis = tonumber(ARGV[4])
local fenceMillis = tonumber(ARGV[5])
local markedOnly = ARGV[6] == '1'

local stored = redis.call('GET', highWaterKey)
if markedOnly and not stored then
  return nil
end

if not redis.call('SET', leaseKey, owner, 'NX', 'PX', ttlMillis) then
  return nil
end
local runId = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local fenced = 0
local floor
if stored and redis.call('GET', writerKey) == runId then
  floor = tonumber(stored)
else
  floor = math.max(tonumber(stored or '0'), nowMillis + fenceMillis)
  fenced = 1
  redis.call('SET', writerKey, runId)
end
local ceiling = math.max(floor, nowMillis) + reserveMillis
redis.call('SET', highWaterKey, string.format('%d', ceiling))
return {floor, ceiling, fenced}
