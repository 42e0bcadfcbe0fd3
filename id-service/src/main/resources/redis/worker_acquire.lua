-- Takes Snowflake worker id N for a holder if nobody holds it, and reserves timestamps for the new holder.
-- Returns {floor, ceiling}: the new holder must issue timestamps above floor (the high-water mark: every
-- timestamp earlier holders issued or reserved) and at most ceiling (what it reserves now, stored as the new
-- high-water mark). Returns nil when the worker id is held by someone else.
local leaseKey = KEYS[1]
local highWaterKey = KEYS[2]
local owner = ARGV[1]
local ttlMillis = ARGV[2]
local nowMillis = tonumber(ARGV[3])
local reserveMillis = tonumber(ARGV[4])

if not redis.call('SET', leaseKey, owner, 'NX', 'PX', ttlMillis) then
  return nil
end
local floor = tonumber(redis.call('GET', highWaterKey) or '0')
local ceiling = math.max(floor, nowMillis) + reserveMillis
redis.call('SET', highWaterKey, string.format('%d', ceiling))
return {floor, ceiling}
