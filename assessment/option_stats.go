package assessment

import (
	"context"
	"strings"

	"mooc/accounts"
	"mooc/internal/database"
)

// QuestionChoices is how the learners who answered a question of a test
// chose among its options: for each option, how many chose it.
type QuestionChoices struct {
	QuestionID string         `json:"question_id"`
	Text       string         `json:"text"`
	Answered   int            `json:"answered"`
	Options    []OptionChoice `json:"options"`
}

// OptionChoice is one option with the number of submitted answers that
// chose it; Share is that number over the answers to the question.
type OptionChoice struct {
	ID      string  `json:"id"`
	Text    string  `json:"text"`
	Correct bool    `json:"correct"`
	Chosen  int     `json:"chosen"`
	Share   float64 `json:"share"`
}

// Choices is Stats per option: for each question asked in a submitted
// attempt of the test, the share of its answers that chose each option,
// in the order Stats lists the questions. Errors as Stats.
func (s *Service) Choices(ctx context.Context, caller accounts.Principal, courseID, testID string) ([]QuestionChoices, error) {
	st, err := s.Stats(ctx, caller, courseID, testID)
	if err != nil {
		return nil, err
	}
	var rows []struct{ QuestionID, Chosen string }
	if err := s.db.Conn(ctx).Raw(`SELECT aq.question_id AS question_id, aq.chosen AS chosen
		FROM attempt_questions aq JOIN attempts a ON a.id = aq.attempt_id
		WHERE a.test_id = ? AND a.submitted_at IS NOT NULL`, testID).Scan(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	counts := map[string]int{}
	for _, r := range rows {
		for id := range strings.SplitSeq(r.Chosen, ",") {
			if id != "" {
				counts[r.QuestionID+" "+id]++
			}
		}
	}
	ids := make([]string, len(st.Questions))
	for i, q := range st.Questions {
		ids[i] = q.QuestionID
	}
	opts, err := s.store.options(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]QuestionChoices, len(st.Questions))
	for i, q := range st.Questions {
		qc := QuestionChoices{QuestionID: q.QuestionID, Text: q.Text, Answered: q.Answered, Options: []OptionChoice{}}
		for _, o := range opts[q.QuestionID] {
			n := counts[q.QuestionID+" "+o.ID]
			oc := OptionChoice{ID: o.ID, Text: o.Text, Correct: o.Correct, Chosen: n}
			if q.Answered > 0 {
				oc.Share = float64(n) / float64(q.Answered)
			}
			qc.Options = append(qc.Options, oc)
		}
		out[i] = qc
	}
	return out, nil
}
