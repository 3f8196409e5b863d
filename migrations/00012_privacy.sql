-- +goose Up
-- What a person chose and agreed to, and whether the account is closed.
-- A closed account keeps its row, emptied of personal data, so that the
-- records that must outlive it (certificates, attendance, the counts the
-- funders are given) still point somewhere; its e-mail becomes a
-- placeholder so the address may register again.
ALTER TABLE users ADD COLUMN announcements BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN privacy_notice_version TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN privacy_accepted_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN closed_at TIMESTAMPTZ;

-- The team's actions, kept for accountability: who did what, when, to
-- what, and which person it concerned (subject_id, empty when none), so a
-- person's own entries can be given back to them. details is JSON.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    subject_id  TEXT NOT NULL DEFAULT '',
    details     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_subject ON audit_log (subject_id, at);
CREATE INDEX audit_log_target ON audit_log (target_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

-- The throttle's pruner deletes ended windows by their start.
CREATE INDEX throttle_counters_window ON throttle_counters (window_start);

-- +goose Down
DROP INDEX throttle_counters_window;
DROP TABLE audit_log;
ALTER TABLE users DROP COLUMN closed_at;
ALTER TABLE users DROP COLUMN privacy_accepted_at;
ALTER TABLE users DROP COLUMN privacy_notice_version;
ALTER TABLE users DROP COLUMN announcements;
