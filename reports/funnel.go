package reports

import (
	"context"

	"github.com/google/uuid"

	"mooc/cohorts"
	"mooc/internal/database"
)

// Funnel is a cohort's way through its course: how many held a seat, how
// many completed every lesson of the first week, of the first two weeks,
// and so on, how many completed the course (every lesson and the final
// test passed: cohorts.Missing, the one definition of completion), and
// how many hold a valid certificate.
type Funnel struct {
	CohortID    string `json:"cohort_id"`
	CourseID    string `json:"course_id"`
	CourseTitle string `json:"course_title"`
	CohortTitle string `json:"cohort_title"`
	// Enrolled hold a seat now; Withdrawn held one and gave it up (they
	// are in no other figure).
	Enrolled  int `json:"enrolled"`
	Withdrawn int `json:"withdrawn"`
	// Weeks[i] is how many of the enrolled completed every lesson of
	// weeks 1 to i+1 (a week without lessons is done with the one
	// before it).
	Weeks []int `json:"weeks"`
	// FinalPassed passed the final test, whatever their lessons.
	FinalPassed int `json:"final_passed"`
	// Completed completed the course as the certificate rule has it.
	Completed int `json:"completed"`
	Certified int `json:"certified"`
	// DropOff[w] is how many of the enrolled stopped after completing w
	// weeks: DropOff[0] did not complete the first week, the last entry
	// completed every week but not the course (the final test). They add
	// up to Enrolled − Completed.
	DropOff []int `json:"drop_off"`
}

// funnelHeader is the cohort and its course.
type funnelHeader struct {
	CohortTitle, CourseID, CourseTitle string
	Weeks                              int
}

// funnelSeat is one enrolment that held a seat.
type funnelSeat struct {
	ID, Status             string
	FinalPassed, Certified int
}

// funnelProgress is an enrolment's completed lessons in one week.
type funnelProgress struct {
	EnrolmentID string
	Week, N     int
}

// CohortFunnel builds the funnel of a cohort in four queries, whatever
// its size. Errors: cohorts.ErrNotFound.
func (s *Service) CohortFunnel(ctx context.Context, cohortID string) (Funnel, error) {
	out := Funnel{CohortID: cohortID, Weeks: []int{}, DropOff: []int{}}
	if uuid.Validate(cohortID) != nil {
		return out, cohorts.ErrNotFound
	}
	conn := s.db.Conn(ctx)
	var head []funnelHeader
	if err := conn.Raw(`SELECT h.title AS cohort_title, c.id AS course_id, c.title AS course_title, c.weeks
		FROM cohorts h JOIN courses c ON c.id = h.course_id WHERE h.id = ?`, cohortID).Scan(&head).Error; err != nil {
		return out, database.Translate(err)
	}
	if len(head) == 0 {
		return out, cohorts.ErrNotFound
	}
	h := head[0]
	out.CohortTitle, out.CourseID, out.CourseTitle = h.CohortTitle, h.CourseID, h.CourseTitle

	var perWeek []struct{ Week, N int }
	if err := conn.Raw(`SELECT week, COUNT(*) AS n FROM lessons WHERE course_id = ? GROUP BY week`, h.CourseID).Scan(&perWeek).Error; err != nil {
		return out, database.Translate(err)
	}
	weeks := h.Weeks
	for _, w := range perWeek {
		weeks = max(weeks, w.Week)
	}
	lessons := make([]int, weeks+1) // lessons[w]: lessons of week w
	total := 0
	for _, w := range perWeek {
		if w.Week >= 1 {
			lessons[w.Week] += w.N
		}
		total += w.N
	}

	var seats []funnelSeat
	if err := conn.Raw(`SELECT e.id, e.status,
			CASE WHEN EXISTS (SELECT 1 FROM attempts a JOIN tests t ON t.id = a.test_id
				WHERE a.enrolment_id = e.id AND t.final = ? AND a.passed = ? AND a.submitted_at IS NOT NULL) THEN 1 ELSE 0 END AS final_passed,
			CASE WHEN EXISTS (SELECT 1 FROM certificates cert
				WHERE cert.source_kind = 'enrolment' AND cert.source_id = e.id AND cert.revoked_at IS NULL) THEN 1 ELSE 0 END AS certified
		FROM enrolments e WHERE e.cohort_id = ? AND e.status IN (?, ?)`, true, true, cohortID, cohorts.Enrolled, cohorts.Withdrawn).Scan(&seats).Error; err != nil {
		return out, database.Translate(err)
	}
	var progress []funnelProgress
	if err := conn.Raw(`SELECT lp.enrolment_id, l.week, COUNT(*) AS n
		FROM lesson_progress lp JOIN enrolments e ON e.id = lp.enrolment_id JOIN lessons l ON l.id = lp.lesson_id
		WHERE e.cohort_id = ? AND e.status = ? AND lp.completed = ? AND l.course_id = e.course_id
		GROUP BY lp.enrolment_id, l.week`, cohortID, cohorts.Enrolled, true).Scan(&progress).Error; err != nil {
		return out, database.Translate(err)
	}
	done := map[string]*lessonsDone{}
	for _, p := range progress {
		d := done[p.EnrolmentID]
		if d == nil {
			d = &lessonsDone{byWeek: make([]int, weeks+1)}
			done[p.EnrolmentID] = d
		}
		d.all += p.N
		if p.Week >= 1 && p.Week <= weeks {
			d.byWeek[p.Week] += p.N
		}
	}
	tallyFunnel(&out, seats, done, lessons, total)
	return out, nil
}

// lessonsDone are an enrolment's completed lessons, by week and in all.
type lessonsDone struct {
	byWeek []int
	all    int
}

// tallyFunnel counts the steps from each seat's lessons done per week.
func tallyFunnel(out *Funnel, seats []funnelSeat, done map[string]*lessonsDone, lessons []int, total int) {
	weeks := len(lessons) - 1
	out.Weeks = make([]int, weeks)
	out.DropOff = make([]int, weeks+1)
	for _, s := range seats {
		if s.Status != cohorts.Enrolled {
			out.Withdrawn++
			continue
		}
		out.Enrolled++
		d := done[s.ID]
		if d == nil {
			d = &lessonsDone{byWeek: make([]int, weeks+1)}
		}
		reached := 0 // weeks completed in a row from the first
		for w := 1; w <= weeks; w++ {
			if reached == w-1 && d.byWeek[w] >= lessons[w] {
				reached = w
			}
		}
		for w := range reached {
			out.Weeks[w]++
		}
		st := cohorts.Standing{Status: s.Status, LessonsCompleted: d.all, LessonsTotal: total, FinalPassed: s.FinalPassed == 1}
		if len(cohorts.Missing(st)) == 0 {
			out.Completed++
		} else {
			out.DropOff[reached]++
		}
		if s.FinalPassed == 1 {
			out.FinalPassed++
		}
		if s.Certified == 1 {
			out.Certified++
		}
	}
}
