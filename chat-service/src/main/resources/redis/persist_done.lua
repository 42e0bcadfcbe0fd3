-- After MySQL committed what persist_take.lua returned: per conversation, raise the persisted mark to the top seq
-- written (never lower it), trim the log below it keeping ARGV[1] recent entries, and take the conversation off its
-- bucket's dirty set unless a message came in meanwhile (its counter is past the mark). A conversation MySQL now holds
-- whole gets an expiry of ARGV[2] ms on its log, mark and seq counter: if it stays quiet that long, Redis lets go of it
-- (history and sync then read MySQL; the next message asks MySQL for its seq floor). So that a missing counter is not
-- taken for a new conversation, the conversation goes into its bucket's filter of started conversations (a Bloom
-- filter: three bits) in the same step. The next append removes the log's and counter's expiry in the same step as it
-- appends (message_append.lua), so a log never expires while it holds a message MySQL lacks; the mark's goes with the
-- next SET here.
-- KEYS: per conversation: persisted mark, log, seq counter, the bucket's dirty set, the bucket's started filter.
-- ARGV: keep, quiet-after (ms), then per conversation: cid, top seq written, its three positions in the filter.
local keep = tonumber(ARGV[1])
local quiet_ms = ARGV[2]
for i = 1, #KEYS / 5 do
  local persisted_key, log_key, seq_key, dirty_key = KEYS[5 * i - 4], KEYS[5 * i - 3], KEYS[5 * i - 2], KEYS[5 * i - 1]
  local started_key = KEYS[5 * i]
  local a = 5 * i - 2 -- this conversation's first argument
  local cid = ARGV[a]
  local top = tonumber(ARGV[a + 1])
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
    redis.call('BITFIELD', started_key, 'SET', 'u1', ARGV[a + 2], 1, 'SET', 'u1', ARGV[a + 3], 1,
      'SET', 'u1', ARGV[a + 4], 1)
    redis.call('PEXPIRE', log_key, quiet_ms)
    redis.call('PEXPIRE', persisted_key, quiet_ms)
    redis.call('PEXPIRE', seq_key, quiet_ms)
  end
end
return 1
