-- GET /v1/learners/{id}/matches?k=10 for random learners L0000001..L{N}.
-- Env: KOPPEL_TOKEN (advisor token for every region of the data), KOPPEL_LEARNERS (N).
local token = os.getenv("KOPPEL_TOKEN")
local n = tonumber(os.getenv("KOPPEL_LEARNERS") or "100000")
math.randomseed(os.time())
wrk.headers["Authorization"] = "Bearer " .. token
request = function()
  local path = string.format("/v1/learners/L%07d/matches?k=10", math.random(1, n))
  return wrk.format("GET", path)
end
