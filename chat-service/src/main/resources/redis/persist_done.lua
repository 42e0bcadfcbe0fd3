-- After MySQL committed what persist_take.lua returned: per conversation, raise the persisted mark to the top seq
-- written (never lower it), trim the log below it keeping ARGV[1] recent entries, and take the conversation off its
-- bucket's dirty set unless a message came in meanwhile (its counter is past the mark).
-- KEYS: per conversation: persisted mark, log, seq counter, the bucket's dirty set. ARGV: keep, then per conversation:
-- cid, top seq written.
local keep = tonumber(ARGV[1])
for i = 1, #KEYS / 4 do
  local persisted_key, log_key, seq_key, dirty_key = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i]
  local cid = ARGV[2 * i]
  local top = tonumber(ARGV[2 * i + 1])
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
  end
end
return 1
