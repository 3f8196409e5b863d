-- +goose Up
-- Who has been invited to answer a survey: one marker per enrolment or
-- application whose certificate was issued, inserted in the transaction
-- that queues the invitation e-mail. The primary key decides, among
-- several replicas, which one sends it. The marker names the person (for
-- their data export, and so closing the account removes it) but never an
-- answer: responses stay apart, in survey_responses.
CREATE TABLE survey_invitations (
    survey_id  TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    subject_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    invited_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (survey_id, subject_id)
);
CREATE INDEX survey_invitations_user ON survey_invitations (user_id);

-- +goose Down
DROP INDEX survey_invitations_user;
DROP TABLE survey_invitations;
