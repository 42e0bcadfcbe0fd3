-- Raises the cursors of many hashes in one call (the once-a-second ack flush of a node's connections), never lowering
-- one. Standalone Redis only: the hashes belong to different users, hence different Cluster slots.
-- KEYS: the hashes; ARGV: for each key in order, the number of pairs n, then n pairs conversation, seq.
-- Returns how many cursors moved.
local moved = 0
local a = 1
for k = 1, #KEYS do
  local pairs = tonumber(ARGV[a])
  a = a + 1
  for _ = 1, pairs do
    local conversation = ARGV[a]
    local seq = tonumber(ARGV[a + 1])
    a = a + 2
    local current = tonumber(redis.call('HGET', KEYS[k], conversation) or '0')
    if seq > current then
      redis.call('HSET', KEYS[k], conversation, seq)
      moved = moved + 1
    end
  end
end
return moved
