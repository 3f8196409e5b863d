// Package surveys owns the feedback surveys of courses and programmes
// (participant satisfaction, as the programme's evaluations require): the
// questions an author or the team sets, the answers of a learner whose
// enrolment earned the certificate (or a participant whose attendance
// did), once, and the results.
//
// No answer is tied to a person. The once-only rule keeps a marker per
// enrolment or application (survey_answered) that holds neither answer
// nor time; the answers go to survey_responses and survey_answers, which
// hold neither the person nor a time, only the cohort for the results per
// cohort. Results with fewer than MinResponses responses (overall or for
// the cohort asked about) give the count alone.
//
// A survey's questions change only while it has no responses
// (ErrAnswered): a changed question would mix answers to two questions.
//
// Everyone whose certificate of a course or programme with a survey was
// issued is invited to answer by one e-mail (InviteCompleted, run by a
// background worker): the invitation is queued in the outbox in the
// transaction that inserts its marker (survey_invitations, which names
// the person and the time, never an answer), and the marker's key decides
// among replicas who sends it. The team's report reads Overview: each
// survey's response rate (responses against those invited or having
// answered) and the mean of each scale question, means left out under
// MinResponses.
//
// A person's data export lists the surveys they were invited to and those
// they answered, never answers; closing their account deletes both kinds
// of marker, and the anonymous responses stay in the results.
package surveys
