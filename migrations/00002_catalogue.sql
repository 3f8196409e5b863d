-- +goose Up
CREATE TABLE media (
    id            TEXT PRIMARY KEY,
    owner_id      TEXT NOT NULL REFERENCES users (id),
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    object_key    TEXT NOT NULL UNIQUE,
    -- resumable uploads: the storage's multipart upload and the size the
    -- client announced, checked when it completes
    upload_id     TEXT NOT NULL DEFAULT '',
    declared_size BIGINT NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX media_owner ON media (owner_id, created_at);
CREATE INDEX media_status ON media (status, created_at);

CREATE TABLE methodologies (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    direction  TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE courses (
    id             TEXT PRIMARY KEY,
    methodology_id TEXT NOT NULL REFERENCES methodologies (id),
    owner_id       TEXT NOT NULL REFERENCES users (id),
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    language       TEXT NOT NULL,
    weeks          INTEGER NOT NULL,
    effort_hours   INTEGER NOT NULL,
    pass_percent   INTEGER NOT NULL,
    status         TEXT NOT NULL,
    published_at   TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX courses_status ON courses (status, created_at);

CREATE TABLE lessons (
    id         TEXT PRIMARY KEY,
    course_id  TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    week       INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    title      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    minutes    INTEGER NOT NULL,
    media_id   TEXT REFERENCES media (id),
    body       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX lessons_course ON lessons (course_id, week, position);

CREATE TABLE lesson_captions (
    lesson_id TEXT NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    language  TEXT NOT NULL,
    media_id  TEXT NOT NULL REFERENCES media (id),
    PRIMARY KEY (lesson_id, language)
);

-- +goose Down
DROP TABLE lesson_captions;
DROP TABLE lessons;
DROP TABLE courses;
DROP TABLE methodologies;
DROP TABLE media;
