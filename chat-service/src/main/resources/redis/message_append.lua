-- Appends one chat message in a single round trip: de-duplicate, check membership, (for an edit or delete) check
-- the target is the sender's and still editable, assign the next seq, append to the conversation log (the
-- write-behind reads it from there: the conversation joins its bucket's dirty set), remember the answer, publish
-- the frame.
-- With the optional KEYS[11..14] also: the sender's read cursor and a direct chat's conversation lists, and the copy
-- for the sender's other devices only when it has some.
-- Returns {'ok', seq} (or {'ok', seq, 'fenced'}: the counter was behind ARGV[23]) | {'dup', 'id|seq|ts'} | {'forbidden'} | {'no-members'} (group cache missing)
--       | {'not-editable'} (unknown target, or its edit window closed) | {'not-yours'}
--       | {'no-seq'} (the counter is missing and the conversation may have had one: seed it from MySQL and call again
--         with ARGV[17]).
--
-- A counter is not kept for ever: it leaves Redis with a quiet conversation's log (persist_done.lua). A missing
-- counter is then a new conversation only if the bucket's filter of started conversations (KEYS[11], a Bloom filter
-- set by persist_done.lua and by the re-seed from MySQL) does not hold the conversation, and only while the bucket's
-- marker (KEYS[10]) says the filter is whole for its size (ARGV[19]).
--
-- What the sender sent lately in this conversation is one small hash per (conversation, sender), in two generations
-- (KEYS[5] current, KEYS[6] previous): 'c<clientMsgId>' -> 'id|seq|ts' for de-duplication, 'm<id>' -> ts for edits.
-- When the current one holds ARGV[18] messages it becomes the previous one, so Redis keeps between ARGV[18] and
-- twice as many per sender and conversation, each generation for at most the de-duplication time after its last
-- write: memory follows the senders who are active, not the message rate times a day.
local seq_key = KEYS[1]
local log_key = KEYS[2]
local members_key = KEYS[3]
local dirty_key = KEYS[4] -- the bucket's conversations with messages MySQL may lack
local recent_key = KEYS[5]
local recent_previous_key = KEYS[6]
local changes_key = KEYS[7]
-- edit/delete: the target's sender's two generations (whose id names the sender); otherwise KEYS[5] and KEYS[6] again
local target_recent_key = KEYS[8]
local target_recent_previous_key = KEYS[9]
-- the filter's size while every conversation of the bucket that MySQL knows is in the filter (set by the write-behind
-- after it rebuilt the filter from MySQL; gone with everything else when Redis loses its data)
local seqs_whole_key = KEYS[10]
local started_key = KEYS[11] -- the bucket's conversations that may have had a counter (a bitmap)
-- Optional, on a one-shard Redis only (a Cluster refuses keys of other slots; there the caller sends these apart):
local sender_conns_key = KEYS[12] -- the sender's open connections (presence): is there another device to tell?
local own_read_key = KEYS[13] -- the sender's read cursors: own messages are read
local index_keys = {KEYS[14], KEYS[15]} -- a direct chat's two participants' conversation lists (hash: cid -> ts)

local conversation = ARGV[1]
local id = ARGV[2]
local sender = ARGV[3]
local recipient = ARGV[4]
local kind = ARGV[5]
local body = ARGV[6]
local ts = ARGV[7]
local target = ARGV[8]
local client_msg_id = ARGV[9]
local dedupe_ttl_ms = ARGV[10]
local check_members = ARGV[11]
local frame_head = ARGV[12]
local frame_tail = ARGV[13]
local exclude = ARGV[14]
local edit_window_ms = tonumber(ARGV[15])
local echo_channel = ARGV[16] -- the sender's own channel, for its other devices ('' for none)
local seq_floor = ARGV[17] -- '' normally; after {'no-seq'}: the highest seq MySQL holds for the conversation
local generation_size = tonumber(ARGV[18])
local filter_bits = ARGV[19] -- the started filter's size: the marker's value while the filter is whole
-- ARGV[20..22]: the conversation's three positions in the filter
local handed_out = ARGV[23] or '' -- '' or the highest seq this node saw handed out in the conversation (HandedOutSeqs)
-- ARGV[24..] are the channels to publish to

local dedupe_field = 'c' .. client_msg_id
local original = redis.call('HGET', recent_key, dedupe_field) or redis.call('HGET', recent_previous_key, dedupe_field)
if original then
  return {'dup', original}
end
if check_members == '1' and redis.call('SISMEMBER', members_key, sender) == 0 then
  if redis.call('EXISTS', members_key) == 0 then
    return {'no-members'}
  end
  return {'forbidden'}
end

local change = kind == 'edit' or kind == 'delete'
local target_field = 'm' .. target
if change then
  local sent_at = redis.call('HGET', target_recent_key, target_field)
      or redis.call('HGET', target_recent_previous_key, target_field)
  if not sent_at then
    return {'not-editable'}
  end
  if target_recent_key ~= recent_key then
    return {'not-yours'}
  end
  if tonumber(ts) - tonumber(sent_at) > edit_window_ms then
    return {'not-editable'}
  end
end

local seq
if seq_floor ~= '' then
  -- Re-seed a lost counter: never below what MySQL holds, nor below what the log still holds (its entries are never
  -- trimmed above the persisted mark, and it is the write-behind's queue: nothing else holds messages MySQL lacks).
  local floor = tonumber(seq_floor)
  local last = redis.call('XREVRANGE', log_key, '+', '-', 'COUNT', 1)[1]
  if last then
    floor = math.max(floor, tonumber(string.match(last[1], '^(%d+)')))
  end
  redis.call('SET', seq_key, floor, 'NX')
  seq = redis.call('INCR', seq_key)
else
  seq = redis.call('INCR', seq_key)
  if seq == 1 then
    local new = redis.call('GET', seqs_whole_key) == filter_bits
    if new then
      local bits = redis.call('BITFIELD_RO', started_key, 'GET', 'u1', ARGV[20], 'GET', 'u1', ARGV[21], 'GET', 'u1', ARGV[22])
      new = bits[1] == 0 or bits[2] == 0 or bits[3] == 0
    end
    if not new then
      -- a new conversation, or one whose counter left Redis (quiet) or was lost: only MySQL can tell, so nothing is
      -- written until it has
      redis.call('DEL', seq_key)
      return {'no-seq'}
    end
  end
end
-- A Redis that came back behind what it handed out (a restart that lost its last second, a failover to a replica
-- that lagged) still has the counter, only lower: never hand out a seq a device may already hold.
local fenced = false
if handed_out ~= '' and seq <= tonumber(handed_out) then
  seq = tonumber(handed_out) + 1
  redis.call('SET', seq_key, seq, 'KEEPTTL')
  fenced = true
end
redis.call('XADD', log_key, seq .. '-0', 'id', id, 'from', sender, 'to', recipient, 'kind', kind,
  'body', body, 'ts', ts, 'target', target, 'cmid', client_msg_id)
-- a quiet conversation's log and counter expire once MySQL holds it whole (persist_done.lua): not while the log holds
-- this message (the two are given their expiry together: a log that had one means the counter has one too)
if redis.call('PERSIST', log_key) == 1 then
  redis.call('PERSIST', seq_key)
end
redis.call('SADD', dirty_key, conversation)

local answer = id .. '|' .. seq .. '|' .. ts
if kind == 'edit' then
  redis.call('HSET', changes_key, target, 'edit|' .. seq .. '|' .. body)
  redis.call('HSET', recent_key, dedupe_field, answer)
elseif kind == 'delete' then
  redis.call('HSET', changes_key, target, 'delete|' .. seq .. '|')
  redis.call('HDEL', recent_previous_key, target_field)
  redis.call('HDEL', recent_key, target_field)
  redis.call('HSET', recent_key, dedupe_field, answer)
else
  redis.call('HSET', recent_key, dedupe_field, answer, 'm' .. id, ts)
end
-- two fields per message; a full generation becomes the previous one (RENAME keeps its expiry)
if redis.call('HLEN', recent_key) >= 2 * generation_size then
  redis.call('RENAME', recent_key, recent_previous_key)
else
  redis.call('PEXPIRE', recent_key, dedupe_ttl_ms)
end

if own_read_key then
  local current = tonumber(redis.call('HGET', own_read_key, conversation) or '0')
  if seq > current then
    redis.call('HSET', own_read_key, conversation, seq)
  end
end
for _, index_key in ipairs(index_keys) do
  redis.call('HSET', index_key, conversation, ts)
end

-- envelope: '<exclude> <conversation> <seq>' on the first line, then the frame (see fanout/Envelope.java)
local payload = exclude .. ' ' .. conversation .. ' ' .. seq .. '\n' .. frame_head .. seq .. frame_tail
for i = 24, #ARGV do
  redis.call('PUBLISH', ARGV[i], payload)
end
-- the sending connection has its `sent`: the copy on its own channel is only for its other devices, if any
if echo_channel ~= '' and (not sender_conns_key or redis.call('ZCARD', sender_conns_key) > 1) then
  redis.call('PUBLISH', echo_channel, payload)
end
if fenced then
  return {'ok', tostring(seq), 'fenced'}
end
return {'ok', tostring(seq)}
