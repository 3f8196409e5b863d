package idempotency_test

import (
	"testing"

	"mooc/internal/testenv"
)

// TestMain starts a throwaway PostgreSQL for this test binary when
// MOOC_TEST_DATABASE_URL names none.
func TestMain(m *testing.M) { testenv.Main(m) }
