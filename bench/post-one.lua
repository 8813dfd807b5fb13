-- bench/post-one.lua: wrk posts one event per request to /events (the
-- event bench/ingest.sh posts), and counts the answers by status.
--
--   wrk -t1 -c32 -d10s -s bench/post-one.lua http://127.0.0.1:8080
--
-- At the end it prints "status CODE COUNT" lines: every one should be
-- 202.
wrk.method = "POST"
wrk.path = "/events"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"click","metadata":{"x":268,"y":289,"tag":"button",' ..
	'"selector":"main > button.buy","text":"Buy now"},' ..
	'"page":{"url":"https://shop.example/p/42","path":"/p/42","title":"Product 42"}}'

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	statuses = {}
end

function response(status, headers, body)
	statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
	for _, thread in ipairs(threads) do
		for code, n in pairs(thread:get("statuses")) do
			io.write(string.format("status %d %d\n", code, n))
		end
	end
end
