CREATE TABLE update_comments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    update_id BIGINT NOT NULL REFERENCES workspace_updates(id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES update_comments(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    partner_team_id TEXT,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX update_comments_update ON update_comments(update_id, id);
