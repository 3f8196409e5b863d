package certificates

import (
	"context"
	"time"

	"mooc/accounts"
)

// Facts are what a verifiable credential states of a certificate (package
// credentials), as the certificate was issued, and whether it is revoked.
type Facts struct {
	ID               string
	Code             string
	HolderName       string
	Kind             string // course or programme
	Title            string
	MethodologyTitle string
	Hours            int
	IssuedAt         time.Time
	RevokedAt        *time.Time
	RevocationReason string
}

// Facts reads a certificate for its holder or the team. Errors:
// ErrNotFound, also for a certificate the caller may not see.
func (s *Service) Facts(ctx context.Context, caller accounts.Principal, code string) (Facts, error) {
	c, err := s.byCode(ctx, code)
	if err != nil {
		return Facts{}, err
	}
	if c.UserID != caller.UserID && !caller.IsTeam() {
		return Facts{}, ErrNotFound
	}
	return facts(c), nil
}

// FactsByID reads a certificate by its id, for whoever verifies its
// credential: no more than the public verification tells. Errors:
// ErrNotFound.
func (s *Service) FactsByID(ctx context.Context, id string) (Facts, error) {
	var c certificateRow
	if err := s.db.Conn(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return Facts{}, notFound(err)
	}
	return facts(c), nil
}

func facts(c certificateRow) Facts {
	return Facts{
		ID: c.ID, Code: c.Code, HolderName: c.HolderName, Kind: c.Kind, Title: c.Title, MethodologyTitle: c.MethodologyTitle,
		Hours: c.Hours, IssuedAt: c.IssuedAt.UTC(), RevokedAt: utc(c.RevokedAt), RevocationReason: c.RevocationReason,
	}
}

// credentialURL is where the holder downloads the certificate as a
// verifiable credential (GET /api/v1/certificates/{code}/credential).
func (s *Service) credentialURL(code string) string {
	return s.publicURL + "/api/v1/certificates/" + code + "/credential"
}
