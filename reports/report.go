package reports

import (
	"context"
	"sort"
	"time"

	"mooc/internal/clock"
	"mooc/internal/database"
)

// Row is one line of the completions report.
type Row struct {
	Kind           string `json:"kind"` // course or programme
	CourseID       string `json:"course_id,omitempty"`
	CourseTitle    string `json:"course_title,omitempty"`
	CohortID       string `json:"cohort_id,omitempty"`
	CohortTitle    string `json:"cohort_title,omitempty"`
	ProgrammeID    string `json:"programme_id,omitempty"`
	ProgrammeTitle string `json:"programme_title,omitempty"`
	Municipality   string `json:"municipality"`
	// Region is the planning region of the participants' municipality, on
	// every row alike, so course and programme rows add up by region;
	// VenueRegion is where an in-person programme was held.
	Region      string `json:"region"`
	VenueRegion string `json:"venue_region,omitempty"`
	Enrolled    int    `json:"enrolled"`
	Completed   int    `json:"completed"`
	Certified   int    `json:"certified"`
}

// Completions is the report for one period. From and To are absent (null)
// when the period is open on that side; Period says it in words.
type Completions struct {
	From   *time.Time `json:"from"`
	To     *time.Time `json:"to"`
	Period string     `json:"period"`
	Rows   []Row      `json:"rows"`
	Totals struct {
		Enrolled  int `json:"enrolled"`
		Completed int `json:"completed"`
		Certified int `json:"certified"`
	} `json:"totals"`
	// PeopleCompleted counts distinct people who completed any online
	// course or in-person programme in the period: the funders' figure.
	PeopleCompleted int `json:"people_completed"`
}

// Service builds reports and keeps the funders' targets.
type Service struct {
	db      *database.DB
	targets targetStore
	now     func() time.Time
}

// New builds the service; its clock is time.Now until Clock sets another.
func New(db *database.DB) *Service { return &Service{db: db, targets: targetStore{db}, now: time.Now} }

// Clock sets the clock that dates the targets' changes; nil keeps time.Now.
func (s *Service) Clock(now func() time.Time) *Service {
	s.now = clock.Or(now)
	return s
}

// onlineCompletion marks, per enrolment holding a seat in a cohort that
// ended in the period, whether every lesson is done and the final test is
// passed (cohorts.Missing in SQL: a test holds the two together), and
// whether a valid certificate was issued.
const onlineCompletion = `
WITH done AS (
    SELECT enrolment_id, COUNT(*) AS n FROM lesson_progress WHERE completed = ? GROUP BY enrolment_id
), total AS (
    SELECT course_id, COUNT(*) AS n FROM lessons GROUP BY course_id
), passed AS (
    SELECT DISTINCT a.enrolment_id FROM attempts a JOIN tests t ON t.id = a.test_id
    WHERE t.final = ? AND a.passed = ? AND a.submitted_at IS NOT NULL
), online AS (
    SELECT e.id, e.user_id, e.course_id, e.cohort_id, u.municipality,
        CASE WHEN COALESCE(d.n, 0) >= COALESCE(tt.n, 0) AND p.enrolment_id IS NOT NULL THEN 1 ELSE 0 END AS completed,
        CASE WHEN cert.id IS NOT NULL THEN 1 ELSE 0 END AS certified
    FROM enrolments e
    JOIN cohorts h ON h.id = e.cohort_id
    JOIN users u ON u.id = e.user_id
    LEFT JOIN done d ON d.enrolment_id = e.id
    LEFT JOIN total tt ON tt.course_id = e.course_id
    LEFT JOIN passed p ON p.enrolment_id = e.id
    LEFT JOIN certificates cert ON cert.source_kind = 'enrolment' AND cert.source_id = e.id AND cert.revoked_at IS NULL
    WHERE e.status = 'enrolled' AND h.ends_at >= ? AND h.ends_at < ?
)`

// programmeCompletion does the same for accepted participants of in-person
// programmes that ended in the period.
const programmeCompletion = `
WITH inperson AS (
    SELECT a.id, a.user_id, a.programme_id, a.municipality,
        CASE WHEN a.attended_hours * 100 >= p.hours * p.completion_percent THEN 1 ELSE 0 END AS completed,
        CASE WHEN cert.id IS NOT NULL THEN 1 ELSE 0 END AS certified
    FROM applications a
    JOIN programmes p ON p.id = a.programme_id
    LEFT JOIN certificates cert ON cert.source_kind = 'programme_participant' AND cert.source_id = a.id AND cert.revoked_at IS NULL
    WHERE a.status = 'accepted' AND p.ends_at >= ? AND p.ends_at < ?
)`

// Query is one statement of a report with its arguments; its
// placeholders are ?.
type Query struct {
	SQL  string
	Args []any
}

// CompletionQueries are the statements the completions report of [from,
// to) runs, in order: the online rows, the in-person rows, and the count of
// distinct people. They are exported so that a benchmark can time the bare
// SQL against the whole request.
func CompletionQueries(from, to time.Time) (online, inPerson, people Query) {
	onlineArgs := []any{true, true, true, from.UTC(), to.UTC()}
	programmeArgs := []any{from.UTC(), to.UTC()}
	online = Query{onlineCompletion + `
		SELECT 'course' AS kind, c.id AS course_id, c.title AS course_title, h.id AS cohort_id, h.title AS cohort_title,
			o.municipality AS municipality, COUNT(*) AS enrolled, SUM(o.completed) AS completed, SUM(o.certified) AS certified
		FROM online o JOIN courses c ON c.id = o.course_id JOIN cohorts h ON h.id = o.cohort_id
		GROUP BY c.id, c.title, h.id, h.title, o.municipality`, onlineArgs}
	inPerson = Query{programmeCompletion + `
		SELECT 'programme' AS kind, p.id AS programme_id, p.title AS programme_title, p.region AS venue_region,
			i.municipality AS municipality, COUNT(*) AS enrolled, SUM(i.completed) AS completed, SUM(i.certified) AS certified
		FROM inperson i JOIN programmes p ON p.id = i.programme_id
		GROUP BY p.id, p.title, p.region, i.municipality`, programmeArgs}
	people = Query{onlineCompletion + `, ` + programmeCompletion[len("\nWITH "):] + `
		SELECT COUNT(DISTINCT user_id) FROM (
			SELECT user_id FROM online WHERE completed = 1
			UNION
			SELECT user_id FROM inperson WHERE completed = 1
		) people`, append(onlineArgs, programmeArgs...)}
	return online, inPerson, people
}

// Completions builds the report of [from, to) in three queries; a zero
// from or to leaves the period open on that side.
func (s *Service) Completions(ctx context.Context, from, to time.Time) (Completions, error) {
	out := Completions{Rows: []Row{}, Period: period(from, to)}
	out.From, out.To, from, to = bounds(from, to)
	conn := s.db.Conn(ctx)
	onlineQ, inPersonQ, peopleQ := CompletionQueries(from, to)
	var online []Row
	if err := conn.Raw(onlineQ.SQL, onlineQ.Args...).Scan(&online).Error; err != nil {
		return out, database.Translate(err)
	}
	var inPerson []Row
	if err := conn.Raw(inPersonQ.SQL, inPersonQ.Args...).Scan(&inPerson).Error; err != nil {
		return out, database.Translate(err)
	}
	var people int
	if err := conn.Raw(peopleQ.SQL, peopleQ.Args...).Scan(&people).Error; err != nil {
		return out, database.Translate(err)
	}

	for i := range online {
		online[i].Region = regionOf(online[i].Municipality)
	}
	for i := range inPerson {
		inPerson[i].Region = regionOf(inPerson[i].Municipality)
	}
	out.Rows = append(append(out.Rows, online...), inPerson...)
	sort.SliceStable(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.CourseTitle+a.ProgrammeTitle != b.CourseTitle+b.ProgrammeTitle {
			return a.CourseTitle+a.ProgrammeTitle < b.CourseTitle+b.ProgrammeTitle
		}
		if a.CohortTitle != b.CohortTitle {
			return a.CohortTitle < b.CohortTitle
		}
		return a.Municipality < b.Municipality
	})
	for _, r := range out.Rows {
		out.Totals.Enrolled += r.Enrolled
		out.Totals.Completed += r.Completed
		out.Totals.Certified += r.Certified
	}
	out.PeopleCompleted = people
	return out, nil
}

// bounds are a period's ends as a report states them (nil for an open
// side) and as its queries take them (an open side far away).
func bounds(from, to time.Time) (stateFrom, stateTo *time.Time, queryFrom, queryTo time.Time) {
	if !from.IsZero() {
		f := from.UTC()
		stateFrom = &f
	}
	if !to.IsZero() {
		t := to.UTC()
		stateTo = &t
	}
	if from.IsZero() {
		from = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if to.IsZero() {
		to = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	return stateFrom, stateTo, from, to
}

// period says in words which cohorts and programmes the report covers,
// by when they end, for a reader who gave no bounds or one.
func period(from, to time.Time) string {
	switch {
	case from.IsZero() && to.IsZero():
		return "all time"
	case from.IsZero():
		return "ending before " + to.UTC().Format(time.RFC3339)
	case to.IsZero():
		return "ending from " + from.UTC().Format(time.RFC3339)
	}
	return "ending from " + from.UTC().Format(time.RFC3339) + " and before " + to.UTC().Format(time.RFC3339)
}
