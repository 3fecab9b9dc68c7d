-- wrk script for benchmarks/load.py: POST /match, bodies rotating over a file of JSON lines (WRK_BODIES);
-- done() prints one line of JSON (prefix WRKJSON) with the counts and latency percentiles in microseconds.
local bodies = {}
for line in io.lines(os.getenv("WRK_BODIES")) do bodies[#bodies + 1] = line end
local next_body = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function setup(thread)
  thread:set("offset", math.random(#bodies))
end

function init(args)
  next_body = offset or 0
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format(nil, "/match", nil, bodies[next_body])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
