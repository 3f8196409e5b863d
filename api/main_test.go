package api_test

import (
	"fmt"
	"testing"

	"mooc/internal/testenv"
)

// TestMain starts a throwaway PostgreSQL and MinIO for this test binary
// when MOOC_TEST_DATABASE_URL and MOOC_TEST_S3_* name none (make test
// provisions one pair for all packages).
func TestMain(m *testing.M) { testenv.Main(reporting{m}) }

// reporting says, after the tests, how many replies were held against the
// OpenAPI document (shown with go test -v).
type reporting struct{ m *testing.M }

func (r reporting) Run() int {
	code := r.m.Run()
	fmt.Printf("openapi: %d replies checked against /openapi.json\n", checkedReplies.Load())
	return code
}
