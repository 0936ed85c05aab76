-- A fork (R-FORK-2): its parent, label, creator, and the parent revision it
-- was last in sync with. The parent may be deleted later; the record stays.
CREATE TABLE collection_forks (
    collection_id TEXT PRIMARY KEY REFERENCES collections(id) ON DELETE CASCADE,
    parent_id TEXT NOT NULL,
    label TEXT NOT NULL,
    base_revision BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX collection_forks_parent ON collection_forks(parent_id, created_at);
CREATE INDEX collection_forks_creator ON collection_forks(created_by, created_at);

-- Copy-on-write trees: from revision from_rev on, a collection's tree is the
-- tree of layer_id at layer_rev with the collection's own node rows laid
-- over it (own rows of kind 'deleted' hide a node). A fork starts as one
-- layer row and no copied nodes; layer_id NULL: the collection stands alone.
CREATE TABLE collection_layers (
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    from_rev BIGINT NOT NULL,
    layer_id TEXT,
    layer_rev BIGINT,
    PRIMARY KEY (collection_id, from_rev)
);
CREATE INDEX collection_layers_layer ON collection_layers(layer_id);

-- The body of the rows that hide a node.
INSERT INTO blobs (hash, body) VALUES ('deleted', 'null');

-- The children of a node as of any revision (reads through a layer).
CREATE INDEX collection_nodes_parent_history ON collection_nodes(collection_id, parent_uid, from_rev);
