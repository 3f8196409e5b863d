-- +goose Up
CREATE TABLE programmes (
    id                    TEXT PRIMARY KEY,
    methodology_id        TEXT NOT NULL REFERENCES methodologies (id),
    title                 TEXT NOT NULL,
    hours                 INTEGER NOT NULL,
    group_size            INTEGER NOT NULL,
    location              TEXT NOT NULL,
    region                TEXT NOT NULL,
    starts_at             TIMESTAMPTZ NOT NULL,
    ends_at               TIMESTAMPTZ NOT NULL,
    applications_open_at  TIMESTAMPTZ NOT NULL,
    applications_close_at TIMESTAMPTZ NOT NULL,
    -- share of the hours a participant must attend to complete
    completion_percent    INTEGER NOT NULL DEFAULT 90,
    allocated_at          TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    CHECK (hours BETWEEN 88 AND 100),
    CHECK (group_size BETWEEN 1 AND 100)
);
CREATE INDEX programmes_methodology ON programmes (methodology_id, starts_at);

CREATE TABLE applications (
    id                TEXT PRIMARY KEY,
    programme_id      TEXT NOT NULL REFERENCES programmes (id),
    user_id           TEXT NOT NULL REFERENCES users (id),
    municipality      TEXT NOT NULL,
    took_part_in_pilot BOOLEAN NOT NULL,
    status            TEXT NOT NULL, -- applied, accepted, waitlisted, withdrawn
    queue_seq         BIGINT NOT NULL,
    attended_hours    INTEGER NOT NULL DEFAULT 0,
    applied_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (programme_id, user_id)
);
CREATE INDEX applications_programme ON applications (programme_id, status, took_part_in_pilot, queue_seq);

-- +goose Down
DROP TABLE applications;
DROP TABLE programmes;
