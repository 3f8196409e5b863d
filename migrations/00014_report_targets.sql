-- +goose Up
-- The funders' targets: so many distinct people who completed training of
-- the given kinds (online courses, in-person programmes) by a date.
-- target_key is the slug the team names it by; by_date is the date as the
-- team gave it (YYYY-MM-DD), cutoff the end of that day in Riga time, the
-- instant before which a cohort or programme must have ended to count.
CREATE TABLE report_targets (
    target_key TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    people     INTEGER NOT NULL CHECK (people >= 1),
    by_date    TEXT NOT NULL,
    cutoff     TIMESTAMPTZ NOT NULL,
    online     BOOLEAN NOT NULL,
    in_person  BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_targets_by ON report_targets (by_date, target_key);

-- +goose Down
DROP TABLE report_targets;
