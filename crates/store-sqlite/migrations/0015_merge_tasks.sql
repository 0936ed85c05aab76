-- Merges of a fork into its parent (PUT /collection-merges), each a task
-- its creator can look up.
CREATE TABLE merge_tasks (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    strategy TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX merge_tasks_user ON merge_tasks(user_id, created_at);
