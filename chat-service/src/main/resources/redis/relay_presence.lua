-- The offline relay's per-device presence check: for each recipient, whether a message to them must go to the outbox.
-- KEYS: one triple per recipient — presence hash (exists while any connection is open), open connections zset
-- (members '<node>:<connection>|<device id>'), push device ids set (written by notify-service). ARGV: none.
-- Returns, per recipient: 0 — no open connection and no push devices (relay as offline); 2 — no open connection, push
-- devices (relay as offline, with the unread total for the badge); 1 — online and no push device of theirs lacks a
-- connection (nothing to relay); or the list of device ids with an open connection (online, but a push device of
-- theirs has none: it is pushed to, the connected ones are not). A user with no push devices costs one EXISTS more.
-- Standalone Redis: the whole batch in one call. On a Cluster: one call per recipient (a triple shares its hash tag).
local out = {}
for i = 1, #KEYS, 3 do
  local presence, conns, push = KEYS[i], KEYS[i + 1], KEYS[i + 2]
  if redis.call('EXISTS', presence) == 0 then
    out[#out + 1] = redis.call('EXISTS', push) * 2
  elseif redis.call('EXISTS', push) == 0 then
    out[#out + 1] = 1
  else
    local connected, listed, known = {}, {}, true
    for _, member in ipairs(redis.call('ZRANGE', conns, 0, -1)) do
      local bar = string.find(member, '|', 1, true)
      if bar then
        local device = string.sub(member, bar + 1)
        if not connected[device] then
          connected[device] = true
          listed[#listed + 1] = device
        end
      else
        known = false -- a connection opened without a device id: it may be any of the devices
      end
    end
    local missing = false
    if known then
      for _, device in ipairs(redis.call('SMEMBERS', push)) do
        if not connected[device] then
          missing = true
        end
      end
    end
    if missing then
      out[#out + 1] = listed
    else
      out[#out + 1] = 1
    end
  end
end
return out
