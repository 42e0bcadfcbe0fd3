-- Rotates a session's refresh token in one step, or revokes the session on reuse.
-- Returns {1, user, device} when rotated, {0} when the session is unknown or expired,
-- {-1} when a stale refresh token was presented: the session is deleted (reuse means theft) and announced on the
-- session-ended channel ARGV[4] as '<user>:<sid>' (ARGV[5] = the session id), so open connections close at once.
local session_key = KEYS[1]
local presented_hash = ARGV[1]
local next_hash = ARGV[2]
local ttl_ms = tonumber(ARGV[3])
local ended_channel = ARGV[4]
local session_id = ARGV[5]

local current = redis.call('HGET', session_key, 'refresh')
if not current then
  return {0}
end
if current ~= presented_hash then
  local user = redis.call('HGET', session_key, 'user')
  redis.call('DEL', session_key)
  if user then
    redis.call('PUBLISH', ended_channel, user .. ':' .. session_id)
  end
  return {-1}
end
redis.call('HSET', session_key, 'refresh', next_hash)
redis.call('PEXPIRE', session_key, ttl_ms)
return {1, redis.call('HGET', session_key, 'user'), redis.call('HGET', session_key, 'device')}
