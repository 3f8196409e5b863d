package api

import (
	"reflect"

	"mooc/accounts"
	"mooc/assessment"
	"mooc/audit"
	"mooc/catalogue"
	"mooc/certificates"
	"mooc/cohorts"
	"mooc/credentials"
	"mooc/media"
	"mooc/mentoring"
	"mooc/programmes"
	"mooc/reports"
	"mooc/surveys"
)

// closedSets are the fields of replies (and of the request bodies whose
// `validate` tags do not say it with oneof) that hold one of a fixed set of
// words, keyed by the Go type that holds the field and its JSON name. The
// words are the domains' own constants wherever a domain names them.
var closedSets = map[reflect.Type]map[string][]string{
	reflect.TypeFor[accounts.User](): {"roles": roles},
	reflect.TypeFor[rolesRequest]():  {"roles": roles},
	reflect.TypeFor[loginReply]():    {"token_type": {"Bearer"}},

	reflect.TypeFor[catalogue.Methodology](): {"direction": {catalogue.DirectionTheory, catalogue.DirectionTargetGroup, catalogue.DirectionCrisis}},
	reflect.TypeFor[catalogue.Course](): {
		"status":   courseStatuses,
		"language": {"lv", "en"}, // catalogue.NewCourse allows these two
	},
	reflect.TypeFor[catalogue.Lesson](): {"kind": lessonKinds},

	reflect.TypeFor[credentials.Verdict](): {"reason": credentials.Reasons},

	reflect.TypeFor[cohorts.Enrolment](): {"status": {cohorts.Enrolled, cohorts.Waitlisted, cohorts.Withdrawn}},

	reflect.TypeFor[assessment.Question]():       {"kind": questionKinds},
	reflect.TypeFor[assessment.AskedQuestion]():  {"kind": questionKinds},
	reflect.TypeFor[assessment.ReviewQuestion](): {"kind": questionKinds},

	// The kind of what was completed, as certificates.Service writes it.
	reflect.TypeFor[certificates.Certificate](): {"kind": {"course", "programme"}},
	reflect.TypeFor[certificates.Job]():         {"status": {certificates.JobQueued, certificates.JobRunning, certificates.JobDone}},

	reflect.TypeFor[programmes.Programme]():   {"region": programmes.Regions},
	reflect.TypeFor[programmes.Application](): {"status": {programmes.Applied, programmes.Accepted, programmes.Waitlisted, programmes.Withdrawn}},
	reflect.TypeFor[mentoring.Mentoring]():    {"mode": mentoringModes},
	reflect.TypeFor[mentoring.Participant]():  {"mode": mentoringModes},

	// A report row is a course's cohort or a programme; a municipality the
	// region table does not know has no region ("").
	reflect.TypeFor[reports.Row](): {"kind": {"course", "programme"}, "region": append(append([]string{}, programmes.Regions...), "")},

	reflect.TypeFor[media.Media](): {"status": {media.StatusUploading, media.StatusCompleting, media.StatusAborting, media.StatusReady}},

	reflect.TypeFor[audit.Entry](): {"action": {audit.RolesChanged, audit.AccountClosed, audit.CertificateRevoked, audit.CohortChanged,
		audit.ProgrammeAllocated, audit.ApplicationAccepted, audit.AttendanceRecorded, audit.PersonalDataExported}},

	reflect.TypeFor[readiness](): {"status": readinessWords, "checks": readinessWords},
}

var (
	mentoringModes = []string{mentoring.Individual, mentoring.Group}
	roles          = []string{accounts.RoleLearner, accounts.RoleAuthor, accounts.RoleTeam, accounts.RoleMentor}
	courseStatuses = []string{catalogue.StatusDraft, catalogue.StatusPublished, catalogue.StatusArchived}
	lessonKinds    = []string{catalogue.KindVideo, catalogue.KindReading, catalogue.KindInterview, catalogue.KindCaseStory, catalogue.KindClientConversation}
	questionKinds  = []string{assessment.SingleChoice, assessment.MultipleChoice, assessment.TrueFalse}
	readinessWords = []string{statusOK, statusDegraded, statusUnavailable}
)

// idKind says what a field named like an id holds when it is not always a
// UUID.
type idKind int

const (
	anyText     idKind = iota + 1 // not only UUIDs (a certificate's code, say)
	uuidOrEmpty                   // a UUID, or empty for none
)

// notUUID are the fields named like ids that idFormat must not take for
// plain UUIDs.
var notUUID = map[reflect.Type]map[string]idKind{
	// The platform itself acts with no actor; a certificate is logged by
	// its code.
	reflect.TypeFor[audit.Entry](): {"actor_id": uuidOrEmpty, "target_id": anyText},
	// An empty media_id detaches the lesson's media.
	reflect.TypeFor[catalogue.LessonChange](): {"media_id": uuidOrEmpty},
	reflect.TypeFor[catalogue.NewLesson]():    {"media_id": uuidOrEmpty},
	// A survey's questions are named by their author ("noderigums").
	reflect.TypeFor[surveys.Question]():       {"id": anyText},
	reflect.TypeFor[surveys.Answer]():         {"question_id": anyText},
	reflect.TypeFor[surveys.QuestionResult](): {"id": anyText},
	// A DID and its key are URIs (did:web:…, did:key:…#…).
	reflect.TypeFor[credentials.DIDDocument]():        {"id": anyText},
	reflect.TypeFor[credentials.VerificationMethod](): {"id": anyText},
}

// lenient are request fields whose `validate` tag says required but whose
// route takes them as optional: the handler passes the body on without
// checking its tags, and absent or null means none.
var lenient = map[reflect.Type]map[string]bool{
	// SetRoles checks each role named; no roles leaves learner alone.
	reflect.TypeFor[rolesRequest](): {"roles": true},
}
