-- A loaded value of a shared cache: written with its time to live, unless
-- its loader's lease was lost (invalidated, or expired and taken): then the
-- value may predate an invalidation and is not written. Whoever waits is
-- told.
-- KEYS: value, lease, waiting flag
-- ARGV: value, time to live (ms), lease token ('' for a load without a
--       lease: written whatever the lease), channel, message
-- Returns 1 when written
if ARGV[3] ~= '' then
  if redis.call('GET', KEYS[2]) ~= ARGV[3] then
    return 0
  end
  redis.call('DEL', KEYS[2])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('DEL', KEYS[3]) == 1 then
  redis.call('PUBLISH', ARGV[4], ARGV[5])
end
return 1
