package credentials

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"

	"mooc/accounts"
	"mooc/certificates"
	"mooc/internal/clock"
	"mooc/internal/database"
)

// Certificates is what credentials need of the certificates domain.
type Certificates interface {
	Facts(ctx context.Context, caller accounts.Principal, code string) (certificates.Facts, error)
	FactsByID(ctx context.Context, id string) (certificates.Facts, error)
}

// Deps is what the service is built with; every field is required but Now.
type Deps struct {
	DB           *database.DB
	Certificates Certificates
	// PublicURL is the platform's base URL: of the status lists, and of
	// the did:web when it is https.
	PublicURL string
	// IssuerName names the issuing organisation in every credential.
	IssuerName string
	// Key is the issuer key (LoadKey).
	Key ed25519.PrivateKey
	Now func() time.Time // the clock; time.Now when nil
}

// Service is the credentials domain.
type Service struct {
	store      store
	certs      Certificates
	publicURL  string
	issuerName string
	did        string
	pub        ed25519.PublicKey
	signer     signer
	now        func() time.Time
}

// New builds the service.
func New(d Deps) *Service {
	pub, _ := d.Key.Public().(ed25519.PublicKey)
	did := issuerDID(d.PublicURL, pub)
	return &Service{
		store: store{d.DB}, certs: d.Certificates, publicURL: strings.TrimRight(d.PublicURL, "/"), issuerName: d.IssuerName,
		did: did, pub: pub, signer: signer{key: d.Key, keyID: did + "#" + publicKeyMultibase(pub)}, now: clock.Or(d.Now),
	}
}

// DID is the issuer's DID.
func (s *Service) DID() string { return s.did }

// DIDDocument is the issuer's DID document.
func (s *Service) DIDDocument() DIDDocument {
	vm := s.signer.keyID
	return DIDDocument{
		Context: []string{ContextDID, ContextMultikey}, ID: s.did,
		VerificationMethod: []VerificationMethod{{ID: vm, Type: "Multikey", Controller: s.did, PublicKeyMultibase: publicKeyMultibase(s.pub)}},
		AssertionMethod:    []string{vm}, Authentication: []string{vm},
	}
}

// slot is the certificate's place in the status lists, given it the first
// time. Certificates asking at once may each find the next slot taken by
// another; each round one of them gets it, so the rounds are bounded by
// how many ask together.
func (s *Service) slot(ctx context.Context, certificateID string) (int64, error) {
	for range 64 {
		slot, err := s.store.slotOf(ctx, certificateID)
		if !errors.Is(err, database.ErrNotFound) {
			return slot, err
		}
		if err := s.store.allocate(ctx, certificateID, s.now().UTC()); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("credentials: no status list slot for certificate %s after many tries", certificateID)
}

// listURL is the URL of status list n (counted from 1).
func (s *Service) listURL(n int64) string {
	return fmt.Sprintf("%s/credentials/status/%d", s.publicURL, n)
}
