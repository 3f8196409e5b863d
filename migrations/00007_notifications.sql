-- +goose Up
-- The transactional outbox: a message is written in the same transaction
-- as the change it tells about, and sent afterwards by a worker. The id is
-- the event's own key (e.g. enrolled:<enrolment id>), so an event is queued
-- at most once however often its code runs.
CREATE TABLE outbox (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    template      TEXT NOT NULL,
    params        TEXT NOT NULL DEFAULT '{}',
    created_at    TIMESTAMPTZ NOT NULL,
    send_after    TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    sent_at       TIMESTAMPTZ,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (sent_at, send_after);

CREATE TABLE course_interest (
    course_id  TEXT NOT NULL REFERENCES courses (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (course_id, user_id)
);

ALTER TABLE cohorts ADD COLUMN announced_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE cohorts DROP COLUMN announced_at;
DROP TABLE course_interest;
DROP TABLE outbox;
