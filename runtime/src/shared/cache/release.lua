-- A loader of a shared cache that cached nothing, was cancelled or
-- panicked: its lease is freed, and whoever waits is told to try again.
-- KEYS: lease, waiting flag
-- ARGV: lease token, channel, message
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
if redis.call('DEL', KEYS[2]) == 1 then
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return 1
