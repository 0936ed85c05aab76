-- Pull requests from a fork into its parent (R-PR-1).
CREATE TABLE pull_requests (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    decline_comment TEXT,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX pull_requests_destination ON pull_requests(destination_id, created_at);
CREATE INDEX pull_requests_source ON pull_requests(source_id, created_at);

CREATE TABLE pull_request_reviewers (
    pull_request_id TEXT NOT NULL REFERENCES pull_requests(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    approved BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (pull_request_id, user_id)
);

CREATE TABLE pull_request_comments (
    id TEXT PRIMARY KEY,
    pull_request_id TEXT NOT NULL REFERENCES pull_requests(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX pull_request_comments_pr ON pull_request_comments(pull_request_id, created_at);
