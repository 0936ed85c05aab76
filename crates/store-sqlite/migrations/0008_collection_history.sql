-- One node's versions, for changelog diffs.
CREATE INDEX collection_nodes_versions ON collection_nodes(collection_id, uid, from_rev);
-- A workspace's recent changes, for the save nudge (R-UPD-2).
CREATE INDEX collection_revisions_time ON collection_revisions(collection_id, created_at);
