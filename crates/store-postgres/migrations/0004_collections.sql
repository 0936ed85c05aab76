-- Content-addressed item bodies, shared by every collection and revision.
CREATE TABLE blobs (
    hash TEXT PRIMARY KEY,
    body TEXT NOT NULL
);

CREATE TABLE collections (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX collections_workspace ON collections(workspace_id, created_at);

-- The item tree of every revision: a row is one version of one node (the
-- collection itself, a folder, a request or a response), valid from
-- revision from_rev up to, not including, to_rev (NULL: still current).
CREATE TABLE collection_nodes (
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    uid TEXT NOT NULL,
    parent_uid TEXT,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    blob_hash TEXT NOT NULL REFERENCES blobs(hash),
    from_rev BIGINT NOT NULL,
    to_rev BIGINT
);
CREATE UNIQUE INDEX collection_nodes_current ON collection_nodes(collection_id, uid) WHERE to_rev IS NULL;
CREATE INDEX collection_nodes_history ON collection_nodes(collection_id, from_rev);

CREATE TABLE collection_revisions (
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (collection_id, revision)
);
