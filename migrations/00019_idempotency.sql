-- +goose Up
-- Idempotency-Key: each key a user sent with a request that takes a seat,
-- issues a certificate or finishes an upload, for 24 hours (expires_at).
-- The primary key is what lets one of many racing requests claim a key;
-- claim names that request, locked_until is when its lease runs out, and
-- status is NULL until its reply (status, content_type, location, body:
-- JSON text) is kept.
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL REFERENCES users (id),
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    claim        TEXT NOT NULL,
    status       INTEGER,
    content_type TEXT NOT NULL DEFAULT '',
    location     TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, idem_key),
    CHECK (status IS NULL OR status BETWEEN 100 AND 499)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
