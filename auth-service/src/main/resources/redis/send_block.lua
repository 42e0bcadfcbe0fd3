-- Blocks or unblocks a user from sending, and announces it in the same step, so every chat node's copy follows.
-- KEYS[1] = the set of blocked users (parley:send-blocked)
-- ARGV[1] = the changes channel, ARGV[2] = the user id, ARGV[3] = "1" to block, "0" to unblock
-- Returns 1.
local blocked_set = KEYS[1]
local channel = ARGV[1]
local user = ARGV[2]
local block = ARGV[3] == "1"

if block then
  redis.call('SADD', blocked_set, user)
else
  redis.call('SREM', blocked_set, user)
end
redis.call('PUBLISH', channel, user .. ':' .. ARGV[3])
return 1
