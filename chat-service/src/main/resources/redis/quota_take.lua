-- Takes more of an app's connections and topic subscribers for one node, if the app's total over the nodes whose
-- share is live stays within its quotas; a share whose lease ran out (its node died) is removed on the way.
-- KEYS[1] the app's shares (hash: c:<node> connections, s:<node> subscribers, t:<node> lease expiry, epoch ms)
-- KEYS[2] the app's refusals (hash: quota -> count)
-- ARGV[1] this node; ARGV[2] / ARGV[3] its connections / subscribers once this is taken;
-- ARGV[4] / ARGV[5] how many of them are new; ARGV[6] / ARGV[7] the quotas (0: none); ARGV[8] lease (ms)
-- Returns {1} (taken: the node's share is written) or {0, quota} (refused: nothing written but the refusal).
local shares, refusals = KEYS[1], KEYS[2]
local node = ARGV[1]
local mine_c, mine_s = tonumber(ARGV[2]), tonumber(ARGV[3])
local new_c, new_s = tonumber(ARGV[4]), tonumber(ARGV[5])
local max_c, max_s = tonumber(ARGV[6]), tonumber(ARGV[7])
local lease = tonumber(ARGV[8])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local flat = redis.call('HGETALL', shares)
local fields = {}
for i = 1, #flat, 2 do
  fields[flat[i]] = flat[i + 1]
end
local other_c, other_s = 0, 0
for field, value in pairs(fields) do
  if string.sub(field, 1, 2) == 't:' then
    local other = string.sub(field, 3)
    if tonumber(value) < now then
      redis.call('HDEL', shares, field, 'c:' .. other, 's:' .. other)
    elseif other ~= node then
      other_c = other_c + tonumber(fields['c:' .. other] or '0')
      other_s = other_s + tonumber(fields['s:' .. other] or '0')
    end
  end
end

if new_c > 0 and max_c > 0 and other_c + mine_c > max_c then
  redis.call('HINCRBY', refusals, 'connections', 1)
  return {0, 'connections'}
end
if new_s > 0 and max_s > 0 and other_s + mine_s > max_s then
  redis.call('HINCRBY', refusals, 'subscribers', 1)
  return {0, 'subscribers'}
end
redis.call('HSET', shares, 'c:' .. node, mine_c, 's:' .. node, mine_s, 't:' .. node, now + lease)
redis.call('PEXPIRE', shares, lease)
return {1}
