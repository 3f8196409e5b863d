-- +goose Up
-- Feedback surveys: one per course (edition) or programme, its questions
-- a JSON list [{id, kind, text}].
CREATE TABLE surveys (
    id           TEXT PRIMARY KEY,
    course_id    TEXT UNIQUE REFERENCES courses (id) ON DELETE CASCADE,
    programme_id TEXT UNIQUE REFERENCES programmes (id) ON DELETE CASCADE,
    questions    TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- Who has answered: one marker per enrolment or application, for the
-- once-only rule. It holds no answer and no time, so that it cannot be
-- matched to a response.
CREATE TABLE survey_answered (
    survey_id  TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    subject_id TEXT NOT NULL,
    PRIMARY KEY (survey_id, subject_id)
);

-- The responses, without the person: a random id, the cohort (for the
-- results per cohort; NULL for a programme) and no time.
CREATE TABLE survey_responses (
    id        TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    cohort_id TEXT
);
CREATE INDEX survey_responses_survey ON survey_responses (survey_id, cohort_id);

CREATE TABLE survey_answers (
    response_id TEXT NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    scale       INTEGER,
    text        TEXT,
    PRIMARY KEY (response_id, question_id)
);

-- +goose Down
DROP TABLE survey_answers;
DROP INDEX survey_responses_survey;
DROP TABLE survey_responses;
DROP TABLE survey_answered;
DROP TABLE surveys;
