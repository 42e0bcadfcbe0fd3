-- Raises seq counters to what a node saw handed out, never lowering one (RedisRestartFence, after Redis restarted:
-- it may have come back behind). A missing counter is left alone: the next append finds it missing and reads its
-- floor from MySQL, and raises it past what the node remembers itself (message_append.lua).
-- KEYS: counters of one bucket (one slot); ARGV: the seq for each, in KEYS order. Returns how many were raised.
local raised = 0
for i = 1, #KEYS do
  local current = redis.call('GET', KEYS[i])
  if current and tonumber(current) < tonumber(ARGV[i]) then
    redis.call('SET', KEYS[i], ARGV[i], 'KEEPTTL')
    raised = raised + 1
  end
end
return raised
