package programmes

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"mooc/accounts"
	"mooc/audit"
	"mooc/internal/validation"
)

// People looks up the people the team's list of applications names (the
// accounts domain).
type People interface {
	Users(ctx context.Context, ids []string) (map[string]accounts.User, error)
}

// ListedApplication is an application in the team's list, with the person
// it is about.
type ListedApplication struct {
	Application
	User accounts.Person `json:"user"`
}

// ApplicationList is the team's list of a programme's applications.
type ApplicationList struct {
	Programme Programme
	Items     []ListedApplication
}

// Orders of the team's list besides allocation order.
const (
	ByName = "name" // family name, then given name, in the Latvian alphabet (lv.NameOrder)
	ByTime = "time" // application time, earliest first
)

// ListQuery picks and orders the team's list of a programme's
// applications. The zero value is every application in allocation order:
// accepted, then still applied, then the waitlist in the order it is
// promoted, then withdrawals, each in allocationOrder.
type ListQuery struct {
	Status []string // only applications of these statuses; none: every status
	// Municipality keeps the applications that name this municipality,
	// letter case aside: the one the applicant gave when applying, which
	// allocation goes by (it may differ from the profile's). "": all.
	Municipality string
	Sort         string // "" (allocation order), ByName or ByTime
}

// check names the query parameter a wrong value came in: status and sort.
func (q ListQuery) check() error {
	var errs []validation.FieldError
	for _, st := range q.Status {
		if !slices.Contains(statusOrder, st) {
			errs = append(errs, validation.Field("status", "must be accepted, applied, waitlisted or withdrawn (several separated by commas), not "+strconv.Quote(st)))
			break
		}
	}
	if q.Sort != "" && q.Sort != ByName && q.Sort != ByTime {
		errs = append(errs, validation.Field("sort", "must be name or time (absent: allocation order), not "+strconv.Quote(q.Sort)))
	}
	if errs != nil {
		return validation.Fail(errs...)
	}
	return nil
}

// statusOrder is the order of the statuses in the list.
var statusOrder = []string{Accepted, Applied, Waitlisted, Withdrawn}

// Applications is the team's list of a programme's applications with each
// one's person, filtered and ordered by q. Waitlist positions are the
// places in the whole waitlist whatever the filter. Errors: ErrNotFound,
// *validation.Error naming the wrong query field.
func (s *Service) Applications(ctx context.Context, programmeID string, q ListQuery) (ApplicationList, error) {
	if err := q.check(); err != nil {
		return ApplicationList{}, err
	}
	programme, err := s.Programme(ctx, programmeID)
	if err != nil {
		return ApplicationList{}, err
	}
	statuses := statusOrder
	if len(q.Status) > 0 {
		statuses = q.Status
	}
	// Every waitlisted application is read whenever any is listed, so the
	// positions counted below are the places in the whole waitlist.
	rows, err := s.store.queue(ctx, programmeID, statuses...)
	if err != nil {
		return ApplicationList{}, err
	}
	m := strings.TrimSpace(q.Municipality)
	listed := make([]Application, 0, len(rows))
	pos := 0
	for _, st := range statusOrder {
		for _, a := range rows {
			if a.Status != st {
				continue
			}
			var place *int
			if st == Waitlisted {
				pos++
				n := pos
				place = &n
			}
			if m == "" || strings.EqualFold(a.Municipality, m) {
				listed = append(listed, toApplication(a, place))
			}
		}
	}
	ids := make([]string, len(listed))
	for i, a := range listed {
		ids[i] = a.UserID
	}
	users, err := s.people.Users(ctx, ids)
	if err != nil {
		return ApplicationList{}, err
	}
	items := make([]ListedApplication, len(listed))
	for i, a := range listed {
		items[i] = ListedApplication{Application: a, User: accounts.Listed(a.UserID, users[a.UserID])}
	}
	// Stable sorts keep allocation order among equals.
	switch q.Sort {
	case ByName:
		accounts.SortByName(items, func(e ListedApplication) accounts.Person { return e.User })
	case ByTime:
		slices.SortStableFunc(items, func(a, b ListedApplication) int { return a.AppliedAt.Compare(b.AppliedAt) })
	}
	return ApplicationList{Programme: programme, Items: items}, nil
}

// ExportApplications is Applications for a download (CSV, a workbook)
// that leaves the platform with people's data, and so is logged as an
// export of personal data, with the filter that chose its rows.
func (s *Service) ExportApplications(ctx context.Context, programmeID string, q ListQuery, format string) (ApplicationList, error) {
	var out ApplicationList
	err := s.db.InTx(ctx, func(ctx context.Context) (err error) {
		if out, err = s.Applications(ctx, programmeID, q); err != nil {
			return err
		}
		details := audit.ExportDetails("applications", format, len(out.Items), q.Status, q.Municipality)
		return s.audit.Record(ctx, audit.Entry{Action: audit.PersonalDataExported, TargetType: "programme", TargetID: programmeID, Details: details})
	})
	return out, err
}
