-- Ends a session: deletes it and, in the same step, announces it on the session-ended channel so that every
-- service closes the session's open connections at once.
-- KEYS[1] = the session hash (auth:session:{sid})
-- ARGV[1] = the session-ended channel, ARGV[2] = the message (<userId>:<sessionId>)
-- Returns 1 when the session existed (and was announced), 0 when it was already gone.
local session_key = KEYS[1]
local channel = ARGV[1]
local message = ARGV[2]

if redis.call('DEL', session_key) == 0 then
  return 0
end
redis.call('PUBLISH', channel, message)
return 1
