-- Each workspace numbers its updates 1, 2, 3…; a deleted update keeps its
-- number (deleted), so that unread counts are differences of numbers.
ALTER TABLE workspaces ADD COLUMN update_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE workspace_updates (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    author_id TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    topic TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    related TEXT NOT NULL,
    element_changes TEXT NOT NULL,
    is_pinned BOOLEAN NOT NULL DEFAULT FALSE,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX workspace_updates_seq ON workspace_updates(workspace_id, seq);
CREATE INDEX workspace_updates_live_author ON workspace_updates(workspace_id, author_id, seq) WHERE deleted = FALSE;
CREATE INDEX workspace_updates_deleted ON workspace_updates(workspace_id, seq) WHERE deleted = TRUE;
CREATE INDEX workspace_updates_pinned ON workspace_updates(workspace_id, is_pinned, seq) WHERE deleted = FALSE;

-- The last update number each member had seen when they opened the Updates tab.
CREATE TABLE update_cursors (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    seen_seq BIGINT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, workspace_id)
);
