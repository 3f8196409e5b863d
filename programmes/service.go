package programmes

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/audit"
	"mooc/catalogue"
	"mooc/certificates"
	"mooc/internal/clock"
	"mooc/internal/database"
	"mooc/internal/lv"
	"mooc/internal/page"
	"mooc/internal/validation"
	"mooc/notify/outbox"
)

// Methodologies is what programmes need of the catalogue.
type Methodologies interface {
	Methodology(ctx context.Context, id string) (catalogue.Methodology, error)
}

// Issuer issues the certificate a participant earns, and revokes it when
// the attendance that earned it is corrected (the certificates domain).
type Issuer interface {
	Issue(ctx context.Context, g certificates.Grant) (certificates.Certificate, bool, error)
	RevokeSource(ctx context.Context, sourceKind, sourceID, reason string) (bool, error)
}

// Deps is what the service is built with; every field is required but Now.
type Deps struct {
	DB            *database.DB
	Methodologies Methodologies
	Certificates  Issuer
	People        People // whom the team's list of applications names
	Outbox        *outbox.Outbox
	Audit         *audit.Log       // allocations, acceptances, attendance; nil logs nothing
	Now           func() time.Time // the clock; time.Now when nil
}

// Service is the in-person programmes domain.
type Service struct {
	db            *database.DB
	store         store
	methodologies Methodologies
	certs         Issuer
	people        People
	outbox        *outbox.Outbox
	audit         *audit.Log
	now           func() time.Time
}

// New builds the service.
func New(d Deps) *Service {
	now := clock.Or(d.Now)
	return &Service{db: d.DB, store: store{d.DB}, methodologies: d.Methodologies, certs: d.Certificates, people: d.People, outbox: d.Outbox, audit: d.Audit, now: now}
}

// tell queues the allocation result of one application.
func (s *Service) tell(ctx context.Context, p programmeRow, a applicationRow, position int) error {
	params := map[string]string{"programme": p.Title, "location": p.Location, "region": p.Region,
		"starts": lv.DateIn(p.StartsAt), "position": strconv.Itoa(position)}
	m := outbox.Message{ID: "programme-waitlisted:" + a.ID, UserID: a.UserID, Template: "programme_waitlisted", Params: params}
	if a.Status == Accepted {
		m.ID, m.Template = "programme-accepted:"+a.ID, "programme_accepted"
	}
	return s.outbox.Queue(ctx, m)
}

// Create adds a programme (team). Errors: *validation.Error.
func (s *Service) Create(ctx context.Context, f Fields) (Programme, error) {
	var missing []validation.FieldError
	for name, set := range map[string]bool{
		"methodology_id": f.MethodologyID != nil, "title": f.Title != nil, "hours": f.Hours != nil, "location": f.Location != nil,
		"region": f.Region != nil, "starts_at": f.StartsAt != nil, "ends_at": f.EndsAt != nil,
		"applications_open_at": f.ApplicationsOpenAt != nil, "applications_close_at": f.ApplicationsCloseAt != nil,
	} {
		if !set {
			missing = append(missing, validation.Field(name, "is required"))
		}
	}
	if len(missing) > 0 {
		slices.SortFunc(missing, func(a, b validation.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return Programme{}, validation.Fail(missing...)
	}
	now := s.now().UTC()
	row := programmeRow{ID: uuid.NewString(), GroupSize: 20, CompletionPercent: 90, CreatedAt: now}
	if err := s.apply(ctx, &row, f); err != nil {
		return Programme{}, err
	}
	if err := s.store.insert(ctx, &row); err != nil {
		return Programme{}, err
	}
	return s.toProgramme(row), nil
}

// Update changes any fields of a programme (team). Errors: ErrNotFound,
// ErrGroupBelowAccepted, *validation.Error.
func (s *Service) Update(ctx context.Context, id string, f Fields) (Programme, error) {
	if uuid.Validate(id) != nil {
		return Programme{}, ErrNotFound
	}
	var out Programme
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		row, err := s.store.lockProgramme(ctx, id)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, &row, f); err != nil {
			return err
		}
		if f.GroupSize != nil {
			// Under the programme's row lock, as Accept counts its seats.
			accepted, err := s.store.countStatus(ctx, row.ID, Accepted)
			if err != nil {
				return err
			}
			if row.GroupSize < accepted {
				return ErrGroupBelowAccepted
			}
		}
		if err := s.store.save(ctx, row); err != nil {
			return err
		}
		out = s.toProgramme(row)
		return nil
	})
	return out, err
}

// apply validates f against row and copies its set fields.
func (s *Service) apply(ctx context.Context, row *programmeRow, f Fields) error {
	if err := validation.Struct(f); err != nil {
		return err
	}
	if f.MethodologyID != nil {
		if _, err := s.methodologies.Methodology(ctx, *f.MethodologyID); err != nil {
			if errors.Is(err, catalogue.ErrNotFound) {
				return validation.Fail(validation.Field("methodology_id", "no such methodology"))
			}
			return err
		}
		row.MethodologyID = *f.MethodologyID
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&row.Title, f.Title)
	set(&row.Location, f.Location)
	set(&row.Region, f.Region)
	setInt := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	setInt(&row.Hours, f.Hours)
	setInt(&row.GroupSize, f.GroupSize)
	setInt(&row.CompletionPercent, f.CompletionPercent)
	setTime := func(dst *time.Time, src *time.Time) {
		if src != nil {
			*dst = src.UTC()
		}
	}
	setTime(&row.StartsAt, f.StartsAt)
	setTime(&row.EndsAt, f.EndsAt)
	setTime(&row.ApplicationsOpenAt, f.ApplicationsOpenAt)
	setTime(&row.ApplicationsCloseAt, f.ApplicationsCloseAt)
	var errs []validation.FieldError
	if !row.EndsAt.After(row.StartsAt) {
		errs = append(errs, validation.Field("ends_at", "must be after starts_at"))
	}
	if !row.ApplicationsCloseAt.After(row.ApplicationsOpenAt) {
		errs = append(errs, validation.Field("applications_close_at", "must be after applications_open_at"))
	}
	if len(errs) > 0 {
		return validation.Fail(errs...)
	}
	row.UpdatedAt = s.now().UTC()
	return nil
}

// Programme returns one programme. Errors: ErrNotFound.
func (s *Service) Programme(ctx context.Context, id string) (Programme, error) {
	if uuid.Validate(id) != nil {
		return Programme{}, ErrNotFound
	}
	row, err := s.store.programme(ctx, id)
	return s.toProgramme(row), err
}

// Programmes lists programmes, latest start first.
func (s *Service) Programmes(ctx context.Context, methodologyID string, limit int, cursor string) ([]Programme, string, error) {
	after, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, "", err
	}
	p := page.Request{Limit: limit, After: after}.Clamp()
	rows, err := s.store.list(ctx, methodologyID, p.Limit, p.After)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Trim(rows, p.Limit, func(r programmeRow) []string { return page.TimeKey(r.StartsAt, r.ID) })
	out := make([]Programme, len(rows))
	for i, r := range rows {
		out[i] = s.toProgramme(r)
	}
	return out, next, nil
}

// Apply asks for a seat. An applicant who withdrew may apply again while
// applications are open: the same application comes back as applied, at
// the back of the queue (its application time is now). Errors:
// ErrNotFound, ErrApplicationsClosed, ErrAlreadyApplied, *validation.Error.
func (s *Service) Apply(ctx context.Context, caller accounts.Principal, programmeID string, form ApplicationForm) (Application, error) {
	form.Municipality = strings.TrimSpace(form.Municipality)
	if err := validation.Struct(form); err != nil {
		return Application{}, err
	}
	p, err := s.Programme(ctx, programmeID)
	if err != nil {
		return Application{}, err
	}
	if !p.ApplicationsOpen {
		return Application{}, ErrApplicationsClosed
	}
	now := s.now().UTC()
	row := applicationRow{ID: uuid.NewString(), ProgrammeID: p.ID, UserID: caller.UserID, Municipality: form.Municipality,
		TookPartInPilot: *form.TookPartInPilot, Status: Applied, QueueSeq: now.UnixNano(), AppliedAt: now, UpdatedAt: now}
	err = s.store.insert(ctx, &row)
	if errors.Is(err, database.ErrDuplicate) {
		row, err = s.store.reapply(ctx, row)
	}
	if err != nil {
		return Application{}, err
	}
	return toApplication(row, nil), nil
}

// Withdraw gives up the caller's application or seat. Errors: ErrNotFound.
func (s *Service) Withdraw(ctx context.Context, caller accounts.Principal, programmeID string) error {
	if uuid.Validate(programmeID) != nil {
		return ErrNotFound
	}
	a, err := s.store.applicationOf(ctx, programmeID, caller.UserID)
	if err != nil {
		return err
	}
	if a.Status == Withdrawn {
		return ErrNotFound
	}
	return s.store.setStatus(ctx, a.ID, Withdrawn, s.now().UTC())
}

// Allocate gives out the seats once applications have closed: first to
// applicants whose municipality was not in the pilot, then by application
// time (allocationOrder), up to the group size; the rest wait in that
// order. Running it again after applications reopened and closed
// allocates the applications made since the same way: those accepted stay
// accepted, and a seat goes to a new applicant only when it is free and
// nobody is waiting for it (the team gives such seats to those waiting,
// with Accept); the others join the waitlist, which stays in allocation
// order. With nothing new to allocate, it returns the same result.
// Errors: ErrNotFound, ErrApplicationsOpen.
func (s *Service) Allocate(ctx context.Context, programmeID string) (Allocation, error) {
	if uuid.Validate(programmeID) != nil {
		return Allocation{}, ErrNotFound
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		p, err := s.store.lockProgramme(ctx, programmeID)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if now.Before(p.ApplicationsCloseAt) {
			return ErrApplicationsOpen
		}
		queue, err := s.store.queue(ctx, p.ID, Applied)
		if err != nil {
			return err
		}
		if p.AllocatedAt != nil && len(queue) == 0 {
			return nil
		}
		accepted, err := s.store.countStatus(ctx, p.ID, Accepted)
		if err != nil {
			return err
		}
		waiting, err := s.store.countStatus(ctx, p.ID, Waitlisted)
		if err != nil {
			return err
		}
		free := max(0, p.GroupSize-accepted-waiting)
		for i := range queue {
			queue[i].Status = Waitlisted
			if i < free {
				queue[i].Status = Accepted
			}
			if err := s.store.setStatus(ctx, queue[i].ID, queue[i].Status, now); err != nil {
				return err
			}
		}
		if err := s.tellAll(ctx, p, queue); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{Action: audit.ProgrammeAllocated, TargetType: "programme", TargetID: p.ID,
			Details: map[string]any{"allocated": len(queue), "accepted": min(free, len(queue))}}); err != nil {
			return err
		}
		if p.AllocatedAt == nil {
			p.AllocatedAt = &now
		}
		return s.store.save(ctx, p)
	})
	if err != nil {
		return Allocation{}, err
	}
	return s.allocation(ctx, programmeID)
}

// tellAll queues the result of the applications just allocated, each
// waitlisted one with its place in the whole waitlist.
func (s *Service) tellAll(ctx context.Context, p programmeRow, allocated []applicationRow) error {
	waitlist, err := s.store.queue(ctx, p.ID, Waitlisted)
	if err != nil {
		return err
	}
	position := make(map[string]int, len(waitlist))
	for i, a := range waitlist {
		position[a.ID] = i + 1
	}
	for _, a := range allocated {
		if err := s.tell(ctx, p, a, position[a.ID]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) allocation(ctx context.Context, programmeID string) (Allocation, error) {
	out := Allocation{Accepted: []Application{}, Waitlisted: []Application{}}
	accepted, err := s.store.queue(ctx, programmeID, Accepted)
	if err != nil {
		return out, err
	}
	waiting, err := s.store.queue(ctx, programmeID, Waitlisted)
	if err != nil {
		return out, err
	}
	for _, a := range accepted {
		out.Accepted = append(out.Accepted, toApplication(a, nil))
	}
	for i, a := range waiting {
		pos := i + 1
		out.Waitlisted = append(out.Waitlisted, toApplication(a, &pos))
	}
	return out, nil
}

// Accept gives a free seat to a waitlisted applicant, or, once the seats
// have been allocated, to one who applied since (team). Errors:
// ErrNotFound, ErrNotWaitlisted, ErrNoFreeSeat.
func (s *Service) Accept(ctx context.Context, programmeID, applicationID string) (Application, error) {
	if uuid.Validate(programmeID) != nil || uuid.Validate(applicationID) != nil {
		return Application{}, ErrNotFound
	}
	var out Application
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		// The programme row lock makes the seat count and the acceptance one step.
		p, err := s.store.lockProgramme(ctx, programmeID)
		if err != nil {
			return err
		}
		a, err := s.store.application(ctx, p.ID, applicationID)
		if err != nil {
			return err
		}
		if a.Status != Waitlisted && (a.Status != Applied || p.AllocatedAt == nil) {
			return ErrNotWaitlisted
		}
		taken, err := s.store.countStatus(ctx, p.ID, Accepted)
		if err != nil {
			return err
		}
		if taken >= p.GroupSize {
			return ErrNoFreeSeat
		}
		now := s.now().UTC()
		if err := s.store.setStatus(ctx, a.ID, Accepted, now); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{Action: audit.ApplicationAccepted, TargetType: "application", TargetID: a.ID,
			SubjectID: a.UserID, Details: map[string]any{"programme_id": p.ID, "from": a.Status}}); err != nil {
			return err
		}
		a.Status = Accepted
		out = toApplication(a, nil)
		return s.tell(ctx, p, a, 0)
	})
	return out, err
}

// RecordAttendance sets a participant's attended hours (team), from the
// programme's start and never above the hours held so far (HoursHeld).
// Reaching the completion threshold issues the certificate, once; falling
// below it again revokes that certificate (AttendanceCorrected). Errors:
// ErrNotFound, ErrNotStarted, ErrNotParticipant, *validation.Error.
func (s *Service) RecordAttendance(ctx context.Context, programmeID, userID string, u AttendanceUpdate) (Attendance, error) {
	if err := validation.Struct(u); err != nil {
		return Attendance{}, err
	}
	p, err := s.Programme(ctx, programmeID)
	if err != nil {
		return Attendance{}, err
	}
	now := s.now().UTC()
	if now.Before(p.StartsAt) {
		return Attendance{}, ErrNotStarted
	}
	if held := HoursHeld(p.Hours, p.StartsAt, p.EndsAt, now); *u.Hours > held {
		msg := "more than the " + lv.AcademicHours(held) + " held so far"
		if held == p.Hours {
			msg = "more than the programme's " + lv.AcademicHours(held)
		}
		return Attendance{}, validation.Fail(validation.Field("hours", msg))
	}
	if uuid.Validate(userID) != nil {
		return Attendance{}, ErrNotFound
	}
	a, err := s.store.applicationOf(ctx, p.ID, userID)
	if err != nil {
		return Attendance{}, err
	}
	if a.Status != Accepted {
		return Attendance{}, ErrNotParticipant
	}
	required := RequiredHours(p.Hours, p.CompletionPercent)
	out := Attendance{UserID: userID, ApplicationID: a.ID, AttendedHours: *u.Hours, RequiredHours: required, Completed: *u.Hours >= required}
	// The hours, their audit entry and the revocation of what they no
	// longer earn go together.
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.setHours(ctx, a.ID, *u.Hours, now); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{Action: audit.AttendanceRecorded, TargetType: "application", TargetID: a.ID,
			SubjectID: userID, Details: map[string]any{"programme_id": p.ID, "from": a.AttendedHours, "to": *u.Hours}}); err != nil {
			return err
		}
		if out.Completed {
			return nil
		}
		_, err := s.certs.RevokeSource(ctx, certificates.SourceParticipant, a.ID, AttendanceCorrected)
		return err
	})
	if err != nil || !out.Completed {
		return out, err
	}
	m, err := s.methodologies.Methodology(ctx, p.MethodologyID)
	if err != nil {
		return Attendance{}, err
	}
	// The threshold is met now, or on the programme's last day when the
	// hours are recorded after it.
	completed := now
	if p.EndsAt.Before(completed) {
		completed = p.EndsAt
	}
	cert, _, err := s.certs.Issue(ctx, certificates.Grant{
		SourceKind: certificates.SourceParticipant, SourceID: a.ID, UserID: userID, Kind: "programme",
		Title: p.Title, MethodologyTitle: m.Title, Hours: p.Hours, From: p.StartsAt, To: p.EndsAt, CompletedAt: completed,
	})
	if err != nil {
		return Attendance{}, err
	}
	out.CertificateCode = cert.Code
	return out, nil
}

func (s *Service) toProgramme(r programmeRow) Programme {
	now := s.now()
	var allocated *time.Time
	if r.AllocatedAt != nil {
		t := r.AllocatedAt.UTC()
		allocated = &t
	}
	return Programme{ID: r.ID, MethodologyID: r.MethodologyID, Title: r.Title, Hours: r.Hours, GroupSize: r.GroupSize,
		Location: r.Location, Region: r.Region, StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(),
		ApplicationsOpenAt: r.ApplicationsOpenAt.UTC(), ApplicationsCloseAt: r.ApplicationsCloseAt.UTC(),
		ApplicationsOpen:  !now.Before(r.ApplicationsOpenAt) && now.Before(r.ApplicationsCloseAt),
		CompletionPercent: r.CompletionPercent, AllocatedAt: allocated, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func toApplication(a applicationRow, position *int) Application {
	return Application{ID: a.ID, ProgrammeID: a.ProgrammeID, UserID: a.UserID, Municipality: a.Municipality,
		TookPartInPilot: a.TookPartInPilot, Status: a.Status, WaitlistPosition: position, AttendedHours: a.AttendedHours,
		AppliedAt: a.AppliedAt.UTC()}
}
