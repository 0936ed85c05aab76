-- The checks a team requires before a pull request into one of its
-- collections may be merged (R-PR-1).
CREATE TABLE team_merge_checks (
    team_id TEXT PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
    require_approval INTEGER NOT NULL DEFAULT 0,
    require_editor_approval INTEGER NOT NULL DEFAULT 0
);
