package certificates

import "context"

// pdfKeyPrefix begins the object key of every certificate PDF.
const pdfKeyPrefix = "certificates/"

// KeyPrefix is where the certificates keep their PDFs in object storage
// (media.KeyOwner, for the orphan sweep).
func (s *Service) KeyPrefix() string { return pdfKeyPrefix }

// KnownKeys reports which of keys a certificate's row names: a PDF stored
// by a job whose replica died before recording it is not, and is swept.
func (s *Service) KnownKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	return s.store.knownPDFs(ctx, keys)
}
