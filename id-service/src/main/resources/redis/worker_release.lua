-- Gives a worker id back on graceful shutdown, only if the caller still holds it. The holder has stopped
-- issuing, so the high-water mark comes down from its reservation to the last timestamp it really issued:
-- a replica restarting right away can take the worker id over without waiting out the reservation.
-- Returns 1 if released, 0 if the caller did not hold the lease.
local leaseKey = KEYS[1]
local highWaterKey = KEYS[2]
local owner = ARGV[1]
local lastIssuedMillis = ARGV[2]

if redis.call('GET', leaseKey) ~= owner then
  return 0
end
redis.call('SET', highWaterKey, lastIssuedMillis)
redis.call('DEL', leaseKey)
return 1
