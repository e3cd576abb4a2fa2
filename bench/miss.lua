-- wrk: the cache-miss path of the district ranking query (issue #20). Every request asks for another filter:
-- a random township of the district, finalScore ≥ a random whole number 0–80 and a random $top 10–100 (~96,000
-- distinct queries per district of 13 townships, so the output cache almost never holds the answer).
-- Args: mode (odata | yardstick), month (yyyymm), comma-separated township ids. Prints what percentiles.lua prints.
local mode, month, townships
init = function(args)
  mode, month, townships = args[1], args[2], {}
  for t in string.gmatch(args[3], "[^,]+") do townships[#townships + 1] = t end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6) + #tostring({}))
end
request = function()
  local t, min, top = townships[math.random(#townships)], math.random(0, 80), math.random(10, 100)
  local path
  if mode == "odata" then
    path = "/odata/VillageResults?%24filter=townshipId%20eq%20" .. t .. "%20and%20month%20eq%20" .. month ..
      "%20and%20finalScore%20ge%20" .. min .. "&%24orderby=townshipRank&%24top=" .. top
  else
    path = "/ranking?townshipId=" .. t .. "&month=" .. month .. "&minScore=" .. min .. "&top=" .. top
  end
  return wrk.format(nil, path)
end
done = function(summary, latency, requests)
  io.write(string.format("percentiles: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; %d requests, %.1f req/s, %d errors\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests, summary.requests / (summary.duration / 1e6),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
