CREATE TABLE update_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    update_id INTEGER NOT NULL REFERENCES workspace_updates(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES update_comments(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    partner_team_id TEXT,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX update_comments_update ON update_comments(update_id, id);
