-- A miss of a shared cache: the value, else the lease to load it, else the
-- holder of the lease (and a flag that someone waits for it).
-- KEYS: value, lease, waiting flag
-- ARGV: lease token, lease and flag time to live (ms), expected header
-- Returns {1, value} | {2, ''} (the lease is this caller's) | {3, holder}
local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, string.len(ARGV[3])) == ARGV[3] then
  return {1, value}
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {2, ''}
end
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
return {3, redis.call('GET', KEYS[2]) or ''}
