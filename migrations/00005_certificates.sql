-- +goose Up
CREATE TABLE certificates (
    id                TEXT PRIMARY KEY,
    -- what the code is typed as: unguessable, unambiguous letters and digits
    code              TEXT NOT NULL UNIQUE,
    -- what earned it: an enrolment in an online cohort, or a place in an
    -- in-person programme; one certificate each
    source_kind       TEXT NOT NULL,
    source_id         TEXT NOT NULL,
    user_id           TEXT NOT NULL REFERENCES users (id),
    -- printed facts, kept as issued even if names change later
    holder_name       TEXT NOT NULL,
    kind              TEXT NOT NULL,
    title             TEXT NOT NULL,
    methodology_title TEXT NOT NULL,
    hours             INTEGER NOT NULL,
    period_from       TIMESTAMPTZ NOT NULL,
    period_to         TIMESTAMPTZ NOT NULL,
    issued_at         TIMESTAMPTZ NOT NULL,
    pdf_key           TEXT NOT NULL,
    revoked_at        TIMESTAMPTZ,
    revocation_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (source_kind, source_id)
);
CREATE INDEX certificates_user ON certificates (user_id);
CREATE INDEX certificates_issued ON certificates (issued_at);

CREATE TABLE certificate_jobs (
    id         TEXT PRIMARY KEY,
    cohort_id  TEXT NOT NULL REFERENCES cohorts (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    status     TEXT NOT NULL, -- queued, running, done, failed
    total      INTEGER NOT NULL DEFAULT 0,
    issued     INTEGER NOT NULL DEFAULT 0,
    existing   INTEGER NOT NULL DEFAULT 0,
    not_eligible INTEGER NOT NULL DEFAULT 0,
    failed     INTEGER NOT NULL DEFAULT 0,
    claimed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX certificate_jobs_status ON certificate_jobs (status, created_at);

-- +goose Down
DROP TABLE certificate_jobs;
DROP TABLE certificates;
