-- Collection runs (issue 11), private to who ran them: counts for the
-- history and the JSON report of every request and assertion.
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    environment_id TEXT,
    environment_name TEXT,
    started_at BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    passed BOOLEAN NOT NULL,
    requests BIGINT NOT NULL,
    failed_requests BIGINT NOT NULL,
    assertions BIGINT NOT NULL,
    failed_assertions BIGINT NOT NULL,
    report TEXT NOT NULL
);
CREATE INDEX runs_by_collection_user ON runs (collection_id, user_id, started_at);
