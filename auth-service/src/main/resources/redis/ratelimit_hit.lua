-- Counts one hit in a fixed window. Returns {count, milliseconds until the window resets}.
local counter_key = KEYS[1]
local window_ms = tonumber(ARGV[1])

local count = redis.call('INCR', counter_key)
if count == 1 then
  redis.call('PEXPIRE', counter_key, window_ms)
end
local ttl = redis.call('PTTL', counter_key)
if ttl < 0 then
  redis.call('PEXPIRE', counter_key, window_ms)
  ttl = window_ms
end
return {count, ttl}
