-- Sign-ups waiting for their emailed link (signup = "verify-email"): what
-- the account will be once the link is opened, found by the SHA-256 of the
-- link's token (the token itself is never stored).
CREATE TABLE pending_signups (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX pending_signups_email ON pending_signups (email);
CREATE INDEX pending_signups_expiry ON pending_signups (expires_at);
