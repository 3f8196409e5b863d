package surveys

import (
	"context"
)

// Summary is one survey's line in the team's report: how many were asked
// (invited, or answered without waiting for the invitation), how many
// responded, and the mean of each scale question; with fewer than
// MinResponses responses the means are left out.
type Summary struct {
	SurveyID    string
	CourseID    string // set for a course's survey
	ProgrammeID string // set for a programme's survey
	Title       string
	Asked       int
	Responses   int
	// Rate is Responses as a whole percent of Asked, at most 100 (a
	// closed account takes its markers, not its response, so Asked may
	// fall below Responses); nil when no one was asked yet.
	Rate  *int
	Means []QuestionMean
}

// QuestionMean is a scale question's mean answer.
type QuestionMean struct {
	ID, Text string
	Mean     *float64 // nil when no response answered it
}

// Suppressed reports whether the summary gives counts alone.
func (s Summary) Suppressed() bool { return suppressed(s.Responses) }

// Overview sums up every survey for the team's report: courses first,
// then programmes, each by title.
func (s *Service) Overview(ctx context.Context) ([]Summary, error) {
	rows, err := s.store.summaries(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(rows))
	for _, r := range rows {
		sum := Summary{SurveyID: r.ID, CourseID: r.CourseID, ProgrammeID: r.ProgrammeID, Title: r.Title, Asked: r.Asked, Responses: r.Responses}
		if r.Asked > 0 {
			rate := min(100, r.Responses*100/r.Asked)
			sum.Rate = &rate
		}
		if !sum.Suppressed() {
			column, owner := byCourse, r.CourseID
			if r.ProgrammeID != "" {
				column, owner = byProgramme, r.ProgrammeID
			}
			res, err := s.results(ctx, column, owner, "")
			if err != nil {
				return nil, err
			}
			for _, q := range res.Questions {
				if q.Counts != nil {
					sum.Means = append(sum.Means, QuestionMean{ID: q.ID, Text: q.Text, Mean: q.Mean})
				}
			}
		}
		out = append(out, sum)
	}
	return out, nil
}
