-- Writes one node's share of an app's connections and topic subscribers and renews its lease; a node with none
-- left removes its share.
-- KEYS[1] the app's shares (hash: c:<node>, s:<node>, t:<node> lease expiry, epoch ms)
-- ARGV[1] the node; ARGV[2] its connections; ARGV[3] its subscribers; ARGV[4] lease (ms)
-- Returns 1.
local shares = KEYS[1]
local node = ARGV[1]
local c, s = tonumber(ARGV[2]), tonumber(ARGV[3])
local lease = tonumber(ARGV[4])

if c == 0 and s == 0 then
  redis.call('HDEL', shares, 'c:' .. node, 's:' .. node, 't:' .. node)
  return 1
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', shares, 'c:' .. node, c, 's:' .. node, s, 't:' .. node, now + lease)
redis.call('PEXPIRE', shares, lease)
return 1
