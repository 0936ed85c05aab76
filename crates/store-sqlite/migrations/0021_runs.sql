-- Collection runs (issue 11), private to who ran them: counts for the
-- history and the JSON report of every request and assertion.
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    environment_id TEXT,
    environment_name TEXT,
    started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    failed_requests INTEGER NOT NULL,
    assertions INTEGER NOT NULL,
    failed_assertions INTEGER NOT NULL,
    report TEXT NOT NULL
);
CREATE INDEX runs_by_collection_user ON runs (collection_id, user_id, started_at);
