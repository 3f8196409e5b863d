package training

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/certificates"
	"mooc/internal/clock"
	"mooc/internal/database"
)

// People names the people records are made out to (the accounts domain).
type People interface {
	Users(ctx context.Context, ids []string) (map[string]accounts.User, error)
}

// Transcripts draws and seals the transcript PDF (the certificates
// domain, which prints the issuer on it and signs it).
type Transcripts interface {
	TranscriptPDF(t certificates.Transcript) ([]byte, error)
}

// Deps is what the service is built with; every field is required but Now.
type Deps struct {
	DB            *database.DB
	People        People
	RequiredHours int    // MOOC_YEARLY_TRAINING_HOURS; zero: DefaultRequiredHours
	PublicURL     string // base of the verify links on the transcript
	Transcripts   Transcripts
	Now           func() time.Time
}

// DefaultRequiredHours is the yearly requirement unless configured.
const DefaultRequiredHours = 24

// Service is the training records domain.
type Service struct {
	store     store
	people    People
	required  int
	publicURL string
	pdfs      Transcripts
	now       func() time.Time
}

// New builds the service.
func New(d Deps) *Service {
	return &Service{store: store{d.DB}, people: d.People, required: cmp.Or(d.RequiredHours, DefaultRequiredHours), publicURL: d.PublicURL,
		pdfs: d.Transcripts, now: clock.Or(d.Now)}
}

// Mine is the caller's record of the year asked for (see ParseYear).
// Errors: *validation.Error naming year.
func (s *Service) Mine(ctx context.Context, caller accounts.Principal, year string) (Record, error) {
	return s.Of(ctx, caller.UserID, year)
}

// Of is one person's record of the year asked for, for the team. Errors:
// *validation.Error naming year, accounts.ErrNotFound.
func (s *Service) Of(ctx context.Context, userID, year string) (Record, error) {
	y, err := ParseYear(year, s.now())
	if err != nil {
		return Record{}, err
	}
	if uuid.Validate(userID) != nil {
		return Record{}, accounts.ErrNotFound
	}
	people, err := s.people.Users(ctx, []string{userID})
	if err != nil {
		return Record{}, err
	}
	person, ok := people[userID]
	if !ok {
		return Record{}, accounts.ErrNotFound
	}
	held, err := s.store.certificatesOf(ctx, userID)
	if err != nil {
		return Record{}, err
	}
	rec := Record{Year: y, RequiredHours: s.required, Items: []Item{}, Person: person.FullName()}
	for _, c := range held {
		it, ok := item(c)
		if !ok || YearOf(it.CompletedAt) != y {
			continue
		}
		it.VerifyURL = s.publicURL + "/verify/" + it.CertificateCode
		rec.Items = append(rec.Items, it)
	}
	slices.SortStableFunc(rec.Items, func(a, b Item) int {
		return cmp.Or(a.CompletedAt.Compare(b.CompletedAt), cmp.Compare(a.CertificateCode, b.CertificateCode))
	})
	rec.Hours = total(rec.Items)
	return rec, nil
}

// PDF is the record as a Latvian transcript (izziņa), dated now, sealed.
func (s *Service) PDF(rec Record) ([]byte, error) {
	t := certificates.Transcript{HolderName: rec.Person, Year: rec.Year, Hours: rec.Hours, RequiredHours: rec.RequiredHours,
		IssuedAt: s.now().UTC()}
	for _, it := range rec.Items {
		t.Items = append(t.Items, certificates.TranscriptItem{InPerson: it.Kind == InPerson, Title: it.Title, Hours: it.Hours,
			Date: it.CompletedAt, Code: it.CertificateCode, VerifyURL: it.VerifyURL})
	}
	return s.pdfs.TranscriptPDF(t)
}
