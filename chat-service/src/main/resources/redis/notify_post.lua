-- Appends an in-app notification to one user's inbox once per (app, notification id) within the dedupe window.
-- KEYS: inbox stream, posted marker (same slot). ARGV: inbox max length, window ms, id, title, body, data, ts.
-- Returns {inbox entry id, 1} when appended, {the first post's entry id, 0} for a repeat.
local first = redis.call('GET', KEYS[2])
if first then
  return {first, 0}
end
local seq = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
  'id', ARGV[3], 'title', ARGV[4], 'body', ARGV[5], 'data', ARGV[6], 'ts', ARGV[7])
redis.call('SET', KEYS[2], seq, 'PX', ARGV[2])
return {seq, 1}
