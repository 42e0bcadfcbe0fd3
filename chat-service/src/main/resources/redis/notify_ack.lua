-- Moves the user's in-app notification cursor forward (stream ids compared as <ms>-<n>), never back.
-- KEYS: cursor key; ARGV: acknowledged stream id. Returns 1 if it moved.
local function parse(id)
  local dash = string.find(id, '-', 1, true)
  if not dash then return nil end
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local nms, nseq = parse(ARGV[1])
if not nms then return 0 end
local current = redis.call('GET', KEYS[1])
if current then
  local cms, cseq = parse(current)
  if cms and (cms > nms or (cms == nms and cseq >= nseq)) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
