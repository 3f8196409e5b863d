-- +goose Up
-- Editions: a course may be the copy of an earlier one (NULL: it is not);
-- deleting a draft that was copied leaves the copy, which forgets where
-- it came from. A published course is archived once its cohorts have
-- ended (status 'archived', and when).
ALTER TABLE courses ADD COLUMN copied_from TEXT REFERENCES courses (id) ON DELETE SET NULL;
ALTER TABLE courses ADD COLUMN archived_at TIMESTAMPTZ;
-- a methodology's run history, newest first
CREATE INDEX courses_methodology ON courses (methodology_id, created_at);

-- Corrections of published courses: who changed which field of which
-- lesson when, with the field's JSON value before and after (whole texts,
-- both versions). A draft's history goes with the draft.
CREATE TABLE course_changes (
    id         TEXT PRIMARY KEY,
    course_id  TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    lesson_id  TEXT NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    actor_id   TEXT NOT NULL REFERENCES users (id),
    field      TEXT NOT NULL,
    old_value  TEXT NOT NULL,
    new_value  TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX course_changes_course ON course_changes (course_id, changed_at, id);

-- +goose Down
DROP TABLE course_changes;
DROP INDEX courses_methodology;
ALTER TABLE courses DROP COLUMN archived_at;
ALTER TABLE courses DROP COLUMN copied_from;
