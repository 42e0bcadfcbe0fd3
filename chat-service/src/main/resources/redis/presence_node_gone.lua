-- A dead node's share of the user's connections is forgotten. KEYS: presence hash, connections zset; ARGV: node.
-- Returns 1 while the user still has a connection on another node, 0 when none is left.
redis.call('HDEL', KEYS[1], ARGV[1])
local prefix = ARGV[1] .. ':'
for _, tag in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if string.sub(tag, 1, #prefix) == prefix then
    redis.call('ZREM', KEYS[2], tag)
  end
end
return redis.call('EXISTS', KEYS[1])
