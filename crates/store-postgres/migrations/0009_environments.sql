CREATE TABLE environments (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- The variables as a JSON list, in order.
    vars TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX environments_workspace ON environments(workspace_id, created_at);

-- Every revision of an environment, whole (environments are small).
CREATE TABLE environment_revisions (
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    name TEXT NOT NULL,
    vars TEXT NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (environment_id, revision)
);
CREATE INDEX environment_revisions_time ON environment_revisions(environment_id, created_at);
