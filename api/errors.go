package api

import (
	"errors"
	"log/slog"
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/assessment"
	"mooc/catalogue"
	"mooc/certificates"
	"mooc/cohorts"
	"mooc/credentials"
	"mooc/idempotency"
	"mooc/internal/database"
	"mooc/internal/page"
	"mooc/internal/validation"
	"mooc/media"
	"mooc/mentoring"
	"mooc/programmes"
	"mooc/surveys"
)

// mapping is one row of the error table.
type mapping struct {
	err    error
	status int
	code   string
	detail string
}

// errorTable maps domain sentinels to contract status codes and codes. It
// is the one place where a domain error becomes HTTP.
var errorTable = []mapping{
	{accounts.ErrEmailTaken, 409, "email_taken", "an account with this e-mail already exists"},
	{accounts.ErrInvalidCredentials, 401, "invalid_credentials", "wrong e-mail or password"},
	{accounts.ErrInvalidToken, 401, "unauthorized", "a valid access token is required"},
	{accounts.ErrNotFound, 404, "not_found", "no such user"},
	{accounts.ErrInvalidLink, 422, "invalid_token", "the link is unknown, used already or expired; ask for a new one"},
	{accounts.ErrWrongPassword, 422, "wrong_password", "the current password is wrong"},
	{accounts.ErrLastTeamMember, 422, "last_team_member", "no team account would be left: give another account the team role first"},
	{page.ErrBadCursor, 400, "invalid_cursor", "the cursor is not one this service handed out"},
	{catalogue.ErrNotFound, 404, "not_found", "no such course or lesson"},
	{catalogue.ErrForbidden, 403, "forbidden", "only the course's author or the project team may change it"},
	{catalogue.ErrCoursePublished, 422, "course_published", "the course is published; its lessons can no longer change"},
	{catalogue.ErrNotPublished, 422, "course_not_published", "the course is not published yet"},
	{catalogue.ErrStructureFixed, 422, "course_published", "the course is published: a lesson's title, body, media_id and captions take corrections, but its week, kind and minutes, and which lessons and tests there are, no longer change"},
	{catalogue.ErrPublishedKept, 422, "course_published", "a published course is kept with its cohorts, certificates and history; archive it once its cohorts have ended"},
	{catalogue.ErrCourseArchived, 422, "course_archived", "the course is archived: it no longer changes nor opens cohorts; copy it to start a new edition"},
	{catalogue.ErrCohortRunning, 422, "cohort_running", "a cohort of this course has not ended yet; archive the course once every cohort has ended"},
	{catalogue.ErrCourseInUse, 409, "course_in_use", "the draft is still referred to (people asked to hear of its cohorts); it cannot be deleted"},
	{cohorts.ErrNotFound, 404, "not_found", "no such cohort or enrolment"},
	{cohorts.ErrEnrolmentClosed, 422, "enrolment_closed", "enrolment in this cohort is not open now"},
	{cohorts.ErrCohortEnded, 422, "cohort_ended", "this cohort has ended; enrol in a later one"},
	{cohorts.ErrCapacityBelowEnrolled, 422, "capacity_below_enrolled", "more learners are enrolled than the new capacity allows"},
	{cohorts.ErrWeekLocked, 403, "week_locked", "this week of the course has not started yet"},
	{cohorts.ErrEnrolmentInactive, 403, "enrolment_inactive", "the enrolment is not active (waitlisted or withdrawn)"},
	{cohorts.ErrNoMedia, 404, "not_found", "this lesson has no file to play"},
	{cohorts.ErrNotWatched, 422, "lesson_not_watched", "the video has not been watched far enough: at least 90 % of it, at no more than twice normal speed"},
	{cohorts.ErrLengthUnknown, 422, "lesson_not_watched", "the length of this lesson's video is unknown, so watching it cannot be counted; the course's author has to upload the video again"},
	{assessment.ErrNotFound, 404, "not_found", "no such test, question or attempt"},
	{assessment.ErrMaxAttempts, 422, "max_attempts_reached", "no attempts left for this test"},
	{assessment.ErrTestClosed, 422, "test_closed", "the cohort has ended; its tests are closed"},
	{assessment.ErrAttemptSubmitted, 409, "attempt_submitted", "this attempt was already submitted"},
	{assessment.ErrAttemptExpired, 422, "attempt_expired", "the time for this attempt ran out"},
	{certificates.ErrNotFound, 404, "not_found", "no such certificate"},
	{credentials.ErrUnknownList, 404, "not_found", "no such status list"},
	{programmes.ErrNotFound, 404, "not_found", "no such programme or application"},
	{programmes.ErrApplicationsClosed, 422, "applications_closed", "applications for this programme are not open now"},
	{programmes.ErrAlreadyApplied, 409, "already_applied", "you have applied for this programme already"},
	{programmes.ErrApplicationsOpen, 422, "applications_open", "applications are still open; allocate once they close"},
	{programmes.ErrNoFreeSeat, 422, "no_free_seat", "the group is full"},
	{programmes.ErrNotParticipant, 422, "not_participant", "this person holds no seat in the programme"},
	{programmes.ErrNotWaitlisted, 422, "not_waitlisted", "the application is not on the waitlist"},
	{programmes.ErrNotStarted, 422, "programme_not_started", "the programme has not started; attendance is recorded from its start"},
	{programmes.ErrGroupBelowAccepted, 422, "group_size_below_accepted", "more participants are accepted than the new group size allows"},
	{idempotency.ErrInvalidKey, 400, "invalid_idempotency_key", "the Idempotency-Key header must be 1 to 255 printable ASCII characters"},
	{idempotency.ErrKeyReused, 422, "idempotency_key_reused", "this Idempotency-Key was used for another request; send a new key with a new request"},
	{idempotency.ErrInFlight, 409, "idempotency_key_in_flight", "the first request with this Idempotency-Key is still being processed; retry shortly"},
	{errUnauthenticated, 401, "unauthorized", "a valid access token is required"},
	{errForbidden, 403, "forbidden", "your role does not allow this"},
	{errNotFound, 404, "not_found", "no such resource"},
	{database.ErrUnavailable, 503, "unavailable", "the database is unreachable; try again shortly"},
	{media.ErrStorageUnavailable, 503, "unavailable", "object storage is unreachable; try again shortly"},
	{media.ErrLinkExpired, 403, "link_expired", "the link has expired; ask for a new one"},
	{media.ErrLinkInvalid, 403, "invalid_signature", "the link signature is invalid"},
	{media.ErrUploadNotFound, 404, "upload_not_found", "no such upload; it was completed, aborted or never started"},
	{media.ErrInvalidParts, 422, "invalid_parts", "the parts are missing, out of order, too small or do not match what was uploaded"},
	{media.ErrPartTooLarge, 413, "too_large", "the part is larger than 5 GiB"},
	{media.ErrObjectNotFound, 404, "not_found", "no such object"},
	{media.ErrNotFound, 404, "not_found", "no such media"},
	{media.ErrUnsupportedType, 415, "unsupported_media_type", "accepted files: MP4 or WebM video, MP3 audio, PDF, PNG, JPEG, WebVTT captions (recognised from their content)"},
	{media.ErrTooLarge, 413, "too_large", "the file is larger than this platform accepts"},
	{media.ErrBrokenBody, 400, "malformed_body", "the upload broke off before the file ended"},
	{media.ErrNoFile, 422, "validation_failed", "the form has no part named file"},
	{media.ErrInvalidCaptions, 422, "invalid_captions", "the captions file is not valid WebVTT"},
	{media.ErrSizeMismatch, 422, "size_mismatch", "the uploaded size differs from the size announced"},
	{media.ErrNotUploading, 409, "upload_not_open", "this upload was already completed or never started"},
	{surveys.ErrNotFound, 404, "not_found", "no such survey: the course or programme has none"},
	{surveys.ErrAnswered, 409, "survey_answered", "the survey has responses; its questions no longer change"},
	{surveys.ErrAlreadyAnswered, 409, "already_answered", "you have answered this survey already"},
	{surveys.ErrNotCompleted, 422, "not_eligible", "the survey opens once the course or programme is completed (its certificate earned)"},
	{mentoring.ErrMentorFull, 422, "mentor_full", "the mentor supports as many participants of this kind as they may (at most 1:1+1:1, or 1:3+1:1)"},
	{mentoring.ErrForbidden, 403, "forbidden", "only the project team and mentors may do this"},
	{mentoring.ErrNotYourParticipant, 403, "not_your_participant", "you are not the mentor of every participant named"},
}

// Errors the api layer itself raises.
var (
	errUnauthenticated = errors.New("api: no or bad token")
	errForbidden       = errors.New("api: role does not allow this")
	errNotFound        = errors.New("api: not found")
)

// requestError is a problem the api layer found in the request itself.
type requestError struct {
	status int
	code   string
	detail string
}

func (e *requestError) Error() string { return e.code + ": " + e.detail }

func badRequest(status int, code, detail string) error {
	return &requestError{status: status, code: code, detail: detail}
}

// errorHandler renders every error as problem+json. Unknown errors are
// logged once with their details and answered as a bare 500.
//
// A GET of a path no route takes, outside the API, is a person's browser
// at a wrong address: notFoundPage, when given, answers it with a page.
func errorHandler(log *slog.Logger, notFoundPage fiber.Handler) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var ferr *fiber.Error
		if notFoundPage != nil && errors.As(err, &ferr) && ferr.Code == fiber.StatusNotFound &&
			c.Method() == fiber.MethodGet && !strings.HasPrefix(c.Path(), BasePath+"/") && c.Path() != BasePath {
			return notFoundPage(c)
		}
		return writeProblem(c, toProblem(c, log, err))
	}
}

// retryAfterUnavailable is the Retry-After of a 503, in seconds.
const retryAfterUnavailable = "5"

func toProblem(c *fiber.Ctx, log *slog.Logger, err error) problem {
	m, extra, ok := classify(err)
	if !ok {
		var ferr *fiber.Error
		if errors.As(err, &ferr) {
			return fiberProblem(ferr)
		}
		log.Error("unhandled error", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "error", err)
		return newProblem(500, "internal_error", "something went wrong on our side; the request id identifies it in our logs")
	}
	if m.status == 503 {
		log.Warn("dependency unavailable", "request_id", requestID(c), "error", err)
		// A dependency away is worth retrying soon; the storage probe asks
		// again every second, so a few seconds is enough.
		c.Set(fiber.HeaderRetryAfter, retryAfterUnavailable)
	}
	p := newProblem(m.status, m.code, m.detail)
	if extra != nil {
		extra(c, &p)
	}
	return p
}

// classify finds an error's row: the typed errors first, with what each
// adds to the reply, then the table.
func classify(err error) (mapping, func(*fiber.Ctx, *problem), bool) {
	var (
		verr     *validation.Error
		thr      *accounts.ThrottledError
		rerr     *requestError
		enrolled *cohorts.AlreadyEnrolledError
		ongoing  *assessment.AttemptInProgressError
		gaps     *catalogue.IncompleteError
		missing  *certificates.NotEligibleError
	)
	switch {
	case errors.As(err, &verr):
		return mapping{status: 422, code: "validation_failed", detail: "some fields are not valid"},
			func(_ *fiber.Ctx, p *problem) { p.Errors = verr.Fields }, true
	case errors.As(err, &gaps):
		return mapping{status: 422, code: "course_incomplete", detail: "the course cannot be published yet; errors lists every gap"},
			func(_ *fiber.Ctx, p *problem) { p.Errors = gaps.Gaps }, true
	case errors.As(err, &missing):
		return mapping{status: 422, code: "not_eligible", detail: "the course is not completed yet; errors lists what is missing"},
			func(_ *fiber.Ctx, p *problem) { p.Errors = missing.Missing }, true
	case errors.As(err, &thr):
		return mapping{status: 429, code: "rate_limited", detail: "too many " + thr.What + " attempts; retry later"},
			func(c *fiber.Ctx, _ *problem) {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(thr.RetryAfter.Seconds()))))
			}, true
	case errors.As(err, &rerr):
		return mapping{status: rerr.status, code: rerr.code, detail: rerr.detail}, nil, true
	case errors.As(err, &enrolled):
		return mapping{status: 409, code: "already_enrolled", detail: "you already hold a place in this course; enrolment carries it"},
			func(_ *fiber.Ctx, p *problem) { p.Enrolment = enrolled.Existing }, true
	case errors.As(err, &ongoing):
		return mapping{status: 409, code: "attempt_in_progress", detail: "an attempt of this test is still open; attempt names it"},
			func(_ *fiber.Ctx, p *problem) { p.Attempt = ongoing.Open }, true
	}
	for _, m := range errorTable {
		if errors.Is(err, m.err) {
			return m, nil, true
		}
	}
	return mapping{}, nil, false
}

// fiberProblem covers errors raised by Fiber and fasthttp themselves.
func fiberProblem(e *fiber.Error) problem {
	switch e.Code {
	case fiber.StatusNotFound:
		return newProblem(404, "not_found", "no such route")
	case fiber.StatusMethodNotAllowed:
		return newProblem(405, "method_not_allowed", "this route does not take that method")
	case fiber.StatusRequestEntityTooLarge:
		return newProblem(413, "too_large", "the request body is too large")
	case fiber.StatusRequestHeaderFieldsTooLarge:
		return newProblem(431, "headers_too_large", "the request headers are too large")
	case fiber.StatusRequestTimeout:
		return newProblem(408, "timeout", "the request took too long to arrive")
	case fiber.StatusBadRequest:
		return newProblem(400, "bad_request", "the request could not be read")
	}
	if e.Code >= 400 && e.Code < 500 {
		return newProblem(e.Code, "bad_request", e.Message)
	}
	return newProblem(500, "internal_error", "something went wrong on our side")
}

// Classify is the contract's status and code for an error, as the JSON
// replies carry them: the web pages use it to word the same refusal in
// the reader's language, so that a page and its JSON twin never disagree
// about what went wrong. Unknown errors are 500 internal_error.
func Classify(err error) (status int, code string) {
	m, _, ok := classify(err)
	if !ok {
		return 500, "internal_error"
	}
	return m.status, m.code
}
