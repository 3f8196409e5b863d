package certificates

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/audit"
	"mooc/cohorts"
	"mooc/internal/clock"
	"mooc/internal/database"
	"mooc/internal/lease"
	"mooc/internal/validation"
	"mooc/media"
	"mooc/notify/outbox"
)

// Enrolments is what certificates need of the cohorts: the learner's own
// seat, what each enrolment has completed, and who holds a seat in a
// cohort.
type Enrolments interface {
	OwnSeat(ctx context.Context, caller accounts.Principal, enrolmentID string) (cohorts.Seat, error)
	Cohort(ctx context.Context, id string) (cohorts.Cohort, error)
	Completions(ctx context.Context, enrolmentIDs []string) ([]cohorts.Completion, error)
	EnrolledInCohort(ctx context.Context, cohortID string) ([]string, error)
}

// Holders names the people certificates are issued to (the accounts
// domain).
type Holders interface {
	Users(ctx context.Context, ids []string) (map[string]accounts.User, error)
}

// Deps is what the service is built with; every field is required but Now.
type Deps struct {
	DB         *database.DB
	Objects    media.ObjectStore
	Enrolments Enrolments
	Holders    Holders
	Outbox     *outbox.Outbox
	PublicURL  string     // base of verify links
	Issuer     Issuer     // printed on every PDF
	Seal       *Seal      // signs every PDF
	Audit      *audit.Log // revocations; nil logs nothing
	Log        *slog.Logger
	Now        func() time.Time // the clock; time.Now when nil
	// Worker is this replica as it claims bulk jobs and logs them.
	Worker lease.Worker
}

// Service is the certificates domain.
type Service struct {
	db         *database.DB
	store      store
	objects    media.ObjectStore
	enrolments Enrolments
	holders    Holders
	outbox     *outbox.Outbox
	publicURL  string
	issuer     Issuer
	seal       *Seal
	audit      *audit.Log
	now        func() time.Time
	log        *slog.Logger
	wake       chan struct{}
	worker     lease.Worker
}

// New builds the service.
func New(d Deps) *Service {
	now := clock.Or(d.Now)
	return &Service{db: d.DB, store: store{d.DB}, objects: d.Objects, enrolments: d.Enrolments, holders: d.Holders,
		outbox: d.Outbox, publicURL: d.PublicURL, issuer: d.Issuer, seal: d.Seal, audit: d.Audit, now: now, log: d.Log, wake: make(chan struct{}, 1),
		worker: d.Worker}
}

// IssueForEnrolment issues the certificate of the caller's completed
// enrolment, or returns the one issued before (created false). Errors:
// ErrNotFound, *NotEligibleError.
func (s *Service) IssueForEnrolment(ctx context.Context, caller accounts.Principal, enrolmentID string) (Certificate, bool, error) {
	if _, err := s.enrolments.OwnSeat(ctx, caller, enrolmentID); err != nil {
		if errors.Is(err, cohorts.ErrNotFound) {
			return Certificate{}, false, ErrNotFound
		}
		return Certificate{}, false, err
	}
	if c, err := s.store.bySource(ctx, SourceEnrolment, enrolmentID); err == nil {
		return s.view(c), false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return Certificate{}, false, err
	}
	done, err := s.enrolments.Completions(ctx, []string{enrolmentID})
	if err != nil {
		return Certificate{}, false, err
	}
	if len(done) != 1 {
		return Certificate{}, false, ErrNotFound
	}
	return s.issueCompletion(ctx, done[0])
}

func (s *Service) issueCompletion(ctx context.Context, c cohorts.Completion) (Certificate, bool, error) {
	if len(c.Missing) > 0 {
		return Certificate{}, false, &NotEligibleError{Missing: c.Missing}
	}
	return s.Issue(ctx, completionGrant(c))
}

func completionGrant(c cohorts.Completion) Grant {
	return Grant{
		SourceKind: SourceEnrolment, SourceID: c.EnrolmentID, UserID: c.UserID, Kind: "course",
		Title: c.CourseTitle, MethodologyTitle: c.MethodologyTitle, Hours: c.Hours, From: c.From, To: c.To,
		CompletedAt: c.CompletedAt,
	}
}

// Grant is what a certificate is issued for; the in-person programmes
// issue theirs through it too.
type Grant struct {
	SourceKind, SourceID string
	UserID               string
	Kind                 string // course or programme
	Title                string
	MethodologyTitle     string
	Hours                int
	From, To             time.Time
	// CompletedAt is when the last requirement was met; the certificate
	// states its date.
	CompletedAt time.Time
}

// Issue renders, stores and records the certificate of a grant, once: when
// one exists for the same source it is returned with created false. The
// PDF is stored before the row is written, so no certificate is ever
// recorded without its PDF; a PDF whose row lost a race is removed.
func (s *Service) Issue(ctx context.Context, g Grant) (Certificate, bool, error) {
	users, err := s.holders.Users(ctx, []string{g.UserID})
	if err != nil {
		return Certificate{}, false, err
	}
	holder, ok := users[g.UserID]
	if !ok {
		return Certificate{}, false, ErrNotFound
	}
	row, err := s.storePDF(ctx, g, holder.FullName())
	if err != nil {
		return Certificate{}, false, err
	}
	kept, err := s.record(ctx, row)
	if err != nil {
		return Certificate{}, false, err
	}
	if !kept {
		existing, err := s.store.bySource(ctx, g.SourceKind, g.SourceID)
		return s.view(existing), false, err
	}
	return s.view(row), true, nil
}

// storePDF renders the certificate of a grant and stores its PDF; the row
// it returns is not written yet.
func (s *Service) storePDF(ctx context.Context, g Grant, holderName string) (certificateRow, error) {
	now := s.now().UTC()
	row := certificateRow{
		ID: uuid.NewString(), Code: newCode(), SourceKind: g.SourceKind, SourceID: g.SourceID, UserID: g.UserID,
		HolderName: holderName, Kind: g.Kind, Title: g.Title, MethodologyTitle: g.MethodologyTitle, Hours: g.Hours,
		PeriodFrom: g.From.UTC(), PeriodTo: g.To.UTC(), IssuedAt: now,
	}
	if !g.CompletedAt.IsZero() {
		completed := g.CompletedAt.UTC()
		row.CompletedAt = &completed
	}
	row.PDFKey = pdfKeyPrefix + row.Code + ".pdf"
	pdf, err := s.sealed(s.document(row), now)
	if err != nil {
		return certificateRow{}, err
	}
	if _, err := s.objects.Put(ctx, row.PDFKey, bytes.NewReader(pdf), int64(len(pdf)), "application/pdf"); err != nil {
		return certificateRow{}, err
	}
	return row, nil
}

// record writes the row of a certificate whose PDF is stored, with its
// notice, unless its source has a certificate already (kept false). The PDF
// of a row that is not kept is removed.
func (s *Service) record(ctx context.Context, row certificateRow) (kept bool, err error) {
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if kept, err = s.store.insert(ctx, row); err != nil || !kept {
			return err
		}
		return s.notice(ctx, row)
	})
	if err != nil || !kept {
		s.dropPDF(ctx, row)
	}
	return kept && err == nil, err
}

// notice queues the e-mail telling the holder, in the caller's transaction.
func (s *Service) notice(ctx context.Context, row certificateRow) error {
	return s.outbox.Queue(ctx, outbox.Message{ID: "certificate:" + row.ID, UserID: row.UserID, Template: "certificate_issued",
		Params: map[string]string{"title": row.Title, "code": row.Code, "verify_url": s.verifyURL(row.Code)}})
}

// dropPDF removes the PDF of a certificate that was not recorded, even when
// the caller has given up: it would never be found again.
func (s *Service) dropPDF(ctx context.Context, row certificateRow) {
	_ = s.objects.Delete(context.WithoutCancel(ctx), row.PDFKey)
}

// document is what the PDF of a certificate prints, its revocation too.
func (s *Service) document(c certificateRow) Document {
	d := Document{
		Code: c.Code, HolderName: c.HolderName, Kind: c.Kind, Title: c.Title, MethodologyTitle: c.MethodologyTitle,
		Hours: c.Hours, From: c.PeriodFrom.UTC(), To: c.PeriodTo.UTC(), IssuedAt: c.IssuedAt.UTC(), VerifyURL: s.verifyURL(c.Code),
		RevokedAt: utc(c.RevokedAt), RevocationReason: c.RevocationReason, Issuer: s.issuer,
	}
	if c.CompletedAt != nil {
		d.CompletedAt = c.CompletedAt.UTC()
	}
	return d
}

// sealed renders a certificate and signs it with the seal.
func (s *Service) sealed(d Document, at time.Time) ([]byte, error) {
	pdf, err := Render(d)
	if err != nil {
		return nil, fmt.Errorf("certificates: render: %w", err)
	}
	return s.seal.Sign(pdf, at)
}

// TranscriptPDF draws a transcript with the issuer on it and signs it with
// the seal, as of the transcript's issue date.
func (s *Service) TranscriptPDF(t Transcript) ([]byte, error) {
	t.Issuer = s.issuer
	pdf, err := RenderTranscript(t)
	if err != nil {
		return nil, err
	}
	return s.seal.Sign(pdf, t.IssuedAt)
}

// PDF opens the PDF of a certificate for its holder or the team: the one
// stored when it was issued, or, once it is revoked, the same certificate
// drawn again with the revocation across it, so that no copy downloaded
// after the revocation can pass for valid. Errors: ErrNotFound.
func (s *Service) PDF(ctx context.Context, caller accounts.Principal, code string) (io.ReadCloser, int64, error) {
	c, err := s.byCode(ctx, code)
	if err != nil {
		return nil, 0, err
	}
	if c.UserID != caller.UserID && !caller.IsTeam() {
		return nil, 0, ErrNotFound
	}
	if c.RevokedAt != nil {
		pdf, err := s.sealed(s.document(c), s.now())
		if err != nil {
			return nil, 0, err
		}
		return io.NopCloser(bytes.NewReader(pdf)), int64(len(pdf)), nil
	}
	info, err := s.objects.Stat(ctx, c.PDFKey)
	if err != nil {
		return nil, 0, err
	}
	r, err := s.objects.Open(ctx, c.PDFKey, 0, -1)
	return r, info.Size, err
}

// Verify tells anyone whether a code belongs to a valid certificate.
// Errors: ErrNotFound.
func (s *Service) Verify(ctx context.Context, code string) (Verification, error) {
	c, err := s.byCode(ctx, code)
	if err != nil {
		return Verification{}, err
	}
	return Verification{
		Valid: c.RevokedAt == nil, Code: c.Code, HolderName: c.HolderName, CourseTitle: c.Title, Hours: c.Hours,
		IssuedAt: c.IssuedAt.UTC(), RevokedAt: utc(c.RevokedAt), RevocationReason: c.RevocationReason,
	}, nil
}

// Revoke withdraws a certificate (the team); verification then says it is
// not valid. Revoking again keeps the first date and reason. Errors:
// ErrNotFound, *validation.Error.
func (s *Service) Revoke(ctx context.Context, code string, r Revocation) (Verification, error) {
	if err := validation.Struct(r); err != nil {
		return Verification{}, err
	}
	c, err := s.byCode(ctx, code)
	if err != nil {
		return Verification{}, err
	}
	if _, err := s.revoke(ctx, c, r.Reason); err != nil {
		return Verification{}, err
	}
	return s.Verify(ctx, c.Code)
}

// revoke revokes a valid certificate and logs it, in one transaction; it
// reports whether it revoked (a revoked one keeps its first date and
// reason, and nothing is logged again).
func (s *Service) revoke(ctx context.Context, c certificateRow, reason string) (bool, error) {
	var done bool
	err := s.db.InTx(ctx, func(ctx context.Context) (err error) {
		if done, err = s.store.revokeRow(ctx, c.Code, reason, s.now().UTC()); err != nil || !done {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: audit.CertificateRevoked, TargetType: "certificate", TargetID: c.Code,
			SubjectID: c.UserID, Details: map[string]any{"reason": reason}})
	})
	return done, err
}

// RevokeSource revokes the certificate earned by a source, if there is one
// and it is valid (the in-person programmes, when attendance is corrected
// below the threshold). It reports whether a certificate was revoked now.
func (s *Service) RevokeSource(ctx context.Context, sourceKind, sourceID, reason string) (bool, error) {
	c, err := s.store.bySource(ctx, sourceKind, sourceID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil || c.RevokedAt != nil {
		return false, err
	}
	return s.revoke(ctx, c, reason)
}

func (s *Service) byCode(ctx context.Context, code string) (certificateRow, error) {
	code = NormalizeCode(code)
	if code == "" {
		return certificateRow{}, ErrNotFound
	}
	return s.store.byCode(ctx, code)
}

func (s *Service) verifyURL(code string) string { return s.publicURL + "/verify/" + code }

func (s *Service) view(c certificateRow) Certificate {
	return Certificate{
		ID: c.ID, Code: c.Code, HolderName: c.HolderName, Kind: c.Kind, CourseTitle: c.Title, MethodologyTitle: c.MethodologyTitle,
		Hours: c.Hours, From: c.PeriodFrom.UTC(), To: c.PeriodTo.UTC(), CompletedAt: utc(c.CompletedAt), IssuedAt: c.IssuedAt.UTC(),
		PDFURL: s.publicURL + "/api/v1/certificates/" + c.Code + "/pdf", VerifyURL: s.verifyURL(c.Code), CredentialURL: s.credentialURL(c.Code),
		RevokedAt: utc(c.RevokedAt), RevocationReason: c.RevocationReason, UserID: c.UserID,
	}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Mine lists the caller's certificates, newest first.
func (s *Service) Mine(ctx context.Context, caller accounts.Principal) ([]Certificate, error) {
	var rows []certificateRow
	if err := s.db.Conn(ctx).Where("user_id = ?", caller.UserID).Order("issued_at DESC, id").Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	out := make([]Certificate, len(rows))
	for i, r := range rows {
		out[i] = s.view(r)
	}
	return out, nil
}
