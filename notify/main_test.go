package notify

import (
	"testing"

	"mooc/internal/testenv"
)

// TestMain starts a throwaway PostgreSQL and MinIO for this test binary
// when MOOC_TEST_DATABASE_URL and MOOC_TEST_S3_* name none (make test
// provisions one pair for all packages).
func TestMain(m *testing.M) { testenv.Main(m) }
