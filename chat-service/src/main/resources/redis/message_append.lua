-- Appends one chat message in a single round trip: de-duplicate, check membership, (for an edit or delete) check
-- the target is the sender's and still editable, assign the next seq, append to the conversation log and the
-- write-behind queue, remember the answer, publish the frame.
-- With the optional KEYS[8..11] also: the sender's read cursor and a direct chat's conversation lists, and the copy
-- for the sender's other devices only when it has some.
-- Returns {'ok', seq} | {'dup', 'id|seq|ts'} | {'forbidden'} | {'no-members'} (group cache missing)
--       | {'not-editable'} (unknown target, or its edit window closed) | {'not-yours'}.
local dedupe_key = KEYS[1]
local seq_key = KEYS[2]
local log_key = KEYS[3]
local members_key = KEYS[4]
local persist_key = KEYS[5]
local editable_key = KEYS[6] -- new message: its own; edit/delete: the target's
local changes_key = KEYS[7]
-- Optional, on a one-shard Redis only (a Cluster refuses keys of other slots; there the caller sends these apart):
local sender_conns_key = KEYS[8] -- the sender's open connections (presence): is there another device to tell?
local own_read_key = KEYS[9] -- the sender's read cursors: own messages are read
local index_keys = {KEYS[10], KEYS[11]} -- a direct chat's two participants' conversation lists (score: ts)

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
local edit_window_ms = ARGV[15]
local echo_channel = ARGV[16] -- the sender's own channel, for its other devices ('' for none)
-- ARGV[17..] are the channels to publish to

local original = redis.call('GET', dedupe_key)
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
if change then
  local owner = redis.call('GET', editable_key)
  if not owner then
    return {'not-editable'}
  end
  if owner ~= sender then
    return {'not-yours'}
  end
end

local seq = redis.call('INCR', seq_key)
redis.call('XADD', log_key, seq .. '-0', 'id', id, 'from', sender, 'to', recipient, 'kind', kind,
  'body', body, 'ts', ts, 'target', target, 'cmid', client_msg_id)
redis.call('XADD', persist_key, '*', 'cid', conversation, 'seq', seq, 'id', id, 'from', sender,
  'to', recipient, 'kind', kind, 'body', body, 'ts', ts, 'target', target, 'cmid', client_msg_id)
redis.call('SET', dedupe_key, id .. '|' .. seq .. '|' .. ts, 'PX', dedupe_ttl_ms)
if kind == 'edit' then
  redis.call('HSET', changes_key, target, 'edit|' .. seq .. '|' .. body)
elseif kind == 'delete' then
  redis.call('HSET', changes_key, target, 'delete|' .. seq .. '|')
  redis.call('DEL', editable_key)
else
  redis.call('SET', editable_key, sender, 'PX', edit_window_ms)
end

if own_read_key then
  local current = tonumber(redis.call('HGET', own_read_key, conversation) or '0')
  if seq > current then
    redis.call('HSET', own_read_key, conversation, seq)
  end
end
for _, index_key in ipairs(index_keys) do
  redis.call('ZADD', index_key, ts, conversation)
end

-- envelope: '<exclude> <conversation> <seq>' on the first line, then the frame (see fanout/Envelope.java)
local payload = exclude .. ' ' .. conversation .. ' ' .. seq .. '\n' .. frame_head .. seq .. frame_tail
for i = 17, #ARGV do
  redis.call('PUBLISH', ARGV[i], payload)
end
-- the sending connection has its `sent`: the copy on its own channel is only for its other devices, if any
if echo_channel ~= '' and (not sender_conns_key or redis.call('ZCARD', sender_conns_key) > 1) then
  redis.call('PUBLISH', echo_channel, payload)
end
return {'ok', tostring(seq)}
