-- One ML orders_v2 notification per request with a fresh order id; count the 200s and keep their inbox ids.
local counter = 0
local threads = {}
ok, other, ids, codes = 0, 0, {}, {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function request()
  counter = counter + 1
  local order = string.format("20%02d%012d", tid, counter)
  local body = '{"_id":"bench-' .. tid .. '-' .. counter .. '","resource":"/orders/' .. order ..
    '","user_id":SELLER,"topic":"orders_v2","application_id":APP_ID,"attempts":1,' ..
    '"sent":"2026-11-23T10:00:00.000Z","received":"2026-11-23T10:00:00.000Z"}'
  return wrk.format("POST", "PATH", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
    local id = string.match(body, '"id": ?(%d+)')
    if id then ids[#ids + 1] = id end
  else
    other = other + 1
    codes[status] = (codes[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_other, statuses = 0, 0, {}
  local out = io.open("IDS_FILE", "w")
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_other = total_other + thread:get("other")
    for code, n in pairs(thread:get("codes")) do statuses[code] = (statuses[code] or 0) + n end
    for _, id in ipairs(thread:get("ids")) do out:write(id, "\n") end
  end
  out:close()
  local others = {}
  for code, n in pairs(statuses) do others[#others + 1] = code .. ":" .. n end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d ok=%d other=%d p50=%d p90=%d p99=%d max=%d " ..
    "connect=%d read=%d write=%d timeout=%d status=%d\nOTHER %s\n",
    summary.requests, summary.duration, total_ok, total_other, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status, table.concat(others, ",")))
end
