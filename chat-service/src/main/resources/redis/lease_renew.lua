-- Extends a lease only if the caller still holds it (a read and an expiry reset in one step, so a node can
-- never extend a lease another node has just taken). KEYS: lease; ARGV: owner, ttl ms. Returns 1 if renewed.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
