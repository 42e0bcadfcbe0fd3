-- The offline relay's outbox entries of a whole write-behind batch in one call. KEYS[1]: the outbox stream;
-- ARGV[1]: the approximate length kept, ARGV[2]: the entry's field name, ARGV[3..]: one entry's value each.
local stream, keep, field = KEYS[1], ARGV[1], ARGV[2]
for i = 3, #ARGV do
  redis.call('XADD', stream, 'MAXLEN', '~', keep, '*', field, ARGV[i])
end
return #ARGV - 2
