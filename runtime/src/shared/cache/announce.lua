-- An invalidation of a shared cache, counted and announced in one step, so
-- that versions and messages come in the same order.
-- KEYS: the cache's meta hash (gen, ver)
-- ARGV: 'all' or 'key', channel, message tail (key hex and name, or name)
-- Returns {generation, version}
local version = redis.call('HINCRBY', KEYS[1], 'ver', 1)
local generation
if ARGV[1] == 'all' then
  generation = redis.call('HINCRBY', KEYS[1], 'gen', 1)
  redis.call('PUBLISH', ARGV[2], 'a ' .. version .. ' ' .. generation .. ' ' .. ARGV[3])
else
  generation = tonumber(redis.call('HGET', KEYS[1], 'gen') or '0')
  redis.call('PUBLISH', ARGV[2], 'i ' .. version .. ' ' .. ARGV[3])
end
return {generation, version}
