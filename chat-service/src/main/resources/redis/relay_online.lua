-- The offline relay's presence check for a whole write-behind batch in one call: for each key (a user's presence key),
-- 1 if it exists (the user has an open connection somewhere), else 0. Standalone Redis only: the keys belong to
-- different users, hence different Cluster slots (there the relay asks one by one).
local online = {}
for i, key in ipairs(KEYS) do
  online[i] = redis.call('EXISTS', key)
end
return online
