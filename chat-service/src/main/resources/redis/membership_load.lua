-- Replaces a membership cache set with what MySQL holds, marked loaded ('~'), unless its version moved since
-- the caller read it (a membership change committed meanwhile: the caller reads MySQL again).
-- KEYS[1] = the cached set, KEYS[2] = its version; ARGV[1] = the version read before MySQL ('' if none),
-- ARGV[2..] = the members. Returns 1 if written, 0 if the version moved.
local set_key = KEYS[1]
local version_key = KEYS[2]
local expected = ARGV[1]

local current = redis.call('GET', version_key) or ''
if current ~= expected then
  return 0
end
redis.call('DEL', set_key)
redis.call('SADD', set_key, '~')
-- SADD in slices: unpack() of a whole 10,000-member group would overflow Lua's C stack
local slice = {}
for i = 2, #ARGV do
  slice[#slice + 1] = ARGV[i]
  if #slice == 500 then
    redis.call('SADD', set_key, unpack(slice))
    slice = {}
  end
end
if #slice > 0 then
  redis.call('SADD', set_key, unpack(slice))
end
return 1
