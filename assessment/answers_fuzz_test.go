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
// and options, each question once.
func FuzzReadAnswers(f *testing.F) {
	asked := []attemptQuestionRow{
		{Position: 1, QuestionID: "q1", OptionOrder: "a,b,c"},
		{Position: 2, QuestionID: "q2", OptionOrder: "d,e"},
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
		chosen, err := readAnswers(sub, asked)
		if err != nil {
			var verr *validation.Error
			if !errors.As(err, &verr) || len(verr.Fields) == 0 {
				t.Fatalf("error %v is not a validation error", err)
			}
			return
		}
		for q, ids := range chosen {
			var valid []string
			for _, a := range asked {
				if a.QuestionID == q {
					valid = strings.Split(a.OptionOrder, ",")
				}
			}
			if valid == nil {
				t.Fatalf("accepted question %q outside the attempt", q)
			}
			for i, id := range ids {
				if !slices.Contains(valid, id) || slices.Index(ids, id) != i {
					t.Fatalf("accepted option %q for %q (%v)", id, q, ids)
				}
			}
		}
	})
}
