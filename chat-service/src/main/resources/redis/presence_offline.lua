-- Announce the user offline if no connection is left and the last announcement was online (called after the
-- grace period, so a quick reconnect never flaps). KEYS: presence hash, announced state; ARGV: now (ms).
-- Returns 1 if the user must be announced offline now.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
if redis.call('GET', KEYS[2]) == 'online' then
  redis.call('SET', KEYS[2], 'offline:' .. ARGV[1])
  return 1
end
return 0
