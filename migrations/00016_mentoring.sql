-- +goose Up
-- Mentoring in the practice phase of an in-person programme: a
-- participant (who holds a seat) has one mentor in the programme, alone
-- (individual) or in the mentor's group. assigned_at is the first
-- assignment; a change of mentor or mode keeps it and sets updated_at.
CREATE TABLE mentorings (
    programme_id   TEXT NOT NULL REFERENCES programmes (id),
    participant_id TEXT NOT NULL REFERENCES users (id),
    mentor_id      TEXT NOT NULL REFERENCES users (id),
    mode           TEXT NOT NULL, -- individual, group
    assigned_at    TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (programme_id, participant_id),
    CHECK (mode IN ('individual', 'group'))
);
CREATE INDEX mentorings_mentor ON mentorings (programme_id, mentor_id);

-- A session the mentor held with some of their participants; each of
-- them is counted its minutes.
CREATE TABLE mentoring_sessions (
    id           TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    mentor_id    TEXT NOT NULL REFERENCES users (id),
    logged_by    TEXT NOT NULL REFERENCES users (id),
    minutes      INTEGER NOT NULL,
    held_at      TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    CHECK (minutes BETWEEN 1 AND 600)
);

CREATE TABLE mentoring_session_participants (
    session_id     TEXT NOT NULL REFERENCES mentoring_sessions (id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (session_id, participant_id)
);
CREATE INDEX mentoring_session_participants_user ON mentoring_session_participants (participant_id);

-- +goose Down
DROP TABLE mentoring_session_participants;
DROP TABLE mentoring_sessions;
DROP TABLE mentorings;
