-- The current children of a node, in order (single-element edits, moves).
CREATE INDEX collection_nodes_children ON collection_nodes(collection_id, parent_uid, position, uid) WHERE to_rev IS NULL;
