package catalogue

import (
	"context"
	"errors"
	"time"

	"mooc/internal/database"
	"mooc/internal/page"
)

type methodologyRow struct {
	ID        string
	Title     string
	Summary   string
	Direction string
	CreatedAt time.Time
}

func (methodologyRow) TableName() string { return "methodologies" }

type courseRow struct {
	ID            string
	MethodologyID string
	OwnerID       string
	Title         string
	Summary       string
	Language      string
	Weeks         int
	EffortHours   int
	PassPercent   int
	Status        string
	CopiedFrom    *string
	PublishedAt   *time.Time
	ArchivedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (courseRow) TableName() string { return "courses" }

type lessonRow struct {
	ID        string
	CourseID  string
	Week      int
	Position  int
	Title     string
	Kind      string
	Minutes   int
	MediaID   *string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (lessonRow) TableName() string { return "lessons" }

type captionRow struct {
	LessonID string
	Language string
	MediaID  string
}

func (captionRow) TableName() string { return "lesson_captions" }

type store struct{ db *database.DB }

func notFound(err error, sentinel error) error {
	err = database.Translate(err)
	if errors.Is(err, database.ErrNotFound) {
		return sentinel
	}
	return err
}

func (s store) insertMethodology(ctx context.Context, m methodologyRow) error {
	return database.Translate(s.db.Conn(ctx).Create(&m).Error)
}

func (s store) methodology(ctx context.Context, id string) (methodologyRow, error) {
	var m methodologyRow
	return m, notFound(s.db.Conn(ctx).Where("id = ?", id).Take(&m).Error, ErrMethodologyAbsent)
}

func (s store) methodologies(ctx context.Context, p page.Request) ([]methodologyRow, error) {
	q := s.db.Conn(ctx).Order("title, id").Limit(p.Limit + 1)
	if len(p.After) == 2 {
		q = q.Where("title > ? OR (title = ? AND id > ?)", p.After[0], p.After[0], p.After[1])
	}
	var rows []methodologyRow
	return rows, database.Translate(q.Find(&rows).Error)
}

func (s store) insertCourse(ctx context.Context, c courseRow) error {
	return database.Translate(s.db.Conn(ctx).Create(&c).Error)
}

func (s store) course(ctx context.Context, id string) (courseRow, error) {
	var c courseRow
	return c, notFound(s.db.Conn(ctx).Where("id = ?", id).Take(&c).Error, ErrNotFound)
}

// lockCourse reads one course and locks its row on PostgreSQL until the
// transaction ends.
func (s store) lockCourse(ctx context.Context, id string) (courseRow, error) {
	var c courseRow
	return c, notFound(s.db.ForUpdate(ctx).Where("id = ?", id).Take(&c).Error, ErrNotFound)
}

// headers reads courses with their methodology's title, without outlines.
func (s store) headers(ctx context.Context, ids []string) ([]headerRow, error) {
	var rows []headerRow
	err := s.db.Conn(ctx).Table("courses").
		Select("courses.*, methodologies.title AS methodology_title").
		Joins("JOIN methodologies ON methodologies.id = courses.methodology_id").
		Where("courses.id IN ?", ids).Find(&rows).Error
	return rows, database.Translate(err)
}

type headerRow struct { // GORM scans exported fields only
	Course           courseRow `gorm:"embedded"`
	MethodologyTitle string
}

// lessonCounts counts the lessons of each course.
func (s store) lessonCounts(ctx context.Context, courseIDs []string) (map[string]int, error) {
	var rows []struct {
		CourseID string
		N        int
	}
	err := s.db.Conn(ctx).Model(&lessonRow{}).Select("course_id, COUNT(*) AS n").
		Where("course_id IN ?", courseIDs).Group("course_id").Scan(&rows).Error
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.CourseID] = r.N
	}
	return out, database.Translate(err)
}

// courseFilter narrows a course listing to what the caller may see.
type courseFilter struct {
	methodologyID string
	status        string
	// visibleTo: "" = everything (team); otherwise published courses plus
	// drafts owned by this user id ("-" = published only).
	visibleTo string
	// draftsOf: when set, every course but the drafts of others than this
	// user id, archived ones included (a methodology's run history).
	draftsOf string
}

func (s store) courses(ctx context.Context, f courseFilter, p page.Request) ([]courseRow, error) {
	q := s.db.Conn(ctx).Order("created_at DESC, id DESC").Limit(p.Limit + 1)
	if f.methodologyID != "" {
		q = q.Where("methodology_id = ?", f.methodologyID)
	}
	if f.status != "" {
		q = q.Where("status = ?", f.status)
	}
	if f.visibleTo != "" {
		q = q.Where("status = ? OR owner_id = ?", StatusPublished, f.visibleTo)
	}
	if f.draftsOf != "" {
		q = q.Where("status <> ? OR owner_id = ?", StatusDraft, f.draftsOf)
	}
	at, id, ok, err := page.AfterTime(p.After)
	if err != nil {
		return nil, err
	}
	if ok {
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", at, at, id)
	}
	var rows []courseRow
	return rows, database.Translate(q.Find(&rows).Error)
}

func (s store) publish(ctx context.Context, id string, at time.Time) error {
	return database.Translate(s.db.Conn(ctx).Model(&courseRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": StatusPublished, "published_at": at, "updated_at": at}).Error)
}

func (s store) touch(ctx context.Context, id string, at time.Time) error {
	return database.Translate(s.db.Conn(ctx).Model(&courseRow{}).Where("id = ?", id).Update("updated_at", at).Error)
}

// lessons of the given courses, in outline order.
func (s store) lessons(ctx context.Context, courseIDs ...string) ([]lessonRow, error) {
	var rows []lessonRow
	err := s.db.Conn(ctx).Where("course_id IN ?", courseIDs).Order("course_id, week, position").Find(&rows).Error
	return rows, database.Translate(err)
}

func (s store) lesson(ctx context.Context, id string) (lessonRow, error) {
	var l lessonRow
	return l, notFound(s.db.Conn(ctx).Where("id = ?", id).Take(&l).Error, ErrNotFound)
}

func (s store) captions(ctx context.Context, lessonIDs []string) (map[string][]Caption, error) {
	out := map[string][]Caption{}
	if len(lessonIDs) == 0 {
		return out, nil
	}
	var rows []captionRow
	if err := s.db.Conn(ctx).Where("lesson_id IN ?", lessonIDs).Order("language").Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	for _, r := range rows {
		out[r.LessonID] = append(out[r.LessonID], Caption{Language: r.Language, MediaID: r.MediaID})
	}
	return out, nil
}

func (s store) nextPosition(ctx context.Context, courseID string, week int) (int, error) {
	var max *int
	err := s.db.Conn(ctx).Model(&lessonRow{}).Where("course_id = ? AND week = ?", courseID, week).
		Select("MAX(position)").Scan(&max).Error
	if err != nil || max == nil {
		return 1, database.Translate(err)
	}
	return *max + 1, nil
}

func (s store) saveLesson(ctx context.Context, l lessonRow, captions *[]Caption) error {
	if err := s.db.Conn(ctx).Save(&l).Error; err != nil {
		return database.Translate(err)
	}
	if captions == nil {
		return nil
	}
	if err := s.db.Conn(ctx).Where("lesson_id = ?", l.ID).Delete(&captionRow{}).Error; err != nil {
		return database.Translate(err)
	}
	for _, c := range *captions {
		if err := s.db.Conn(ctx).Create(&captionRow{LessonID: l.ID, Language: c.Language, MediaID: c.MediaID}).Error; err != nil {
			return database.Translate(err)
		}
	}
	return nil
}

func (s store) deleteLesson(ctx context.Context, id string) error {
	return database.Translate(s.db.Conn(ctx).Where("id = ?", id).Delete(&lessonRow{}).Error)
}

func (s store) setPosition(ctx context.Context, lessonID string, position int) error {
	return database.Translate(s.db.Conn(ctx).Model(&lessonRow{}).Where("id = ?", lessonID).Update("position", position).Error)
}
