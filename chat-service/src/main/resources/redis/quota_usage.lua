-- An app's usage: its connections and subscribers over the nodes whose share is live, what it posted in one
-- second, and its refusals.
-- KEYS[1] shares (hash: c:<node>, s:<node>, t:<node> lease expiry); KEYS[2] refusals (hash);
-- KEYS[3] / KEYS[4] the publications / notifications counter of the second asked for
-- Returns {connections, subscribers, publications, notifications, {quota, count, ...}}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local flat = redis.call('HGETALL', KEYS[1])
local fields = {}
for i = 1, #flat, 2 do
  fields[flat[i]] = flat[i + 1]
end
local c, s = 0, 0
for field, value in pairs(fields) do
  if string.sub(field, 1, 2) == 't:' and tonumber(value) >= now then
    local node = string.sub(field, 3)
    c = c + tonumber(fields['c:' .. node] or '0')
    s = s + tonumber(fields['s:' .. node] or '0')
  end
end
local p = tonumber(redis.call('GET', KEYS[3]) or '0')
local n = tonumber(redis.call('GET', KEYS[4]) or '0')
return {c, s, p, n, redis.call('HGETALL', KEYS[2])}
