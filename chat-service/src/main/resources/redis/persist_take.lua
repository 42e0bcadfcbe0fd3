-- The write-behind's read: for each bucket this node may write (its lease is free or ours), the conversations with
-- messages above their persisted mark and those messages, read from the conversations' own logs (the log is the
-- queue: it is never trimmed above the mark, so nothing waits anywhere else).
-- KEYS: per bucket: its writer lease, its dirty set (conversations with messages MySQL may lack), and the write-behind
--       stream of versions before this one (drained once: its conversations become dirty).
-- ARGV: node name, lease ms, most entries to return, then per bucket the prefix of its conversations' keys.
-- Returns {conversations waiting in the buckets read, leases taken, then per conversation: cid, mark, entries}.
local node = ARGV[1]
local lease_ms = tonumber(ARGV[2])
local budget = tonumber(ARGV[3])
local waiting = 0
local taken = 0
local out = {0, 0}
for b = 1, #KEYS / 3 do
  local lease_key, dirty_key, legacy_key = KEYS[3 * b - 2], KEYS[3 * b - 1], KEYS[3 * b]
  local prefix = ARGV[3 + b]
  local owner = redis.call('GET', lease_key)
  if not owner or owner == node then
    -- renewed at half-life only: an idle round writes nothing
    if not owner then
      redis.call('SET', lease_key, node, 'PX', lease_ms)
      taken = taken + 1
    elseif redis.call('PTTL', lease_key) < lease_ms / 2 then
      redis.call('PEXPIRE', lease_key, lease_ms)
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
    waiting = waiting + redis.call('SCARD', dirty_key)
    if budget > 0 then
      for _, cid in ipairs(redis.call('SRANDMEMBER', dirty_key, budget)) do
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
end
out[1] = waiting
out[2] = taken
return out
