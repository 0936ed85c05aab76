-- A member's own live updates posted after their cursor, kept as a counter
-- so that the unread badge (R-UPD-3) does not count them one by one.
ALTER TABLE update_cursors ADD COLUMN own_unseen INTEGER NOT NULL DEFAULT 0;
INSERT INTO update_cursors (user_id, workspace_id, seen_seq, seen_at, own_unseen)
    SELECT DISTINCT u.author_id, u.workspace_id, 0, 0, 0 FROM workspace_updates u
    JOIN users ON users.id = u.author_id WHERE u.deleted = FALSE
    ON CONFLICT (user_id, workspace_id) DO NOTHING;
UPDATE update_cursors SET own_unseen = (
    SELECT COUNT(*) FROM workspace_updates w WHERE w.workspace_id = update_cursors.workspace_id
    AND w.author_id = update_cursors.user_id AND w.seq > update_cursors.seen_seq AND w.deleted = FALSE);

-- Deleted updates as counters too: how many a workspace has, and how many
-- of those each member's cursor had already passed.
ALTER TABLE workspaces ADD COLUMN deleted_updates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE update_cursors ADD COLUMN deleted_seen INTEGER NOT NULL DEFAULT 0;
UPDATE workspaces SET deleted_updates = (
    SELECT COUNT(*) FROM workspace_updates w WHERE w.workspace_id = workspaces.id AND w.deleted = TRUE);
UPDATE update_cursors SET deleted_seen = (
    SELECT COUNT(*) FROM workspace_updates w WHERE w.workspace_id = update_cursors.workspace_id
    AND w.seq <= update_cursors.seen_seq AND w.deleted = TRUE);
