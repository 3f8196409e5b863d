-- +goose Up
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    -- stored lower-cased: one account per address whatever the capitals
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    given_name    TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    municipality  TEXT NOT NULL DEFAULT '',
    workplace     TEXT NOT NULL DEFAULT '',
    position      TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Fixed-window counters behind login and registration throttling. Kept in
-- the database so that every replica sees the same counts.
CREATE TABLE throttle_counters (
    bucket       TEXT NOT NULL,
    window_start BIGINT NOT NULL, -- unix seconds
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- +goose Down
DROP TABLE throttle_counters;
DROP TABLE user_roles;
DROP TABLE users;
