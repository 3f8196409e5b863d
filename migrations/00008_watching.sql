-- +goose Up
-- Video lessons are completed by watching (issue 13): a video's length,
-- read from the file when it is stored, and per lesson the ranges of it a
-- learner's reports showed watched. Positions become fractional seconds.
ALTER TABLE media ADD COLUMN duration_seconds DOUBLE PRECISION;
-- false for files stored before durations were read: read on first use
ALTER TABLE media ADD COLUMN duration_read BOOLEAN NOT NULL DEFAULT FALSE;

-- The same statements on both databases (SQLite cannot change a column's
-- type): a new column, the values copied, the old one dropped, renamed.
ALTER TABLE lesson_progress ADD COLUMN position_exact DOUBLE PRECISION NOT NULL DEFAULT 0;
UPDATE lesson_progress SET position_exact = position_seconds;
ALTER TABLE lesson_progress DROP COLUMN position_seconds;
ALTER TABLE lesson_progress RENAME COLUMN position_exact TO position_seconds;
-- merged [start, end] second ranges as JSON, e.g. [[0,95.5],[120,300]]
ALTER TABLE lesson_progress ADD COLUMN watched TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE lesson_progress DROP COLUMN watched;
ALTER TABLE lesson_progress ADD COLUMN position_whole INTEGER NOT NULL DEFAULT 0;
UPDATE lesson_progress SET position_whole = CAST(position_seconds AS INTEGER);
ALTER TABLE lesson_progress DROP COLUMN position_seconds;
ALTER TABLE lesson_progress RENAME COLUMN position_whole TO position_seconds;
ALTER TABLE media DROP COLUMN duration_read;
ALTER TABLE media DROP COLUMN duration_seconds;
