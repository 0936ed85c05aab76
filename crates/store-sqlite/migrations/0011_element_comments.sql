-- Comments on collections, folders, requests and responses, in threads.
CREATE TABLE element_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    element_type TEXT NOT NULL,
    element_id TEXT NOT NULL,
    -- The first comment of the thread; NULL for that first comment.
    thread_id INTEGER REFERENCES element_comments(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    resolved BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX element_comments_element ON element_comments(collection_id, element_type, element_id, id);
