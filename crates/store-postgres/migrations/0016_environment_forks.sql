-- A forked environment: its parent, label, and the parent's variables as of
-- the fork or the last pull (the base of the next three-way merge).
CREATE TABLE environment_forks (
    environment_id TEXT PRIMARY KEY REFERENCES environments(id) ON DELETE CASCADE,
    parent_id TEXT NOT NULL,
    label TEXT NOT NULL,
    base_vars TEXT NOT NULL,
    base_revision BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX environment_forks_parent ON environment_forks(parent_id, created_at);
