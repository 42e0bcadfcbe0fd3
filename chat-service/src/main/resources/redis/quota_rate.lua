-- Counts n more of what an app posts in the current second, unless the second's count already reached the quota.
-- KEYS[1] the second's counter (expires); KEYS[2] the app's refusals (hash: quota -> count)
-- ARGV[1] n; ARGV[2] the quota per second (0: none); ARGV[3] the quota's name; ARGV[4] the counter's expiry (ms)
-- Returns 1 (counted) or 0 (refused: only the refusal is counted).
local window, refusals = KEYS[1], KEYS[2]
local n, max = tonumber(ARGV[1]), tonumber(ARGV[2])
local quota, ttl = ARGV[3], tonumber(ARGV[4])

local count = tonumber(redis.call('GET', window) or '0')
if max > 0 and count >= max then
  redis.call('HINCRBY', refusals, quota, 1)
  return 0
end
redis.call('INCRBY', window, n)
redis.call('PEXPIRE', window, ttl)
return 1
