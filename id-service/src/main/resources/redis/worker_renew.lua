-- Extends a worker-id lease only if the caller still holds it, and raises the high-water mark to the
-- timestamps the holder reserves until its next renewal. Returns 1 if renewed, 0 if the lease is lost.
local leaseKey = KEYS[1]
local highWaterKey = KEYS[2]
local owner = ARGV[1]
local ttlMillis = ARGV[2]
local ceiling = tonumber(ARGV[3])

if redis.call('GET', leaseKey) ~= owner then
  return 0
end
redis.call('PEXPIRE', leaseKey, ttlMillis)
local highWater = tonumber(redis.call('GET', highWaterKey) or '0')
if ceiling > highWater then
  redis.call('SET', highWaterKey, string.format('%d', ceiling))
end
return 1
