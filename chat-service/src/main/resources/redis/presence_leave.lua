-- A connection of the user closed. KEYS: presence hash, connections zset; ARGV: node, connection tag.
-- Returns 1 while the user still has a connection anywhere, 0 when none is left.
redis.call('ZREM', KEYS[2], ARGV[2])
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return redis.call('EXISTS', KEYS[1])
