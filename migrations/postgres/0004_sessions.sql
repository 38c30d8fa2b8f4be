-- Browser sessions (STRATA_AUTH). In the database rather than in memory, so they survive a
-- restart and every replica sees them. Only the SHA-256 of the session id is stored: a copy
-- of the database does not let anyone sign in.
CREATE TABLE sessions (
    id_sha256           TEXT PRIMARY KEY,
    user_name           TEXT NOT NULL,
    -- Sent back in forms (logout) and compared with what the form carries.
    csrf_token          TEXT NOT NULL,
    created_ms          BIGINT NOT NULL,
    expires_ms          BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_ms);
