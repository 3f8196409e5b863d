package media

import "time"

// SetClock lets the tests of package media_test, which need the database
// helpers that package media itself cannot import, move the service's time.
func SetClock(s *Service, now func() time.Time) { s.now = now }

var PartSizeFor = partSizeFor
