-- +goose Up
-- Each certificate's place in the Bitstring Status Lists of its verifiable
-- credential, given once, the first time the credential is asked for.
-- slot counts from 0 across all lists: list slot / 131072 + 1, index
-- slot % 131072. Whether the bit is set is not kept here: a list is built
-- from the certificates' revoked_at when it is asked for.
CREATE TABLE credential_statuses (
    certificate_id TEXT PRIMARY KEY REFERENCES certificates (id),
    slot           INTEGER NOT NULL UNIQUE,
    allocated_at   TIMESTAMPTZ NOT NULL,
    CHECK (slot >= 0)
);

-- +goose Down
DROP TABLE credential_statuses;
