-- A durable write: renames one request of a collection (a new collection
-- revision with its changelog entry) through
-- PUT /api/collections/$COLLECTION/requests/$REQUEST, a new name each time.
local n = 0
local path = "/api/collections/" .. os.getenv("COLLECTION") .. "/requests/" .. os.getenv("REQUEST")
local headers = { ["x-api-key"] = os.getenv("KEY"), ["content-type"] = "application/json" }

request = function()
  n = n + 1
  return wrk.format("PUT", path, headers, string.format('{"name":"Renamed %d-%d"}', math.random(1e9), n))
end
