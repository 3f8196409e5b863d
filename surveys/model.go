package surveys

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"mooc/internal/validation"
)

// Question kinds.
const (
	Scale = "scale" // a whole number 1..5
	Text  = "text"  // up to MaxText characters
)

// MinResponses is how many responses results need before they show more
// than their count.
const MinResponses = 5

// MaxText is the longest text answer, in characters.
const MaxText = 2000

// Question is one question of a survey.
type Question struct {
	ID   string `json:"id" validate:"required,max=50"`
	Kind string `json:"kind" validate:"required,oneof=scale text"`
	Text string `json:"text" validate:"required,max=1000"`
}

// Definition is the body that sets a survey's questions.
type Definition struct {
	Questions []Question `json:"questions" validate:"required,min=1,max=50,dive"`
}

// Survey is a course's or programme's survey.
type Survey struct {
	CourseID    string     `json:"course_id,omitempty"`
	ProgrammeID string     `json:"programme_id,omitempty"`
	Questions   []Question `json:"questions"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Answer is the answer to one question: a whole number 1..5 for a scale
// question, a text for a text question.
type Answer struct {
	QuestionID string `json:"question_id" validate:"required"`
	Value      any    `json:"value" validate:"required"`
}

// Answers is a learner's or participant's response.
type Answers struct {
	Answers []Answer `json:"answers" validate:"required,min=1,max=50,dive"`
}

// Receipt is the reply to a response.
type Receipt struct {
	Answered bool `json:"answered"`
}

// Results sum up a survey's responses, none tied to a person; with fewer
// than MinResponses responses only Responses is given.
type Results struct {
	Responses int              `json:"responses"`
	Questions []QuestionResult `json:"questions,omitempty"`
}

// QuestionResult is one question's answers: the mean and the count of
// each value 1..5 for a scale question, the texts in alphabetical order
// (not in the order given) for a text question.
type QuestionResult struct {
	ID      string         `json:"id"`
	Text    string         `json:"text"`
	Mean    *float64       `json:"mean,omitempty"`
	Counts  map[string]int `json:"counts,omitempty"`
	Answers []string       `json:"answers,omitempty"`
}

var (
	ErrNotFound        = errors.New("surveys: not found")
	ErrAnswered        = errors.New("surveys: the survey has responses")
	ErrAlreadyAnswered = errors.New("surveys: already answered")
	ErrNotCompleted    = errors.New("surveys: the course or programme is not completed")
)

// checkQuestions is the rule for a survey's questions: the tags, and every
// id once.
func checkQuestions(d Definition) error {
	if err := validation.Struct(d); err != nil {
		return err
	}
	seen := map[string]bool{}
	var bad []validation.FieldError
	for i, q := range d.Questions {
		if seen[q.ID] {
			bad = append(bad, validation.Field(fmt.Sprintf("questions[%d].id", i), "is used by an earlier question"))
		}
		seen[q.ID] = true
	}
	if len(bad) > 0 {
		return validation.Fail(bad...)
	}
	return nil
}

// checkAnswers is the rule for a response: every answer to a question of
// the survey, once, a scale value a whole number 1..5, a text answer
// 1..MaxText characters. It returns the answers as stored.
func checkAnswers(questions []Question, in Answers) ([]answerRow, error) {
	if err := validation.Struct(in); err != nil {
		return nil, err
	}
	kinds := map[string]string{}
	for _, q := range questions {
		kinds[q.ID] = q.Kind
	}
	seen := map[string]bool{}
	var bad []validation.FieldError
	var rows []answerRow
	for i, a := range in.Answers {
		kind, ok := kinds[a.QuestionID]
		switch {
		case !ok:
			bad = append(bad, validation.Field(fmt.Sprintf("answers[%d].question_id", i), "is not a question of this survey"))
			continue
		case seen[a.QuestionID]:
			bad = append(bad, validation.Field(fmt.Sprintf("answers[%d].question_id", i), "is answered by an earlier answer"))
			continue
		}
		seen[a.QuestionID] = true
		field := fmt.Sprintf("answers[%d].value", i)
		row := answerRow{QuestionID: a.QuestionID}
		switch kind {
		case Scale:
			n, ok := a.Value.(float64)
			if !ok || n != math.Trunc(n) || n < 1 || n > 5 {
				bad = append(bad, validation.Field(field, "must be a whole number from 1 to 5"))
				continue
			}
			v := int(n)
			row.Scale = &v
		case Text:
			s, ok := a.Value.(string)
			if !ok || s == "" || utf8.RuneCountInString(s) > MaxText {
				bad = append(bad, validation.Field(field, "must be a text of 1 to "+strconv.Itoa(MaxText)+" characters"))
				continue
			}
			row.Text = &s
		}
		rows = append(rows, row)
	}
	if len(bad) > 0 {
		return nil, validation.Fail(bad...)
	}
	return rows, nil
}

// suppressed is the rule that results of fewer than MinResponses
// responses give only their count.
func suppressed(responses int) bool { return responses < MinResponses }
