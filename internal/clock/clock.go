// Package clock holds the one default every service's clock falls back
// to: services take a `Now func() time.Time` in their Deps so that tests
// can move time, and run on the real clock when none is given.
package clock

import "time"

// Or returns now, or time.Now when now is nil.
func Or(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}
