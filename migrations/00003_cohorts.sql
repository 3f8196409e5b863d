-- +goose Up
CREATE TABLE cohorts (
    id                  TEXT PRIMARY KEY,
    course_id           TEXT NOT NULL REFERENCES courses (id),
    title               TEXT NOT NULL,
    capacity            INTEGER NOT NULL,
    -- seats taken; changed only by single atomic statements so concurrent
    -- enrolments can never push it past capacity (the CHECK is the backstop)
    enrolled_count      INTEGER NOT NULL DEFAULT 0,
    enrolment_opens_at  TIMESTAMPTZ NOT NULL,
    enrolment_closes_at TIMESTAMPTZ NOT NULL,
    starts_at           TIMESTAMPTZ NOT NULL,
    ends_at             TIMESTAMPTZ NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    CHECK (capacity BETWEEN 1 AND 200),
    CHECK (enrolled_count BETWEEN 0 AND capacity)
);
CREATE INDEX cohorts_course ON cohorts (course_id, starts_at);

CREATE TABLE enrolments (
    id          TEXT PRIMARY KEY,
    cohort_id   TEXT NOT NULL REFERENCES cohorts (id),
    course_id   TEXT NOT NULL REFERENCES courses (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    status      TEXT NOT NULL, -- enrolled, waitlisted, withdrawn
    -- arrival order (unix nanoseconds, ties broken by id); waitlist
    -- positions are ranks over it, so they never have gaps or duplicates
    queue_seq   BIGINT NOT NULL,
    enrolled_at TIMESTAMPTZ,
    withdrawn_at TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
-- one active enrolment per learner and course, whatever the cohort
CREATE UNIQUE INDEX enrolments_one_active ON enrolments (user_id, course_id) WHERE status IN ('enrolled', 'waitlisted');
CREATE INDEX enrolments_cohort ON enrolments (cohort_id, status, queue_seq, id);
CREATE INDEX enrolments_user ON enrolments (user_id, created_at);

CREATE TABLE lesson_progress (
    enrolment_id     TEXT NOT NULL REFERENCES enrolments (id),
    lesson_id        TEXT NOT NULL REFERENCES lessons (id),
    position_seconds INTEGER NOT NULL DEFAULT 0,
    completed        BOOLEAN NOT NULL DEFAULT FALSE,
    completed_at     TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (enrolment_id, lesson_id)
);

-- +goose Down
DROP TABLE lesson_progress;
DROP TABLE enrolments;
DROP TABLE cohorts;
