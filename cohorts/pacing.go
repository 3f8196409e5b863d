package cohorts

import "time"

// week is the length of a course week.
const week = 7 * 24 * time.Hour

// WeekOpens is the pacing rule: week n of a cohort that starts at
// startsAt unlocks at startsAt + (n−1) weeks, for its lessons and its
// tests alike; a cohort of w weeks ends when week w+1 would open.
func WeekOpens(startsAt time.Time, n int) time.Time {
	return startsAt.Add(time.Duration(n-1) * week)
}

// EndsAt is when a cohort of weeks weeks that starts at startsAt ends.
func EndsAt(startsAt time.Time, weeks int) time.Time { return WeekOpens(startsAt, weeks+1) }
