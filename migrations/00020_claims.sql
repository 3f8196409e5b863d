-- +goose Up
-- Which replica holds a claimed job: its heartbeat renews only its own
-- claim, and a replica that takes over a lapsed one logs whose it was.
-- A certificate job's lease runs from claimed_at, which the heartbeat
-- moves; an e-mail's until claimed_until, which it extends.
ALTER TABLE certificate_jobs ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;

-- +goose Down
ALTER TABLE outbox DROP COLUMN claimed_by;
ALTER TABLE certificate_jobs DROP COLUMN claimed_by;
