-- After MySQL committed a membership change: bump the set's version and, only if the cached set is loaded
-- (holds the marker '~'), apply the change. An unloaded set is left alone (the next reader rebuilds it from
-- MySQL); the version bump makes a rebuild that read MySQL before this commit discard its stale result.
-- KEYS[1] = the cached set, KEYS[2] = its version; ARGV[1] = 'add' | 'remove', ARGV[2..] = members.
-- Returns 1 if the set was updated, 0 if it was not loaded.
local set_key = KEYS[1]
local version_key = KEYS[2]
local op = ARGV[1]

redis.call('INCR', version_key)
if redis.call('SISMEMBER', set_key, '~') == 0 then
  return 0
end
for i = 2, #ARGV do
  if op == 'add' then
    redis.call('SADD', set_key, ARGV[i])
  else
    redis.call('SREM', set_key, ARGV[i])
  end
end
return 1
