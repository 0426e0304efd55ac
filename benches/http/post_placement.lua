-- POST /v1/placements with a new vacancy each time (unique id per thread and request).
-- Env: KOPPEL_TOKEN (employer_desk token for the employer in KOPPEL_BODY),
--      KOPPEL_BODY (a placement record as JSON whose "id" is replaced).
local token = os.getenv("KOPPEL_TOKEN")
local body = os.getenv("KOPPEL_BODY")
local counter = 0
local started = 0
-- Each thread gets its own number in the global `tid` (set from the main state).
function setup(thread)
  started = started + 1
  thread:set("tid", started)
end
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local id = string.format("WRK-%d-%d-%d", os.time(), tid, counter)
  local b = string.gsub(body, '"id":"[^"]*"', '"id":"' .. id .. '"', 1)
  return wrk.format("POST", "/v1/placements", nil, b)
end
