package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/assessment"
	"mooc/catalogue"
	"mooc/certificates"
	"mooc/cohorts"
	"mooc/credentials"
	"mooc/media"
	"mooc/mentoring"
	"mooc/programmes"
	"mooc/surveys"
)

// routeNotes is what the OpenAPI document says of one route beyond what its
// op tells (access, path, body, query, reply): kept here, keyed by method
// and path, rather than in the handler files.
type routeNotes struct {
	// errs are the problems the route's domain raises, beyond those
	// possibleErrors derives; their status and code come from the error
	// table through problemOf.
	errs []error
	// optionalBody: the route also takes no body at all.
	optionalBody bool
	// body is the request content when it is not JSON (media type →
	// media type object).
	body map[string]any
	// statuses are further successful replies, with what they mean.
	statuses map[int]string
	// content replaces the reply content of a successful status, and is
	// added beside the problem of an error status.
	content map[int]map[string]any
	// replies are error statuses answered (also) with JSON of a Go
	// type's zero value, beside the problem.
	replies map[int]any
	// notProblem are error statuses answered with content alone.
	notProblem []int
	headers    map[int]map[string]any
	// security replaces the bearer token of signed-in routes.
	security []map[string][]string
}

// notesFor finds o's notes; the disk store's object routes go by their
// method, wherever they are mounted.
func notesFor(o op) routeNotes {
	if strings.HasSuffix(o.path, "/*") {
		return objectNotes[o.method]
	}
	return notes[o.method+" "+o.path]
}

// Problems several routes share.
var (
	storageDown = media.ErrStorageUnavailable
	// Editing a course: the author who owns it or the team, while it is a
	// draft.
	courseEdit = []error{catalogue.ErrNotFound, catalogue.ErrForbidden, catalogue.ErrCoursePublished, catalogue.ErrCourseArchived}
	// Correcting a published course's lesson, or editing a draft's.
	lessonEdit = []error{catalogue.ErrNotFound, catalogue.ErrForbidden, catalogue.ErrCoursePublished, catalogue.ErrStructureFixed,
		catalogue.ErrCourseArchived}
	// A learner's own lesson, once its week has started, while the
	// enrolment holds a seat.
	ownLesson = []error{cohorts.ErrNotFound, cohorts.ErrEnrolmentInactive, cohorts.ErrWeekLocked}
)

var notes = map[string]routeNotes{
	"POST /api/v1/auth/register": {errs: []error{accounts.ErrEmailTaken, &accounts.ThrottledError{What: "register"}}},
	"POST /api/v1/auth/login":    {errs: []error{accounts.ErrInvalidCredentials, &accounts.ThrottledError{What: "login"}}},
	"POST /api/v1/auth/verify-email": {
		errs: []error{accounts.ErrInvalidLink},
	},
	"POST /api/v1/auth/verify-email/resend": {errs: []error{&accounts.ThrottledError{What: "verification e-mail"}}},
	"PUT /api/v1/me/password":               {errs: []error{accounts.ErrWrongPassword, &accounts.ThrottledError{What: "password change"}}},
	"POST /api/v1/auth/password-reset":      {errs: []error{&accounts.ThrottledError{What: "password reset"}}},
	"POST /api/v1/auth/password-reset/confirm": {
		errs: []error{accounts.ErrInvalidLink},
	},
	"PUT /api/v1/users/:id/roles": {errs: []error{accounts.ErrNotFound, accounts.ErrLastTeamMember}},
	"GET /api/v1/users/:id":       {errs: []error{accounts.ErrNotFound}},
	"DELETE /api/v1/users/:id":    {errs: []error{accounts.ErrNotFound, accounts.ErrLastTeamMember}},
	"DELETE /api/v1/me": {errs: []error{accounts.ErrWrongPassword, &accounts.ThrottledError{What: "password confirmation"},
		accounts.ErrLastTeamMember}},

	"POST /api/v1/media": {
		body: map[string]any{fiber.MIMEMultipartForm: map[string]any{"schema": map[string]any{
			"type":     "object",
			"required": []string{"file"},
			"properties": map[string]any{"file": map[string]any{
				"type": "string", "contentMediaType": "application/octet-stream",
				"description": "the file; its type is read from its bytes, not from the part's Content-Type",
			}},
			"additionalProperties": true,
		}}},
		errs: []error{
			badRequest(415, "unsupported_media_type", "send the file as multipart/form-data with a part named file"),
			badRequest(400, "malformed_body", "the multipart body could not be read"),
			media.ErrBrokenBody, media.ErrUnsupportedType, media.ErrTooLarge, fiber.ErrRequestEntityTooLarge,
			media.ErrNoFile, media.ErrInvalidCaptions, storageDown,
		},
	},
	"POST /api/v1/media/uploads": {errs: []error{media.ErrTooLarge, storageDown}},
	"POST /api/v1/media/:id/complete": {errs: []error{media.ErrNotFound, media.ErrNotUploading, media.ErrInvalidParts, media.ErrUploadNotFound,
		media.ErrSizeMismatch, media.ErrTooLarge, media.ErrUnsupportedType, media.ErrInvalidCaptions, storageDown}},
	"DELETE /api/v1/media/uploads/:id": {errs: []error{media.ErrNotFound, media.ErrNotUploading, storageDown}},
	"GET /api/v1/media/:id":            {errs: []error{media.ErrNotFound}},

	"GET /api/v1/courses/:id": {
		errs:     []error{catalogue.ErrNotFound},
		statuses: map[int]string{fiber.StatusNotModified: "the outline the client holds is current (If-None-Match named its ETag); no body"},
		content:  map[int]map[string]any{fiber.StatusNotModified: nil},
		headers: map[int]map[string]any{
			fiber.StatusOK: {
				fiber.HeaderETag:         header("the outline's version (strong); send it back in If-None-Match", true),
				fiber.HeaderCacheControl: header("no-cache: a copy may be kept, and is checked with If-None-Match before each use", true),
			},
			fiber.StatusNotModified: {
				fiber.HeaderETag:         header("the outline's version, the one the client holds", true),
				fiber.HeaderCacheControl: header("no-cache", true),
			},
		},
	},
	"GET /api/v1/methodologies/:id":             {errs: []error{catalogue.ErrNotFound}},
	"POST /api/v1/courses/:id/lessons":          {errs: courseEdit},
	"PATCH /api/v1/lessons/:id":                 {errs: lessonEdit},
	"DELETE /api/v1/lessons/:id":                {errs: courseEdit},
	"PUT /api/v1/courses/:id/weeks/:week/order": {errs: courseEdit},
	"POST /api/v1/courses/:id/publish":          {errs: []error{catalogue.ErrNotFound, catalogue.ErrForbidden, &catalogue.IncompleteError{}, catalogue.ErrCourseArchived}},
	"GET /api/v1/courses/:id/history":           {errs: []error{catalogue.ErrNotFound, catalogue.ErrForbidden}},
	"POST /api/v1/courses/:id/copy":             {errs: []error{catalogue.ErrNotFound, catalogue.ErrForbidden}},
	"DELETE /api/v1/courses/:id": {errs: []error{catalogue.ErrNotFound, catalogue.ErrForbidden, catalogue.ErrPublishedKept,
		catalogue.ErrCourseArchived, catalogue.ErrCourseInUse}},
	"POST /api/v1/courses/:id/archive": {errs: []error{catalogue.ErrNotFound, catalogue.ErrForbidden, catalogue.ErrNotPublished,
		catalogue.ErrCohortRunning}},
	"GET /api/v1/methodologies/:id/courses":         {errs: []error{catalogue.ErrNotFound}},
	"GET /api/v1/courses/:id/announcement-audience": {errs: []error{catalogue.ErrNotFound, catalogue.ErrForbidden}},
	"POST /api/v1/courses/:id/interest":             {errs: []error{catalogue.ErrNotFound}},
	"DELETE /api/v1/courses/:id/interest":           {errs: []error{cohorts.ErrNotFound}},

	"POST /api/v1/courses/:id/cohorts": {errs: []error{catalogue.ErrNotFound, catalogue.ErrNotPublished, catalogue.ErrCourseArchived}},
	"GET /api/v1/cohorts/:id":          {errs: []error{cohorts.ErrNotFound}},
	"PATCH /api/v1/cohorts/:id":        {errs: []error{cohorts.ErrNotFound, cohorts.ErrCapacityBelowEnrolled}},
	"POST /api/v1/cohorts/:id/enrolments": {
		// A learner enrols with no body; the team names someone else.
		optionalBody: true,
		errs: []error{errForbidden, cohorts.ErrNotFound, cohorts.ErrCohortEnded, cohorts.ErrEnrolmentClosed,
			&cohorts.AlreadyEnrolledError{}},
	},
	"DELETE /api/v1/cohorts/:id/enrolments/me":      {errs: []error{cohorts.ErrNotFound}},
	"GET /api/v1/cohorts/:id/enrolments":            {errs: []error{cohorts.ErrNotFound, errInvalid}},
	"GET /api/v1/enrolments/:id":                    {errs: []error{cohorts.ErrNotFound}},
	"GET /api/v1/enrolments/:id/lessons/:lesson_id": {errs: ownLesson},
	"GET /api/v1/enrolments/:id/lessons/:lesson_id/playback": {
		errs: append(append([]error{}, ownLesson...), cohorts.ErrNoMedia, storageDown),
	},
	"PUT /api/v1/enrolments/:id/lessons/:lesson_id/progress": {
		errs: append(append([]error{}, ownLesson...), cohorts.ErrNotWatched, cohorts.ErrLengthUnknown),
	},

	"POST /api/v1/courses/:id/questions":           {errs: courseEdit},
	"GET /api/v1/courses/:id/questions":            {errs: []error{catalogue.ErrNotFound, catalogue.ErrForbidden}},
	"POST /api/v1/courses/:id/tests":               {errs: courseEdit},
	"GET /api/v1/courses/:id/tests/:test_id/stats": {errs: []error{catalogue.ErrNotFound, catalogue.ErrForbidden, assessment.ErrNotFound}},
	"POST /api/v1/enrolments/:id/tests/:test_id/attempts": {
		errs: []error{assessment.ErrNotFound, cohorts.ErrEnrolmentInactive, cohorts.ErrWeekLocked, assessment.ErrTestClosed,
			&assessment.AttemptInProgressError{}, assessment.ErrMaxAttempts},
	},
	"POST /api/v1/attempts/:id/submit": {errs: []error{assessment.ErrNotFound, cohorts.ErrEnrolmentInactive, assessment.ErrAttemptSubmitted,
		assessment.ErrAttemptExpired}},
	"GET /api/v1/attempts/:id": {errs: []error{assessment.ErrNotFound}},

	"POST /api/v1/enrolments/:id/certificate": {
		statuses: map[int]string{fiber.StatusOK: "the certificate issued before, unchanged (every repeat)"},
		errs:     []error{cohorts.ErrNotFound, certificates.ErrNotFound, &certificates.NotEligibleError{}},
	},
	"GET /api/v1/certificates/:code/pdf":    {errs: []error{certificates.ErrNotFound, storageDown}},
	"GET /api/v1/certificates/:code/verify": {errs: []error{certificates.ErrNotFound}},
	"GET /verify/:code": {
		// An unknown code gets the page saying so.
		content:    map[int]map[string]any{fiber.StatusNotFound: {fiber.MIMETextHTML: map[string]any{}}},
		notProblem: []int{fiber.StatusNotFound},
	},
	"POST /api/v1/certificates/:code/revoke": {errs: []error{certificates.ErrNotFound}},
	"POST /api/v1/cohorts/:id/certificates": {
		errs:    []error{cohorts.ErrNotFound},
		headers: map[int]map[string]any{fiber.StatusAccepted: {fiber.HeaderLocation: header("the job, to follow its progress", true)}},
	},
	"GET /api/v1/certificate-jobs/:id": {errs: []error{certificates.ErrNotFound}},
	"GET /api/v1/certificates/:code/credential": {
		errs:    []error{certificates.ErrNotFound},
		content: map[int]map[string]any{fiber.StatusOK: {credentials.MediaCredential: ldObject("an OpenBadgeCredential with its proof")}},
	},
	"POST /api/v1/credentials/verify": {
		// Anything is taken, JSON or not: what is wrong with it is the reply.
		body: map[string]any{"*/*": map[string]any{"schema": map[string]any{"description": "the credential, as pasted"}}},
	},
	"GET /credentials/status/:list": {
		errs:    []error{credentials.ErrUnknownList},
		content: map[int]map[string]any{fiber.StatusOK: {credentials.MediaCredential: ldObject("a BitstringStatusListCredential with its proof")}},
	},

	"GET /api/v1/programmes/:id":                    {errs: []error{programmes.ErrNotFound}},
	"PATCH /api/v1/programmes/:id":                  {errs: []error{programmes.ErrNotFound, programmes.ErrGroupBelowAccepted}},
	"POST /api/v1/programmes/:id/applications":      {errs: []error{programmes.ErrNotFound, programmes.ErrApplicationsClosed, programmes.ErrAlreadyApplied}},
	"DELETE /api/v1/programmes/:id/applications/me": {errs: []error{programmes.ErrNotFound}},
	"GET /api/v1/programmes/:id/applications":       {errs: []error{programmes.ErrNotFound, errInvalid}},
	"POST /api/v1/programmes/:id/allocation":        {errs: []error{programmes.ErrNotFound, programmes.ErrApplicationsOpen}},
	"POST /api/v1/programmes/:id/applications/:application_id/accept": {
		errs: []error{programmes.ErrNotFound, programmes.ErrNotWaitlisted, programmes.ErrNoFreeSeat},
	},
	"PUT /api/v1/programmes/:id/attendance/:user_id": {errs: []error{programmes.ErrNotFound, programmes.ErrNotStarted, programmes.ErrNotParticipant}},

	"GET /api/v1/reports/completions": {errs: []error{errInvalid}},

	"GET /readyz": {
		// The readiness report itself says which dependency does not answer.
		replies: map[int]any{fiber.StatusServiceUnavailable: readiness{}},
	},
	"GET /metrics": {
		// Closed (404) unless MOOC_METRICS_TOKEN is set; MOOC_METRICS_ADDR
		// serves the same without a token on an address of its own.
		errs:     []error{errNotFound},
		security: []map[string][]string{{"metricsToken": {}}},
	},

	"GET /api/v1/me/training-hours":        {errs: []error{errInvalid}},
	"GET /api/v1/users/:id/training-hours": {errs: []error{errInvalid, accounts.ErrNotFound}},
	// The targets refuse only as every route does: 422 naming the field, 400 for a bad limit or cursor.
	"PUT /api/v1/reports/targets/:key":   {},
	"GET /api/v1/reports/targets":        {},
	"PUT /api/v1/courses/:id/survey":     {errs: []error{catalogue.ErrNotFound, catalogue.ErrForbidden, surveys.ErrAnswered}},
	"PUT /api/v1/programmes/:id/survey":  {errs: []error{programmes.ErrNotFound, surveys.ErrAnswered}},
	"POST /api/v1/enrolments/:id/survey": {errs: []error{surveys.ErrNotFound, surveys.ErrNotCompleted, surveys.ErrAlreadyAnswered}},
	"POST /api/v1/programmes/:id/survey/answers": {
		errs: []error{programmes.ErrNotFound, programmes.ErrNotParticipant, surveys.ErrNotFound, surveys.ErrNotCompleted, surveys.ErrAlreadyAnswered},
	},
	"GET /api/v1/courses/:id/survey/results":               {errs: []error{catalogue.ErrNotFound, catalogue.ErrForbidden, surveys.ErrNotFound}},
	"GET /api/v1/programmes/:id/survey/results":            {errs: []error{programmes.ErrNotFound, surveys.ErrNotFound}},
	"PUT /api/v1/programmes/:id/mentoring/:participant_id": {errs: []error{programmes.ErrNotFound, programmes.ErrNotParticipant, mentoring.ErrMentorFull}},
	"POST /api/v1/programmes/:id/mentoring/sessions":       {errs: []error{programmes.ErrNotFound, mentoring.ErrForbidden, mentoring.ErrNotYourParticipant}},
	"GET /api/v1/programmes/:id/mentoring":                 {errs: []error{programmes.ErrNotFound, mentoring.ErrForbidden}},
}

// objectNotes are the disk store's signed links, by method.
var objectNotes = map[string]routeNotes{
	fiber.MethodGet: {
		statuses: map[int]string{
			fiber.StatusPartialContent: "the range asked for (Range: bytes=…)",
			fiber.StatusNotModified:    "the copy the client holds is current (If-None-Match)",
		},
		content: map[int]map[string]any{
			fiber.StatusOK:             {"*/*": map[string]any{}},
			fiber.StatusPartialContent: {"*/*": map[string]any{}},
		},
		errs: []error{media.ErrLinkExpired, media.ErrLinkInvalid, media.ErrObjectNotFound,
			badRequest(fiber.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable", "the requested range lies outside the object"), storageDown},
		headers: map[int]map[string]any{
			fiber.StatusOK:             {fiber.HeaderETag: header("the object's version", false), fiber.HeaderAcceptRanges: header("bytes", true)},
			fiber.StatusPartialContent: {fiber.HeaderContentRange: header("the bytes sent and the object's size", true)},
		},
	},
	fiber.MethodPut: {
		body: map[string]any{"*/*": map[string]any{}},
		errs: []error{media.ErrLinkExpired, media.ErrLinkInvalid, media.ErrObjectNotFound, media.ErrUploadNotFound,
			badRequest(413, "too_large", "the part is larger than the link allows"), media.ErrBrokenBody, storageDown},
		headers: map[int]map[string]any{fiber.StatusOK: {fiber.HeaderETag: header("identifies the part when the upload is completed", true)}},
	},
}

func header(description string, required bool) map[string]any {
	return map[string]any{"description": description, "required": required, "schema": map[string]any{"type": "string"}}
}

// ldObject is the content of a JSON-LD reply: an object whose shape its
// contexts define.
func ldObject(description string) map[string]any {
	return map[string]any{"schema": map[string]any{"type": "object", "description": description}}
}
