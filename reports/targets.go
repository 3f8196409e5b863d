package reports

import (
	"context"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"mooc/internal/lv"
	"mooc/internal/page"
	"mooc/internal/validation"
)

// The kinds of training a target counts.
const (
	KindOnline   = "online"    // online courses: every lesson and the final test
	KindInPerson = "in_person" // in-person programmes: enough attended hours
)

// TargetFields is what the team sets of a target (PUT replaces all of it).
type TargetFields struct {
	Title  string   `json:"title"`
	People int      `json:"people"`
	By     string   `json:"by"`    // a date, YYYY-MM-DD
	Kinds  []string `json:"kinds"` // online, in_person or both
}

// TargetProgress is a target and how far the programme is towards it.
//
// Achieved counts distinct people (a person once however many courses and
// programmes) who completed training of the target's kinds in a cohort or
// programme that ended before the end of the day By in Riga time, by the
// completions report's own statements: it equals that report's
// people_completed for the period ending then. Certificates do not enter:
// completion is the lessons and final test, or the attended hours.
// Percent is Achieved*100/People rounded down, so 100 means the target is
// met; it goes past 100 when the target is exceeded.
type TargetProgress struct {
	Key      string   `json:"key"`
	Title    string   `json:"title"`
	People   int      `json:"people"`
	By       string   `json:"by"`
	Kinds    []string `json:"kinds"`
	Achieved int      `json:"achieved"`
	Percent  int      `json:"percent"`
}

var slug = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// checkKey: a target's key is a slug of lowercase letters, digits and
// hyphens, 1 to 64 of them.
func checkKey(key string) []validation.FieldError {
	if !slug.MatchString(key) {
		return []validation.FieldError{validation.Field("key", "must be 1 to 64 lowercase letters, digits and hyphens")}
	}
	return nil
}

// checkTitle: a title is required and at most 300 characters.
func checkTitle(title string) []validation.FieldError {
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return []validation.FieldError{validation.Field("title", "is required")}
	case n > 300:
		return []validation.FieldError{validation.Field("title", "must be at most 300 characters")}
	}
	return nil
}

// checkPeople: a target is at least one person and at most a million
// (more than the country's social workers many times over).
func checkPeople(people int) []validation.FieldError {
	switch {
	case people < 1:
		return []validation.FieldError{validation.Field("people", "must be at least 1")}
	case people > 1_000_000:
		return []validation.FieldError{validation.Field("people", "must be at most 1000000")}
	}
	return nil
}

// checkBy: by is a calendar date.
func checkBy(by string) (time.Time, []validation.FieldError) {
	d, err := time.Parse(time.DateOnly, by)
	if err != nil {
		return time.Time{}, []validation.FieldError{validation.Field("by", "must be a date such as 2027-12-31")}
	}
	return d, nil
}

// checkKinds: kinds is a non-empty set of online and in_person.
func checkKinds(kinds []string) []validation.FieldError {
	if len(kinds) == 0 {
		return []validation.FieldError{validation.Field("kinds", "must name online, in_person or both")}
	}
	for _, k := range kinds {
		if k != KindOnline && k != KindInPerson {
			return []validation.FieldError{validation.Field("kinds", "may hold only online and in_person")}
		}
	}
	return nil
}

// cutoffOf is the end of a date in Riga time: a cohort or programme must
// end before it to count towards a target of that date.
func cutoffOf(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, lv.Riga).UTC()
}

// SetTarget creates or replaces the target key (team). Errors:
// *validation.Error naming key, title, people, by or kinds.
func (s *Service) SetTarget(ctx context.Context, key string, f TargetFields) (TargetProgress, error) {
	var bad []validation.FieldError
	bad = append(bad, checkKey(key)...)
	bad = append(bad, checkTitle(f.Title)...)
	bad = append(bad, checkPeople(f.People)...)
	by, badBy := checkBy(f.By)
	bad = append(bad, badBy...)
	bad = append(bad, checkKinds(f.Kinds)...)
	if len(bad) > 0 {
		return TargetProgress{}, validation.Fail(bad...)
	}
	now := s.now().UTC()
	row := targetRow{Key: key, Title: f.Title, People: f.People, By: by.Format(time.DateOnly), Cutoff: cutoffOf(by),
		Online: slices.Contains(f.Kinds, KindOnline), InPerson: slices.Contains(f.Kinds, KindInPerson), CreatedAt: now, UpdatedAt: now}
	var out TargetProgress
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.targets.upsert(ctx, row); err != nil {
			return err
		}
		got, err := s.progress(ctx, []targetRow{row})
		if err == nil {
			out = got[0]
		}
		return err
	})
	return out, err
}

// Targets lists the targets by date, then key, with their progress, in
// two queries whatever the number of targets and learners. Errors:
// page.ErrBadCursor.
func (s *Service) Targets(ctx context.Context, limit int, cursor string) ([]TargetProgress, string, error) {
	after, err := page.Decode(cursor, 2)
	if err != nil {
		return nil, "", err
	}
	p := page.Request{Limit: limit, After: after}.Clamp()
	rows, err := s.targets.list(ctx, p.Limit+1, p.After)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Trim(rows, p.Limit, func(r targetRow) []string { return []string{r.By, r.Key} })
	out, err := s.progress(ctx, rows)
	return out, next, err
}

// progress counts each target's achieved people in one query.
func (s *Service) progress(ctx context.Context, rows []targetRow) ([]TargetProgress, error) {
	out := make([]TargetProgress, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	achieved, err := s.targets.achieved(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		out[i] = r.progress(achieved[r.Key])
	}
	return out, nil
}

// progress is the row as the API gives it.
func (r targetRow) progress(achieved int) TargetProgress {
	t := TargetProgress{Key: r.Key, Title: r.Title, People: r.People, By: r.By, Kinds: []string{}, Achieved: achieved}
	if r.Online {
		t.Kinds = append(t.Kinds, KindOnline)
	}
	if r.InPerson {
		t.Kinds = append(t.Kinds, KindInPerson)
	}
	t.Percent = percentOf(achieved, r.People)
	return t
}

// percentOf is the share of a target achieved, rounded down.
func percentOf(achieved, people int) int {
	if people <= 0 {
		return 0
	}
	return achieved * 100 / people
}

// figureTarget chooses the target the People figure of a period ending
// at to (exclusive; zero when open; its last day is a UTC date, as the
// report's periods are) is held against: of the targets that
// count both kinds, as the figure does, the one of the earliest date on
// or after the period's last day; with the period open, the one of the
// latest date. nil when none fits.
func figureTarget(rows []targetRow, to time.Time) *Target {
	var pick *targetRow
	last := ""
	if !to.IsZero() {
		last = to.Add(-time.Nanosecond).UTC().Format(time.DateOnly)
	}
	for i := range rows {
		r := &rows[i]
		if !r.Online || !r.InPerson || r.By < last {
			continue
		}
		if pick == nil || (last != "" && r.By < pick.By) || (last == "" && r.By > pick.By) {
			pick = r
		}
	}
	if pick == nil {
		return nil
	}
	due := pick.Cutoff
	return &Target{Key: pick.Key, Title: pick.Title, People: pick.People, Due: &due}
}
