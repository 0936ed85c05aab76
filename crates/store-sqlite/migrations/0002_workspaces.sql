CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    about TEXT NOT NULL DEFAULT '',
    multi_partner INTEGER NOT NULL DEFAULT 0,
    pending_approval INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX workspaces_team ON workspaces(team_id, kind);

CREATE TABLE workspace_members (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    partner_lead INTEGER NOT NULL DEFAULT 0,
    partner_team_id TEXT REFERENCES teams(id) ON DELETE CASCADE,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user ON workspace_members(user_id);
CREATE INDEX workspace_members_partner_team ON workspace_members(partner_team_id);

CREATE TABLE partnerships (
    publisher_team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    partner_team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (publisher_team_id, partner_team_id)
);
CREATE INDEX partnerships_partner ON partnerships(partner_team_id);

ALTER TABLE invitations ADD COLUMN workspace_id TEXT REFERENCES workspaces(id) ON DELETE CASCADE;
ALTER TABLE invitations ADD COLUMN workspace_role TEXT;
ALTER TABLE invitations ADD COLUMN partner_lead INTEGER NOT NULL DEFAULT 0;
CREATE INDEX invitations_workspace ON invitations(workspace_id, email);

CREATE TABLE workspace_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    actor_id TEXT,
    partner_team_id TEXT,
    action TEXT NOT NULL,
    element_type TEXT NOT NULL,
    element_id TEXT NOT NULL,
    element_name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX workspace_activities_ws ON workspace_activities(workspace_id, id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);
