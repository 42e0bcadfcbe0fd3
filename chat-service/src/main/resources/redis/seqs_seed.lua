-- Re-seeds a bucket's seq counters from MySQL after Redis lost them: each counter is set to MySQL's highest seq of its
-- conversation unless it exists (an append since the loss seeded it from MySQL already, or went past it). With
-- ARGV[1] = '1' (the bucket's last call) the bucket's seqs-whole marker is set: from then on a missing counter is a
-- new conversation.
-- KEYS: the bucket's seqs-whole marker, then the counters. ARGV: last call ('1'/'0'), then the seqs, in KEYS order.
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[i], 'NX')
end
if ARGV[1] == '1' then
  redis.call('SET', KEYS[1], '1')
end
return #KEYS - 1
