-- GCRA for one limit, on Redis' clock (microseconds), atomic.
-- KEYS[1]: the limit's theoretical arrival time (TAT).
-- ARGV: 1 interval µs, 2 tolerance µs ((burst - 1) × interval),
--       3 longest wait µs for a reserved turn (0: never waits),
--       4 'take' to decide, or 'give' to give one interval back.
-- Returns {admitted (0/1), wait µs}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local stored = tonumber(redis.call('GET', KEYS[1]))
if ARGV[4] == 'give' then
  if stored and stored - interval > now then
    redis.call('SET', KEYS[1], stored - interval, 'PX', math.ceil((stored - interval - now) / 1000) + 1)
  end
  return {1, 0}
end
local tat = stored or now
if tat < now then tat = now end
local wait = tat - now - tonumber(ARGV[2])
if wait < 0 then wait = 0 end
if wait > tonumber(ARGV[3]) then
  return {0, wait}
end
local next = tat + interval
-- A fully recovered limit holds no key.
redis.call('SET', KEYS[1], next, 'PX', math.ceil((next - now) / 1000) + 1)
return {1, wait}
