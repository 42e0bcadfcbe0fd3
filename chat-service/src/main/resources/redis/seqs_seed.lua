-- Rebuilds a bucket's filter of started conversations from MySQL after Redis lost it (or its size changed): each
-- conversation MySQL holds a message of gets its three bits. With ARGV[1] = '1' (the bucket's last call) the bucket's
-- seqs-whole marker is set to the filter's size (ARGV[2]): from then on a missing counter of a conversation the
-- filter does not hold is a new conversation. Counters themselves are not written: a conversation's next append reads
-- its floor from MySQL (message_append.lua's no-seq).
-- KEYS: the bucket's seqs-whole marker, its started filter. ARGV: last call ('1'/'0'), the filter's size, then three
-- positions per conversation.
local n = 0
for i = 3, #ARGV, 3 do
  redis.call('BITFIELD', KEYS[2], 'SET', 'u1', ARGV[i], 1, 'SET', 'u1', ARGV[i + 1], 1, 'SET', 'u1', ARGV[i + 2], 1)
  n = n + 1
end
if ARGV[1] == '1' then
  redis.call('SET', KEYS[1], ARGV[2])
end
return n
