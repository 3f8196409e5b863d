-- +goose Up
-- The waitlist's length and the next arrival number live on the cohort row,
-- changed under its lock by the statement that enrols, so the position a
-- learner is told is exact and is the order of promotion under any
-- concurrency.
ALTER TABLE cohorts ADD COLUMN waitlist_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cohorts ADD COLUMN queue_next BIGINT NOT NULL DEFAULT 0;
UPDATE cohorts SET
    waitlist_count = (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = cohorts.id AND e.status = 'waitlisted'),
    queue_next = (SELECT COALESCE(MAX(e.queue_seq), 0) FROM enrolments e WHERE e.cohort_id = cohorts.id);

-- +goose Down
ALTER TABLE cohorts DROP COLUMN queue_next;
ALTER TABLE cohorts DROP COLUMN waitlist_count;
