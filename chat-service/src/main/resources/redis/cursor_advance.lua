-- Raises per-conversation cursors in the given hashes, never lowering one.
-- KEYS: the hashes (one user's: all share the {u:<id>} tag); ARGV: conversation, seq, conversation, seq, ...
-- Returns how many cursors moved.
local moved = 0
for a = 1, #ARGV, 2 do
  local conversation = ARGV[a]
  local seq = tonumber(ARGV[a + 1])
  for k = 1, #KEYS do
    local current = tonumber(redis.call('HGET', KEYS[k], conversation) or '0')
    if seq > current then
      redis.call('HSET', KEYS[k], conversation, seq)
      moved = moved + 1
    end
  end
end
return moved
