-- One sync of one instance with its shared breaker, atomic in Redis.
-- KEYS: 1 state hash, 2 window hash, 3 this instance's totals,
--       4 fleet totals, 5 probe leases (zset: id -> expiry ms),
--       6 instances seen (zset: id -> last sync ms). One hash tag: one slot.
-- ARGV: 1 instance, 2 channel, 3 breaker name, 4 fleet generation known,
--       5 action ('' | 'trip' | 'force' | 'reset'), 6 forced state code,
--       7..11 this instance's cumulative successes, failures, slow,
--       rejected, timeouts, 12 window ms, 13 failure_threshold,
--       14 minimum_calls, 15 failure_rate (0: off), 16 slow rate (0: off),
--       17 recovery ms, 18 half_open_max_calls, 19 success_threshold,
--       20 half_open_max_duration ms, 21 lease ms, 22 probe successes,
--       23 probe failures, 24 leases ended, 25 wants a lease (0/1),
--       26 this instance's leases still running (space separated).
-- Returns: state, generation, ms since opened, ms since half-open, origin,
--          window calls, failures, slow, instances, leases granted (ids).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me, channel, name = ARGV[1], ARGV[2], ARGV[3]
local known = tonumber(ARGV[4])
local action = ARGV[5]
local window = tonumber(ARGV[12])
local bucket_ms = math.max(1, math.floor(window / 10))
local bucket = math.floor(now / bucket_ms)

-- Counts: cumulative totals per instance, so a flush retried after a lost
-- answer adds nothing twice.
local names = {'ok', 'f', 's', 'rej', 'to'}
local before = redis.call('HMGET', KEYS[3], unpack(names))
local d = {}
for i = 1, 5 do
  local total = tonumber(ARGV[6 + i])
  local was = tonumber(before[i]) or 0
  if total > was then
    d[i] = total - was
    redis.call('HSET', KEYS[3], names[i], total)
  else
    d[i] = 0
  end
end
redis.call('PEXPIRE', KEYS[3], 86400000)
if d[1] + d[2] > 0 then
  redis.call('HINCRBY', KEYS[4], 'calls', d[1] + d[2])
  redis.call('HINCRBY', KEYS[2], bucket .. ':c', d[1] + d[2])
end
if d[1] > 0 then redis.call('HINCRBY', KEYS[4], 'successes', d[1]) end
if d[2] > 0 then
  redis.call('HINCRBY', KEYS[4], 'failures', d[2])
  redis.call('HINCRBY', KEYS[2], bucket .. ':f', d[2])
end
if d[3] > 0 then
  redis.call('HINCRBY', KEYS[4], 'slow', d[3])
  redis.call('HINCRBY', KEYS[2], bucket .. ':s', d[3])
end
if d[4] > 0 then redis.call('HINCRBY', KEYS[4], 'rejected', d[4]) end
if d[5] > 0 then redis.call('HINCRBY', KEYS[4], 'timeouts', d[5]) end

-- The window: the last ten buckets; older ones go.
local wc, wf, ws = 0, 0, 0
local fields = redis.call('HGETALL', KEYS[2])
for i = 1, #fields, 2 do
  local b, kind = string.match(fields[i], '^(%-?%d+):(%a)$')
  b = tonumber(b)
  if b == nil or b <= bucket - 10 then
    redis.call('HDEL', KEYS[2], fields[i])
  else
    local n = tonumber(fields[i + 1])
    if kind == 'c' then wc = wc + n elseif kind == 'f' then wf = wf + n else ws = ws + n end
  end
end
redis.call('PEXPIRE', KEYS[2], window * 2 + 1000)

redis.call('ZADD', KEYS[6], now, me)
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now - window)
redis.call('PEXPIRE', KEYS[6], window * 2 + 1000)
local instances = redis.call('ZCARD', KEYS[6])

local s = redis.call('HMGET', KEYS[1], 'st', 'gen', 'opened', 'half', 'origin', 'ps')
local st, gen = tonumber(s[1]) or 0, tonumber(s[2]) or 0
local opened, half = tonumber(s[3]) or 0, tonumber(s[4]) or 0
local origin, ps = s[5] or '', tonumber(s[6]) or 0

local function move(to)
  gen = gen + 1
  st = to
  origin = me
  ps = 0
  redis.call('DEL', KEYS[5])
  if to == 1 then opened = now end
  if to == 2 then half = now end
  if to == 0 then
    redis.call('DEL', KEYS[2])
    wc, wf, ws = 0, 0, 0
  end
  redis.call('HSET', KEYS[1], 'st', st, 'gen', gen, 'opened', opened, 'half', half,
    'origin', origin, 'ps', ps)
  redis.call('PUBLISH', channel, name)
end

-- Manual control applies whatever the state.
if action == 'force' then
  local to = tonumber(ARGV[6])
  if st ~= to then move(to) end
elseif action == 'reset' then
  -- Also when closed: a new generation, so that every instance empties
  -- its own window too.
  move(0)
elseif action == 'trip' then
  -- One transition when several instances trip at once: only the first
  -- finds the generation it tripped in.
  if st == 0 and gen == known then move(1) end
end

-- Probe results count in the half-open state they were granted in.
local lease_ms = tonumber(ARGV[21])
if st == 2 then
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
  local running = {}
  for id in string.gmatch(ARGV[26], '%S+') do running[id] = true end
  -- Leases of this instance that are no longer running are released;
  -- the running ones are renewed.
  local held = redis.call('ZRANGE', KEYS[5], 0, -1)
  for _, id in ipairs(held) do
    if string.sub(id, 1, #me + 1) == me .. '#' then
      if running[id] then
        redis.call('ZADD', KEYS[5], now + lease_ms, id)
      else
        redis.call('ZREM', KEYS[5], id)
      end
    end
  end
  if gen == known then
    if tonumber(ARGV[23]) > 0 then
      move(1)
    elseif tonumber(ARGV[22]) > 0 then
      ps = ps + tonumber(ARGV[22])
      if ps >= tonumber(ARGV[19]) then
        move(0)
      else
        redis.call('HSET', KEYS[1], 'ps', ps)
      end
    end
  end
end

-- Triggers, judged on the fleet's window.
if st == 0 then
  local minimum = tonumber(ARGV[14])
  local fr, sr = tonumber(ARGV[15]), tonumber(ARGV[16])
  if wf >= tonumber(ARGV[13])
    or (fr > 0 and wc >= minimum and wc > 0 and wf / wc >= fr)
    or (sr > 0 and wc >= minimum and wc > 0 and ws / wc >= sr) then
    move(1)
  end
elseif st == 1 and now >= opened + tonumber(ARGV[17]) then
  move(2)
end

-- Leases: at most half_open_max_calls running in the whole fleet.
local granted = ''
if st == 2 then
  local taken = redis.call('ZCARD', KEYS[5])
  if taken >= tonumber(ARGV[18]) then
    -- Probes that never finish cannot hold the fleet half-open.
    if now >= half + tonumber(ARGV[20]) then move(1) end
  elseif tonumber(ARGV[25]) > 0 then
    granted = me .. '#' .. gen .. '#' .. now
    redis.call('ZADD', KEYS[5], now + lease_ms, granted)
  end
end

for _, key in ipairs({KEYS[1], KEYS[4]}) do redis.call('PEXPIRE', key, 86400000 * 7) end
return {st, gen, now - opened, now - half, origin, wc, wf, ws, instances, granted}
