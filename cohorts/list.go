package cohorts

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"mooc/accounts"
	"mooc/audit"
	"mooc/internal/validation"
)

// People looks up the people the team's lists name (the accounts domain).
type People interface {
	Users(ctx context.Context, ids []string) (map[string]accounts.User, error)
}

// ListedEnrolment is an enrolment in the team's list of a cohort, with the
// person it is about.
type ListedEnrolment struct {
	Enrolment
	User accounts.Person `json:"user"`
}

// EnrolmentList is the team's list of a cohort's enrolments.
type EnrolmentList struct {
	Cohort Cohort
	Items  []ListedEnrolment
}

// Orders of the team's list besides seat order.
const (
	ByName = "name" // family name, then given name, in the Latvian alphabet (lv.NameOrder)
	ByTime = "time" // when the learner enrolled or joined the waitlist, earliest first
)

// ListQuery picks and orders the team's list of a cohort. The zero value
// is every enrolment in seat order: those holding a seat by when they got
// it, then the waitlist in the order it is promoted, then withdrawals.
type ListQuery struct {
	Status       []string // only enrolments of these statuses; none: every status
	Municipality string   // only people of this municipality, letter case aside; "": everyone
	Sort         string   // "" (seat order), ByName or ByTime
}

// check names the query parameter a wrong value came in, as the team's
// tools send them: status and sort.
func (q ListQuery) check() error {
	var errs []validation.FieldError
	for _, st := range q.Status {
		if st != Enrolled && st != Waitlisted && st != Withdrawn {
			errs = append(errs, validation.Field("status", "must be enrolled, waitlisted or withdrawn (several separated by commas), not "+strconv.Quote(st)))
			break
		}
	}
	if q.Sort != "" && q.Sort != ByName && q.Sort != ByTime {
		errs = append(errs, validation.Field("sort", "must be name or time (absent: seat order), not "+strconv.Quote(q.Sort)))
	}
	if errs != nil {
		return validation.Fail(errs...)
	}
	return nil
}

// CohortEnrolments is the team's list of a cohort's enrolments with each
// one's progress and person, filtered and ordered by q. Errors:
// ErrNotFound, *validation.Error naming the wrong query field.
func (s *Service) CohortEnrolments(ctx context.Context, cohortID string, q ListQuery) (EnrolmentList, error) {
	if err := q.check(); err != nil {
		return EnrolmentList{}, err
	}
	cohort, err := s.Cohort(ctx, cohortID)
	if err != nil {
		return EnrolmentList{}, err
	}
	rows, err := s.store.enrolmentsOf(ctx, cohortID, q.Status...)
	if err != nil {
		return EnrolmentList{}, err
	}
	ids := make([]string, len(rows))
	for i, e := range rows {
		ids[i] = e.UserID
	}
	users, err := s.people.Users(ctx, ids)
	if err != nil {
		return EnrolmentList{}, err
	}
	// The municipality is the person's, kept by accounts, so it is
	// filtered here rather than in the query; progress is then worked out
	// for the rows that stay only.
	if m := strings.TrimSpace(q.Municipality); m != "" {
		rows = slices.DeleteFunc(rows, func(e enrolmentRow) bool { return !strings.EqualFold(users[e.UserID].Municipality, m) })
	}
	described, err := s.describeAll(ctx, rows)
	if err != nil {
		return EnrolmentList{}, err
	}
	items := make([]ListedEnrolment, len(described))
	for i, e := range described {
		items[i] = ListedEnrolment{Enrolment: e, User: accounts.Listed(e.UserID, users[e.UserID])}
	}
	// Stable sorts keep seat order among equals.
	switch q.Sort {
	case ByName:
		accounts.SortByName(items, func(e ListedEnrolment) accounts.Person { return e.User })
	case ByTime:
		slices.SortStableFunc(items, func(a, b ListedEnrolment) int { return a.CreatedAt.Compare(b.CreatedAt) })
	}
	return EnrolmentList{Cohort: cohort, Items: items}, nil
}

// ExportEnrolments is CohortEnrolments for a download (CSV, a workbook)
// that leaves the platform with people's names and addresses, and so is
// logged as an export of personal data, with the filter that chose its
// rows.
func (s *Service) ExportEnrolments(ctx context.Context, cohortID string, q ListQuery, format string) (EnrolmentList, error) {
	var out EnrolmentList
	err := s.db.InTx(ctx, func(ctx context.Context) (err error) {
		if out, err = s.CohortEnrolments(ctx, cohortID, q); err != nil {
			return err
		}
		details := audit.ExportDetails("enrolments", format, len(out.Items), q.Status, q.Municipality)
		return s.audit.Record(ctx, audit.Entry{Action: audit.PersonalDataExported, TargetType: "cohort", TargetID: cohortID, Details: details})
	})
	return out, err
}
