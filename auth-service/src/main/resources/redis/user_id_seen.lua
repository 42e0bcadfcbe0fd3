-- Raises the high-water mark of user ids handed out (never lowers it). KEYS[1] = the mark, ARGV[1] = a new user's id.
local seen = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > seen then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
