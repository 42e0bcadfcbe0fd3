-- The write-behind's read: for each bucket this node may write (its lease is free or ours), the conversations with
-- messages above their persisted mark and those messages, read from the conversations' own logs (the log is the
-- queue: it is never trimmed above the mark, so nothing waits anywhere else).
-- Also drains the quiet sets of versions before this one (conversations MySQL held whole, forgotten from Redis once
-- quiet: their log and mark; today they expire instead, persist_done.lua), and names the buckets
-- whose filter of started conversations is not known to be whole (RedisKeys.seqsWhole missing — Redis lost its data —
-- or set for another filter size) for a rebuild.
-- KEYS: per bucket: its writer lease, its dirty set (conversations with messages MySQL may lack), the write-behind
--       stream of versions before this one (drained once: its conversations become dirty), its quiet set (versions
--       before this one: conversations MySQL held whole, scored by when it did), its seqs-whole marker.
-- ARGV: node name, lease ms, most entries to return, quiet since (ms: forget what was quiet before), housekeeping
--       ('1': take free leases, renew ours, check the seqs-whole markers, drain legacy streams, forget quiet
--       conversations, count what waits — once a second; '0': only read the buckets this node holds, the hot path
--       under load, a GET and an SRANDMEMBER per bucket), the started filter's size, then per bucket the prefix of its
--       conversations' keys.
-- Returns {conversations waiting, leases taken, {buckets (1-based, in KEYS order) without their seqs-whole marker},
-- {buckets this node holds (1-based)}, then per conversation: cid, mark, entries}. "Waiting" differs by round: with
-- housekeeping it is the SCARD of every bucket read (the gauge's figure); without, only the conversations this round
-- looked at (at most the budget), enough to tell an empty round from a busy one.
local node = ARGV[1]
local lease_ms = tonumber(ARGV[2])
local budget = tonumber(ARGV[3])
local quiet_since = ARGV[4]
local housekeeping = ARGV[5] == '1'
local filter_bits = ARGV[6]
local forget_budget = 100 -- conversations forgotten per call at most: the sweep never holds Redis for long
local waiting = 0
local taken = 0
local unmarked = {}
local held = {}
local out = {0, 0, unmarked, held}
for b = 1, #KEYS / 5 do
  local lease_key, dirty_key, legacy_key, quiet_key = KEYS[5 * b - 4], KEYS[5 * b - 3], KEYS[5 * b - 2], KEYS[5 * b - 1]
  local seqs_whole_key = KEYS[5 * b]
  local prefix = ARGV[6 + b]
  local owner = redis.call('GET', lease_key)
  -- a free lease is taken by housekeeping only: until then another node may take it first
  local mine = owner == node or (housekeeping and not owner)
  if mine then
    held[#held + 1] = b
  end
  if mine and housekeeping then
    -- renewed at half-life only: an idle round writes nothing
    if not owner then
      redis.call('SET', lease_key, node, 'PX', lease_ms)
      taken = taken + 1
    elseif redis.call('PTTL', lease_key) < lease_ms / 2 then
      redis.call('PEXPIRE', lease_key, lease_ms)
    end
    if redis.call('GET', seqs_whole_key) ~= filter_bits then
      unmarked[#unmarked + 1] = b
    end
    if redis.call('EXISTS', legacy_key) == 1 then
      for _, entry in ipairs(redis.call('XRANGE', legacy_key, '-', '+')) do
        local fields = entry[2]
        for i = 1, #fields, 2 do
          if fields[i] == 'cid' then
            redis.call('SADD', dirty_key, fields[i + 1])
            break
          end
        end
      end
      redis.call('DEL', legacy_key)
    end
    if forget_budget > 0 then
      for _, cid in ipairs(redis.call('ZRANGE', quiet_key, '-inf', '(' .. quiet_since, 'BYSCORE', 'LIMIT', 0, forget_budget)) do
        forget_budget = forget_budget - 1
        redis.call('ZREM', quiet_key, cid)
        local seq = tonumber(redis.call('GET', prefix .. cid .. ':seq') or '0')
        local mark = tonumber(redis.call('GET', prefix .. cid .. ':persisted') or '0')
        if seq <= mark and redis.call('SISMEMBER', dirty_key, cid) == 0 then
          redis.call('DEL', prefix .. cid .. ':log', prefix .. cid .. ':persisted')
        end
      end
    end
    waiting = waiting + redis.call('SCARD', dirty_key)
  end
  if mine and budget > 0 then
    local dirty = redis.call('SRANDMEMBER', dirty_key, budget)
    if not housekeeping then
      waiting = waiting + #dirty
    end
    for _, cid in ipairs(dirty) do
      local mark = redis.call('GET', prefix .. cid .. ':persisted') or '0'
      local entries = redis.call('XRANGE', prefix .. cid .. ':log', '(' .. mark .. '-0', '+', 'COUNT', budget)
      if #entries == 0 then
        redis.call('SREM', dirty_key, cid) -- nothing above the mark (the log lost it, or it was written already)
      else
        out[#out + 1] = cid
        out[#out + 1] = mark
        out[#out + 1] = entries
        budget = budget - #entries
        if budget <= 0 then
          break
        end
      end
    end
  end
end
out[1] = waiting
out[2] = taken
return out
