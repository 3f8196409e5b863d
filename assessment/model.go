package assessment

import "time"

// Question kinds.
const (
	SingleChoice   = "single_choice"
	MultipleChoice = "multiple_choice"
	TrueFalse      = "true_false"
)

// Question is one item of a course's bank, as authors see it.
type Question struct {
	ID          string    `json:"id"`
	CourseID    string    `json:"course_id"`
	Week        *int      `json:"week,omitempty"`
	Kind        string    `json:"kind"`
	Text        string    `json:"text"`
	Points      int       `json:"points"`
	Explanation string    `json:"explanation,omitempty"`
	Options     []Option  `json:"options"`
	CreatedAt   time.Time `json:"created_at"`
}

// Option is an answer option with its correctness (authors only).
type Option struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Correct bool   `json:"correct"`
}

// NewQuestion is the body that adds a question to a bank.
type NewQuestion struct {
	Week        *int        `json:"week" validate:"omitempty,min=1"`
	Kind        string      `json:"kind" validate:"required,oneof=single_choice multiple_choice true_false"`
	Text        string      `json:"text" validate:"required,max=5000"`
	Options     []NewOption `json:"options" validate:"required,min=2,max=10,dive"`
	Points      *int        `json:"points" validate:"omitempty,min=1,max=100"`
	Explanation string      `json:"explanation" validate:"max=5000"`
}

// NewOption is one option of a new question.
type NewOption struct {
	Text    string `json:"text" validate:"required,max=1000"`
	Correct bool   `json:"correct"`
}

// Test is a knowledge test of a course.
type Test struct {
	ID               string    `json:"id"`
	CourseID         string    `json:"course_id"`
	Title            string    `json:"title"`
	Week             *int      `json:"week,omitempty"`
	Final            bool      `json:"final"`
	QuestionCount    int       `json:"question_count"`
	PassPercent      int       `json:"pass_percent"`
	TimeLimitMinutes int       `json:"time_limit_minutes"`
	MaxAttempts      int       `json:"max_attempts"`
	Shuffle          bool      `json:"shuffle"`
	CreatedAt        time.Time `json:"created_at"`
}

// NewTest is the body that creates a test. A weekly test names its week and
// draws from that week's questions; the final test draws from all.
type NewTest struct {
	Title            string `json:"title" validate:"required,max=300"`
	Week             *int   `json:"week" validate:"omitempty,min=1"`
	Final            bool   `json:"final"`
	QuestionCount    int    `json:"question_count" validate:"required,min=1,max=200"`
	PassPercent      *int   `json:"pass_percent" validate:"omitempty,min=1,max=100"`
	TimeLimitMinutes int    `json:"time_limit_minutes" validate:"required,min=1,max=600"`
	MaxAttempts      *int   `json:"max_attempts" validate:"omitempty,min=1,max=20"`
	Shuffle          *bool  `json:"shuffle"`
}

// StartedAttempt is what a learner receives when an attempt starts: the
// drawn questions and nothing that gives away the answers.
type StartedAttempt struct {
	ID          string          `json:"id"`
	TestID      string          `json:"test_id"`
	EnrolmentID string          `json:"enrolment_id"`
	Number      int             `json:"number"`
	StartedAt   time.Time       `json:"started_at"`
	ExpiresAt   time.Time       `json:"expires_at"`
	Questions   []AskedQuestion `json:"questions"`
}

// OpenAttempt names an attempt that is still open (not submitted, not
// expired), as the refusal to start another one carries it.
type OpenAttempt struct {
	ID          string    `json:"id"`
	TestID      string    `json:"test_id"`
	EnrolmentID string    `json:"enrolment_id"`
	Number      int       `json:"number"`
	StartedAt   time.Time `json:"started_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// AskedQuestion is a question as a learner sees it during an attempt.
type AskedQuestion struct {
	ID      string        `json:"id"`
	Kind    string        `json:"kind"`
	Text    string        `json:"text"`
	Points  int           `json:"points"`
	Options []AskedOption `json:"options"`
}

// AskedOption is an option without its correctness.
type AskedOption struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Submission is the learner's answers.
type Submission struct {
	Answers []Answer `json:"answers" validate:"dive"`
}

// Answer names the options chosen for one question.
type Answer struct {
	QuestionID string   `json:"question_id" validate:"required"`
	OptionIDs  []string `json:"option_ids"`
}

// Result is the grade of a submitted attempt.
type Result struct {
	Score       int       `json:"score"`
	MaxScore    int       `json:"max_score"`
	Percent     int       `json:"percent"`
	Passed      bool      `json:"passed"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// AttemptView is an attempt as its learner or the team reviews it. Once it
// is submitted it carries the result, the learner's choices and whether
// each question scored; the correct options and explanations appear for
// the team, and for the learner only once revealAnswers allows.
type AttemptView struct {
	ID          string           `json:"id"`
	TestID      string           `json:"test_id"`
	EnrolmentID string           `json:"enrolment_id"`
	Number      int              `json:"number"`
	StartedAt   time.Time        `json:"started_at"`
	ExpiresAt   time.Time        `json:"expires_at"`
	Result      *Result          `json:"result,omitempty"`
	Questions   []ReviewQuestion `json:"questions"`
}

// ReviewQuestion is a question of an attempt under review. Scored (the
// learner's answer earned the points) is shown once the attempt is
// submitted; Correct (the same, under its older name) and Explanation only
// with the answers.
type ReviewQuestion struct {
	ID          string         `json:"id"`
	Kind        string         `json:"kind"`
	Text        string         `json:"text"`
	Points      int            `json:"points"`
	Options     []ReviewOption `json:"options"`
	Chosen      []string       `json:"chosen_option_ids,omitempty"`
	Scored      *bool          `json:"scored,omitempty"`
	Correct     *bool          `json:"correct,omitempty"`
	Explanation string         `json:"explanation,omitempty"`
}

// ReviewOption is an option under review; Correct is shown only with the
// answers.
type ReviewOption struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Correct *bool  `json:"correct,omitempty"`
}

// TestStats is the authors' view of how a test went.
type TestStats struct {
	TestID            string          `json:"test_id"`
	AttemptsSubmitted int             `json:"attempts_submitted"`
	AttemptsPassed    int             `json:"attempts_passed"`
	PassRate          float64         `json:"pass_rate"`
	Questions         []QuestionStats `json:"questions"`
}

// QuestionStats shows how often a question was answered right, to spot
// unclear or wrong questions.
type QuestionStats struct {
	QuestionID  string  `json:"question_id"`
	Text        string  `json:"text"`
	Answered    int     `json:"answered"`
	Correct     int     `json:"correct"`
	CorrectRate float64 `json:"correct_rate"`
}
