package mentoring

import (
	"time"

	"mooc/internal/lv"
)

// Fits is the allocation rule of mentoring: whether a mentor can support
// individual participants one to one and group participants in their
// group within one programme. A mentor supports at most four
// participants: at most two individually (1:1+1:1), or a group of at
// most three plus at most one individually (1:3+1:1). Two individual
// participants leave no room for a group, since the documents name only
// those two shapes.
func Fits(individual, group int) bool {
	switch {
	case individual < 0 || group < 0:
		return false
	case group == 0:
		return individual <= 2
	default:
		return group <= 3 && individual <= 1
	}
}

// monthOf is the calendar month in Riga that t falls in, as the first of
// that month at midnight UTC, so that months step without time zones.
func monthOf(t time.Time) time.Time {
	y, m, _ := t.In(lv.Riga).Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// months lists the calendar months in Riga from the one of from to the one
// of to, both included, with the minutes of each (by month key YYYY-MM),
// and flags those short of MonthlyMinutes.
func months(from, to time.Time, minutes map[string]int) []Month {
	out := []Month{}
	for m, last := monthOf(from), monthOf(to); !m.After(last); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		out = append(out, Month{Month: key, Minutes: minutes[key], Short: minutes[key] < MonthlyMinutes})
	}
	return out
}
