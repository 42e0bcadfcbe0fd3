-- After MySQL committed what persist_take.lua returned: per conversation, raise the persisted mark to the top seq
-- written (never lower it), trim the log below it keeping ARGV[1] recent entries, and take the conversation off its
-- bucket's dirty set unless a message came in meanwhile (its counter is past the mark); a conversation MySQL now holds
-- whole is noted in the bucket's quiet set at ARGV[2] (persist_take.lua forgets it from Redis once it stayed quiet).
-- KEYS: per conversation: persisted mark, log, seq counter, the bucket's dirty set, the bucket's quiet set.
-- ARGV: keep, now (ms), then per conversation: cid, top seq written.
local keep = tonumber(ARGV[1])
local now = ARGV[2]
for i = 1, #KEYS / 5 do
  local persisted_key, log_key, seq_key = KEYS[5 * i - 4], KEYS[5 * i - 3], KEYS[5 * i - 2]
  local dirty_key, quiet_key = KEYS[5 * i - 1], KEYS[5 * i]
  local cid = ARGV[2 * i + 1]
  local top = tonumber(ARGV[2 * i + 2])
  local mark = tonumber(redis.call('GET', persisted_key) or '0')
  if top > mark then
    redis.call('SET', persisted_key, top)
    mark = top
  end
  if mark - keep + 1 > 1 then
    redis.call('XTRIM', log_key, 'MINID', (mark - keep + 1) .. '-0')
  end
  if tonumber(redis.call('GET', seq_key) or '0') <= mark then
    redis.call('SREM', dirty_key, cid)
    redis.call('ZADD', quiet_key, now, cid)
  end
end
return 1
