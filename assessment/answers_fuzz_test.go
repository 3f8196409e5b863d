package assessment

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"mooc/internal/validation"
)

// FuzzReadAnswers: whatever a learner sends, the answers are either
// refused as a validation error or name only the attempt's own questions
// and options, each question once, each option once.
func FuzzReadAnswers(f *testing.F) {
	sheet := []gradedQuestion{
		{position: 1, questionID: "q1", optionOrder: "a,b,c"},
		{position: 2, questionID: "q2", optionOrder: "d,e"},
	}
	for _, seed := range []string{
		`{"answers":[{"question_id":"q1","option_ids":["a"]},{"question_id":"q2","option_ids":["d","e"]}]}`,
		`{"answers":[{"question_id":"q1","option_ids":["d"]}]}`,
		`{"answers":[{"question_id":"q1"},{"question_id":"q1"}]}`,
		`{"answers":[{"question_id":"zz","option_ids":["a","a"]}]}`,
		`{"answers":null}`, `{}`, `[]`, `{"answers":[{"question_id":5}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var sub Submission
		if json.Unmarshal(body, &sub) != nil {
			return
		}
		asked := slices.Clone(sheet)
		err := readAnswers(sub, asked)
		if err != nil {
			var verr *validation.Error
			if !errors.As(err, &verr) || len(verr.Fields) == 0 {
				t.Fatalf("error %v is not a validation error", err)
			}
			return
		}
		answered := map[string]bool{}
		for _, a := range sub.Answers {
			answered[a.QuestionID] = true
		}
		n := 0
		for _, q := range asked {
			if q.answered {
				n++
			}
			if q.answered != answered[q.questionID] {
				t.Fatalf("question %q answered %v, the submission says %v", q.questionID, q.answered, answered[q.questionID])
			}
			if !q.answered {
				continue
			}
			valid := strings.Split(q.optionOrder, ",")
			var ids []string
			if q.chosen != "" {
				ids = strings.Split(q.chosen, ",")
			}
			if len(ids) != q.picked || !slices.IsSorted(ids) {
				t.Fatalf("chosen %q of %q is not %d sorted ids", q.chosen, q.questionID, q.picked)
			}
			for i, id := range ids {
				if !slices.Contains(valid, id) || slices.Index(ids, id) != i {
					t.Fatalf("accepted option %q for %q (%v)", id, q.questionID, ids)
				}
			}
		}
		if n != len(sub.Answers) {
			t.Fatalf("accepted %d answers for %d of the attempt's questions", len(sub.Answers), n)
		}
	})
}
