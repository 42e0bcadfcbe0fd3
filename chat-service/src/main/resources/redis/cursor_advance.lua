-- Raises a per-conversation cursor in one or more hashes, never lowering it.
-- KEYS: the hashes; ARGV[1] = conversation, ARGV[2] = seq. Returns how many hashes moved.
local conversation = ARGV[1]
local seq = tonumber(ARGV[2])
local moved = 0
for i = 1, #KEYS do
  local current = tonumber(redis.call('HGET', KEYS[i], conversation) or '0')
  if seq > current then
    redis.call('HSET', KEYS[i], conversation, seq)
    moved = moved + 1
  end
end
return moved
