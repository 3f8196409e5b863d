package catalogue

import "time"

// Directions of a methodology.
const (
	DirectionTheory      = "theory"       // applying a social-work theory
	DirectionTargetGroup = "target_group" // tools for a client group
	DirectionCrisis      = "crisis"       // crisis management and community work
)

// Course statuses. A draft becomes published, and a published course
// archived once its cohorts have ended; none goes back.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusArchived  = "archived"
)

// Lesson kinds.
const (
	KindVideo              = "video"
	KindReading            = "reading"
	KindInterview          = "interview"
	KindCaseStory          = "case_story"
	KindClientConversation = "client_conversation"
)

// Methodology is a method the programme developed and piloted; each yields
// an online course and an in-person programme.
type Methodology struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	Direction string    `json:"direction"`
	CreatedAt time.Time `json:"created_at"`
}

// NewMethodology is the body that creates one.
type NewMethodology struct {
	Title     string `json:"title" validate:"required,max=300"`
	Summary   string `json:"summary" validate:"max=5000"`
	Direction string `json:"direction" validate:"required,oneof=theory target_group crisis"`
}

// Course is an online course with its outline.
type Course struct {
	ID            string        `json:"id"`
	MethodologyID string        `json:"methodology_id"`
	OwnerID       string        `json:"owner_id"`
	Title         string        `json:"title"`
	Summary       string        `json:"summary"`
	Language      string        `json:"language"`
	EffortHours   int           `json:"effort_hours"`
	PassPercent   int           `json:"pass_percent"`
	Status        string        `json:"status"`
	CopiedFrom    *string       `json:"copied_from"` // the course this is the next edition of; null when not a copy
	PublishedAt   *time.Time    `json:"published_at,omitempty"`
	ArchivedAt    *time.Time    `json:"archived_at,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	Weeks         []Week        `json:"weeks"`
	Tests         []TestSummary `json:"tests"`
}

// WeekCount is how many weeks the course runs.
func (c Course) WeekCount() int { return len(c.Weeks) }

// Lessons lists every lesson in course order.
func (c Course) Lessons() []Lesson {
	var out []Lesson
	for _, w := range c.Weeks {
		out = append(out, w.Lessons...)
	}
	return out
}

// Week is one week of a course's outline.
type Week struct {
	Number  int      `json:"number"`
	Lessons []Lesson `json:"lessons"`
}

// NewCourse is the body that creates a course; absent numbers take the
// programme's defaults (5 weeks, 12 hours, 70 % to pass).
type NewCourse struct {
	MethodologyID string `json:"methodology_id" validate:"required"`
	Title         string `json:"title" validate:"required,max=300"`
	Summary       string `json:"summary" validate:"max=10000"`
	Language      string `json:"language" validate:"omitempty,oneof=lv en"`
	Weeks         *int   `json:"weeks" validate:"omitempty,min=1,max=12"`
	EffortHours   *int   `json:"effort_hours" validate:"omitempty,min=1,max=200"`
	PassPercent   *int   `json:"pass_percent" validate:"omitempty,min=1,max=100"`
}

// Lesson is one piece of a week's work.
type Lesson struct {
	ID       string    `json:"id"`
	CourseID string    `json:"course_id"`
	Week     int       `json:"week"`
	Position int       `json:"position"`
	Title    string    `json:"title"`
	Kind     string    `json:"kind"`
	Minutes  int       `json:"minutes"`
	MediaID  *string   `json:"media_id,omitempty"`
	Body     string    `json:"body,omitempty"`
	Captions []Caption `json:"captions"`
}

// Caption attaches a WebVTT file in one language to a lesson.
type Caption struct {
	Language string `json:"language" validate:"required,min=2,max=8"`
	MediaID  string `json:"media_id" validate:"required"`
}

// NewLesson is the body that adds a lesson to a week.
type NewLesson struct {
	Week     int       `json:"week" validate:"required,min=1"`
	Title    string    `json:"title" validate:"required,max=300"`
	Kind     string    `json:"kind" validate:"required,oneof=video reading interview case_story client_conversation"`
	Minutes  int       `json:"minutes" validate:"required,min=1,max=600"`
	MediaID  *string   `json:"media_id"`
	Body     string    `json:"body" validate:"max=200000"`
	Captions []Caption `json:"captions" validate:"omitempty,max=10,dive"`
}

// LessonChange is a partial update; absent fields stay. An empty media_id
// detaches the media. Of a lesson of a published course only title, body,
// media_id and captions may differ from what the lesson has.
type LessonChange struct {
	Week     *int       `json:"week" validate:"omitempty,min=1"`
	Title    *string    `json:"title" validate:"omitempty,min=1,max=300"`
	Kind     *string    `json:"kind" validate:"omitempty,oneof=video reading interview case_story client_conversation"`
	Minutes  *int       `json:"minutes" validate:"omitempty,min=1,max=600"`
	MediaID  *string    `json:"media_id"`
	Body     *string    `json:"body" validate:"omitempty,max=200000"`
	Captions *[]Caption `json:"captions" validate:"omitempty,max=10,dive"`
}

// TestSummary is how a knowledge test appears in a course outline and in
// the publish check. The assessment domain provides them.
type TestSummary struct {
	ID               string `json:"id"`
	Title            string `json:"title"`
	Week             *int   `json:"week,omitempty"`
	Final            bool   `json:"final"`
	QuestionCount    int    `json:"question_count"`
	PassPercent      int    `json:"pass_percent"`
	TimeLimitMinutes int    `json:"time_limit_minutes"`
	MaxAttempts      int    `json:"max_attempts"`
	// Problem, when set, is why this test keeps the course from publishing
	// (e.g. its question bank is too small).
	Problem string `json:"-"`
}

// Edition is one course of a methodology in its run history: which course
// it was copied from, where it stands, and its cohorts, latest start first.
type Edition struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	OwnerID     string     `json:"owner_id"`
	Status      string     `json:"status"`
	CopiedFrom  *string    `json:"copied_from"`
	CreatedAt   time.Time  `json:"created_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	ArchivedAt  *time.Time `json:"archived_at,omitempty"`
	Cohorts     []Run      `json:"cohorts"`
}

// Run is one cohort of a course, as the run history shows it (the cohorts
// domain's, read through the CohortReader).
type Run struct {
	ID            string    `json:"id"`
	Title         string    `json:"title"`
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
	Capacity      int       `json:"capacity"`
	EnrolledCount int       `json:"enrolled_count"`
	WaitlistCount int       `json:"waitlist_count"`
}

// Change is one correction of a published course as its history keeps
// it: who changed which field of which lesson when, from what to what.
// Old and New are the field's JSON values: a string for title and body
// (whole, both versions), the file's id or null for media_id, the list of
// captions for captions.
type Change struct {
	ID        string    `json:"id"`
	CourseID  string    `json:"course_id"`
	LessonID  string    `json:"lesson_id"`
	ActorID   string    `json:"actor_id"`
	Field     string    `json:"field"`
	Old       any       `json:"old"`
	New       any       `json:"new"`
	ChangedAt time.Time `json:"changed_at"`
}
