-- After MySQL committed a write-behind batch of one bucket: for each of its conversations, raise the persisted mark to
-- the batch's top seq and trim the log below it (keeping ARGV[1] recent entries) — when the batch alone proves MySQL
-- holds every message above the current mark: its seqs of that conversation are contiguous from at most mark + 1.
-- Otherwise the conversation is left for the caller to check against MySQL. One call per batch instead of a GET and
-- a persisted_advance call per conversation; every key shares the bucket's hash tag (one Cluster slot).
-- KEYS: persisted key, log key of conversation 1, then of conversation 2, ...
-- ARGV: keep, then per conversation: lowest seq, top seq, number of distinct seqs in the batch.
-- Returns per conversation: status (0: nothing to raise, 1: raised, 2: caller must check), the mark before.
local keep = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS / 2 do
  local persisted_key = KEYS[2 * i - 1]
  local log_key = KEYS[2 * i]
  local low = tonumber(ARGV[3 * i - 1])
  local top = tonumber(ARGV[3 * i])
  local count = tonumber(ARGV[3 * i + 1])
  local mark = tonumber(redis.call('GET', persisted_key) or '0')
  local status = 0
  if top > mark then
    if count == top - low + 1 and low <= mark + 1 then
      redis.call('SET', persisted_key, top)
      local min_kept = top - keep + 1
      if min_kept > 1 then
        redis.call('XTRIM', log_key, 'MINID', min_kept .. '-0')
      end
      status = 1
    else
      status = 2
    end
  end
  out[2 * i - 1] = status
  out[2 * i] = mark
end
return out
