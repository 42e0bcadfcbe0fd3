-- A connection of the user opened on a node. Counts it, enforces the per-user connection cap (the oldest
-- connections beyond it are returned to be closed), and flips the announced state to online.
-- KEYS: presence hash (node -> open connections), connections zset (tag -> opened at), announced state
-- ARGV: node, connection tag, now (ms), max connections per user
-- Returns {announce (1 if the user just came online), evicted tags...}
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
local result = {0}
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  for _, tag in ipairs(redis.call('ZRANGE', KEYS[2], 0, over - 1)) do
    if tag ~= ARGV[2] then
      redis.call('ZREM', KEYS[2], tag)
      table.insert(result, tag)
    end
  end
end
if redis.call('GET', KEYS[3]) ~= 'online' then
  redis.call('SET', KEYS[3], 'online')
  result[1] = 1
end
return result
