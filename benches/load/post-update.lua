-- A durable write: posts a workspace update (notifies the partner, one
-- write transaction) to /api/workspaces/$WORKSPACE/updates.
wrk.method = "POST"
wrk.path = "/api/workspaces/" .. os.getenv("WORKSPACE") .. "/updates"
wrk.headers["x-api-key"] = os.getenv("KEY")
wrk.headers["content-type"] = "application/json"
wrk.body = '{"topic":"Load test","description":"A **durable** write.","category":"new_feature"}'
