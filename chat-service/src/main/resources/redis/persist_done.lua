-- After MySQL committed what persist_take.lua returned: per conversation, raise the persisted mark to the top seq
-- written (never lower it), trim the log below it keeping ARGV[1] recent entries, and take the conversation off its
-- bucket's dirty set unless a message came in meanwhile (its counter is past the mark). A conversation MySQL now holds
-- whole gets an expiry of ARGV[2] ms on its log and mark: if it stays quiet that long, Redis lets go of its messages
-- (history and sync then read MySQL; the counter stays). The next append removes the log's expiry in the same step
-- (message_append.lua), so a log never expires while it holds a message MySQL lacks; the mark's goes with the next
-- SET here.
-- KEYS: per conversation: persisted mark, log, seq counter, the bucket's dirty set.
-- ARGV: keep, quiet-after (ms), then per conversation: cid, top seq written.
local keep = tonumber(ARGV[1])
local quiet_ms = ARGV[2]
for i = 1, #KEYS / 4 do
  local persisted_key, log_key, seq_key, dirty_key = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i]
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
    redis.call('PEXPIRE', log_key, quiet_ms)
    redis.call('PEXPIRE', persisted_key, quiet_ms)
  end
end
return 1
