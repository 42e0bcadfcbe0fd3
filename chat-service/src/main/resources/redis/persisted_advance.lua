-- After MySQL committed messages up to ARGV[1] of a conversation: record it and trim the log below it,
-- keeping ARGV[2] recent entries for fast sync. Never lowers the mark; never trims above it.
local persisted_key = KEYS[1]
local log_key = KEYS[2]
local seq = tonumber(ARGV[1])
local keep = tonumber(ARGV[2])

local current = tonumber(redis.call('GET', persisted_key) or '0')
if seq > current then
  redis.call('SET', persisted_key, seq)
  current = seq
end
local min_kept = current - keep + 1
if min_kept > 1 then
  redis.call('XTRIM', log_key, 'MINID', min_kept .. '-0')
end
return current
