-- Team sign-in with OpenID Connect: a team's provider (the client secret
-- sealed with the server key) and sign-ins started and not finished yet.
CREATE TABLE team_sign_in (
    team_id TEXT PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret_sealed TEXT NOT NULL,
    enforce BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sign_in_attempts (
    state_hash TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    verifier_sealed TEXT NOT NULL,
    return_to TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sign_in_attempts_expiry ON sign_in_attempts (expires_at);
