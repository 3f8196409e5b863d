-- +goose Up
-- when the last requirement of a certificate was met (the last lesson or
-- the final test of an online course; the attendance reaching the
-- threshold of an in-person programme), which the certificate states;
-- empty for certificates issued before it was recorded
ALTER TABLE certificates ADD COLUMN completed_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE certificates DROP COLUMN completed_at;
