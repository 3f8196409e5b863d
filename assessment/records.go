package assessment

import (
	"context"
	"fmt"

	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/internal/database"
)

// Records is the read side of assessment that other domains consult:
// which tests a course has (for its outline and the publish check) and
// how learners stand in them (for progress and certificates). It needs
// nothing but the database, so the catalogue and the cohorts can be built
// with it before the Service, which needs them.
type Records struct{ store store }

// NewRecords builds the records.
func NewRecords(db *database.DB) *Records { return &Records{store: newStore(db)} }

// ForCourses lists the tests of courses for their outlines and the publish
// check (catalogue.TestCatalogue).
func (r *Records) ForCourses(ctx context.Context, courseIDs []string) (map[string][]catalogue.TestSummary, error) {
	rows, err := r.store.testsOf(ctx, courseIDs)
	if err != nil {
		return nil, err
	}
	out := map[string][]catalogue.TestSummary{}
	if len(rows) == 0 {
		return out, nil
	}
	banks, err := r.store.bankSizes(ctx, courseIDs)
	if err != nil {
		return nil, err
	}
	for _, t := range rows {
		sum := catalogue.TestSummary{ID: t.ID, Title: t.Title, Week: t.Week, Final: t.Final, QuestionCount: t.QuestionCount,
			PassPercent: t.PassPercent, TimeLimitMinutes: t.TimeLimitMinutes, MaxAttempts: t.MaxAttempts}
		bank := banks[t.CourseID].of(t.Week)
		if bank < t.QuestionCount {
			sum.Problem = fmt.Sprintf("test %q asks for %d questions but its bank holds %d", t.Title, t.QuestionCount, bank)
		}
		out[t.CourseID] = append(out[t.CourseID], sum)
	}
	return out, nil
}

// Results tells, per enrolment, how many tests are passed and whether the
// final one is (cohorts.TestResults). The best attempt counts.
func (r *Records) Results(ctx context.Context, enrolmentIDs []string) (map[string]cohorts.TestResult, error) {
	out := map[string]cohorts.TestResult{}
	if len(enrolmentIDs) == 0 {
		return out, nil
	}
	passed, err := r.store.passedTests(ctx, enrolmentIDs)
	if err != nil {
		return nil, err
	}
	testIDs := map[string]bool{}
	for _, p := range passed {
		testIDs[p.TestID] = true
	}
	finals := map[string]bool{}
	for id := range testIDs {
		t, err := r.store.test(ctx, id)
		if err != nil {
			return nil, err
		}
		finals[id] = t.Final
	}
	for _, p := range passed {
		r := out[p.EnrolmentID]
		r.Passed++
		r.FinalPassed = r.FinalPassed || finals[p.TestID]
		out[p.EnrolmentID] = r
	}
	return out, nil
}
