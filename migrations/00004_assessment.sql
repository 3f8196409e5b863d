-- +goose Up
CREATE TABLE questions (
    id          TEXT PRIMARY KEY,
    course_id   TEXT NOT NULL REFERENCES courses (id),
    week        INTEGER, -- NULL: belongs to no week (final test only)
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    points      INTEGER NOT NULL,
    explanation TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX questions_course ON questions (course_id, week);

CREATE TABLE question_options (
    id          TEXT PRIMARY KEY,
    question_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    correct     BOOLEAN NOT NULL
);
CREATE INDEX question_options_question ON question_options (question_id, position);

CREATE TABLE tests (
    id                 TEXT PRIMARY KEY,
    course_id          TEXT NOT NULL REFERENCES courses (id),
    title              TEXT NOT NULL,
    week               INTEGER,
    final              BOOLEAN NOT NULL,
    question_count     INTEGER NOT NULL,
    pass_percent       INTEGER NOT NULL,
    time_limit_minutes INTEGER NOT NULL,
    max_attempts       INTEGER NOT NULL,
    shuffle            BOOLEAN NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX tests_course ON tests (course_id);
-- one final test per course
CREATE UNIQUE INDEX tests_one_final ON tests (course_id) WHERE final;

CREATE TABLE attempts (
    id           TEXT PRIMARY KEY,
    test_id      TEXT NOT NULL REFERENCES tests (id),
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    number       INTEGER NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ,
    score        INTEGER NOT NULL DEFAULT 0,
    max_score    INTEGER NOT NULL DEFAULT 0,
    percent      INTEGER NOT NULL DEFAULT 0,
    passed       BOOLEAN NOT NULL DEFAULT FALSE,
    -- the backstop for max_attempts under concurrent starts
    UNIQUE (enrolment_id, test_id, number)
);
CREATE INDEX attempts_enrolment ON attempts (enrolment_id, test_id);

-- the questions an attempt drew, in the order shown, and each one's option
-- order; fixed when the attempt starts
CREATE TABLE attempt_questions (
    attempt_id   TEXT NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    question_id  TEXT NOT NULL REFERENCES questions (id),
    option_order TEXT NOT NULL, -- option ids, comma-separated
    -- filled at submission
    chosen       TEXT NOT NULL DEFAULT '',
    correct      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (attempt_id, position)
);

-- +goose Down
DROP TABLE attempt_questions;
DROP TABLE attempts;
DROP TABLE tests;
DROP TABLE question_options;
DROP TABLE questions;
