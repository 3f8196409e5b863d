-- +goose Up
-- Whether the owner of the address has opened a link sent to it. Accounts
-- from before verification existed have been receiving the platform's
-- e-mail all along, so they count as verified; new ones start unverified.
ALTER TABLE users ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE users SET email_verified = TRUE;

-- Single-use links e-mailed to a person (address verification, password
-- reset). Only the SHA-256 of the token is kept, so a copy of this table
-- opens no account.
CREATE TABLE account_links (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL, -- verify_email or password_reset
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX account_links_user ON account_links (user_id, purpose);

-- Ended sessions. A row revokes one access token (token_id, its jti), or
-- every token of user_id issued before issued_before except except_token
-- (token_id empty). Each replica keeps the rows in memory and reads the new
-- ones by created_at; a row is pruned once every token it could name has
-- expired. No foreign key: a revocation outlives a closed account.
CREATE TABLE session_revocations (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    token_id      TEXT NOT NULL DEFAULT '',
    issued_before TIMESTAMPTZ,
    except_token  TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_revocations_created ON session_revocations (created_at);
CREATE INDEX session_revocations_expires ON session_revocations (expires_at);

-- +goose Down
DROP TABLE session_revocations;
DROP TABLE account_links;
ALTER TABLE users DROP COLUMN email_verified;
