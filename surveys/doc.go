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
package surveys
