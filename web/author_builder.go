package web

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/catalogue"
	"mooc/internal/page"
	"mooc/internal/validation"
	"mooc/media"
)

// authorBuilderPage is a course as its author builds it: the weeks with
// their lessons in order, a form per lesson, the files to attach, and
// after a refused publish every gap linked to where it is fixed.
type authorBuilderPage struct {
	Course    catalogue.Course
	Draft     bool // every field of a lesson may change
	Running   bool // published: corrections only
	Minutes   int  // the lessons' and tests' planned minutes
	Videos    []media.Media
	Documents []media.Media
	Captions  []media.Media
	Uploaded  *media.Media
	Gaps      []authorGap
	FileError string // why the file sent was refused, worded for the reader
	// Lesson is the lesson whose form was refused ("" the new lesson's),
	// with what it was sent with.
	Lesson string
	Sent   authorLessonForm
}

// authorGap is one gap of the publish check, linked to where it is fixed.
type authorGap struct {
	Text, Detail, Href string
}

// authorLessonForm is what a lesson form sends.
type authorLessonForm struct {
	Week, Title, Kind, Minutes, Body, MediaID, CaptionLV, CaptionEN string
}

// authorCaptionLanguages are the languages a lesson's form offers captions in.
var authorCaptionLanguages = []string{"lv", "en"}

func (p *pages) authorBuilder(c *fiber.Ctx, r *request) error {
	return p.authorBuilderWith(c, r, fiber.StatusOK, c.Params("id"), func(pg *authorBuilderPage) {
		if id := c.Query("media"); id != "" {
			if m, err := p.Media.Get(r.ctx, r.principal, id); err == nil {
				pg.Uploaded = &m
			}
		}
	}, nil)
}

// authorBuilderWith renders the builder of a course, adjusted by more.
func (p *pages) authorBuilderWith(c *fiber.Ctx, r *request, status int, courseID string, more func(*authorBuilderPage), problem error) error {
	co, err := p.Catalogue.Editable(r.ctx, r.principal, courseID)
	if err != nil {
		return err
	}
	pg := authorBuilderPage{Course: co, Draft: co.Status == catalogue.StatusDraft, Running: co.Status == catalogue.StatusPublished}
	for _, l := range co.Lessons() {
		pg.Minutes += l.Minutes
	}
	for _, t := range co.Tests {
		pg.Minutes += t.TimeLimitMinutes
	}
	files, _, err := p.Media.List(r.ctx, r.principal, page.MaxLimit, "")
	if err != nil {
		return err
	}
	for _, m := range files {
		switch {
		case m.ContentType == "text/vtt":
			pg.Captions = append(pg.Captions, m)
		case m.IsVideo() || strings.HasPrefix(m.ContentType, "audio/"):
			pg.Videos = append(pg.Videos, m)
		default:
			pg.Documents = append(pg.Documents, m)
		}
	}
	if more != nil {
		more(&pg)
	}
	return p.render(c, r, status, "author_builder", co.Title, pg, problem)
}

// CaptionFor is the captions file of a lesson in a language, for its form.
func (authorBuilderPage) CaptionFor(l catalogue.Lesson, lang string) string {
	for _, cp := range l.Captions {
		if cp.Language == lang {
			return cp.MediaID
		}
	}
	return ""
}

// MediaOf is the id of a lesson's file, "" for none.
func (authorBuilderPage) MediaOf(l catalogue.Lesson) string {
	if l.MediaID == nil {
		return ""
	}
	return *l.MediaID
}

// Kinds are the lesson kinds, for the forms.
func (authorBuilderPage) Kinds() []string {
	return []string{catalogue.KindVideo, catalogue.KindReading, catalogue.KindInterview, catalogue.KindCaseStory, catalogue.KindClientConversation}
}

// CaptionLanguages are the languages a lesson takes captions in.
func (authorBuilderPage) CaptionLanguages() []string { return authorCaptionLanguages }

func (p *pages) authorLessonSent(c *fiber.Ctx) authorLessonForm {
	return authorLessonForm{Week: c.FormValue("week"), Title: c.FormValue("title"), Kind: c.FormValue("kind"), Minutes: c.FormValue("minutes"),
		Body: c.FormValue("body"), MediaID: c.FormValue("media_id"), CaptionLV: c.FormValue("caption_lv"), CaptionEN: c.FormValue("caption_en")}
}

func (f authorLessonForm) captions() []catalogue.Caption {
	out := []catalogue.Caption{}
	for lang, id := range map[string]string{"lv": f.CaptionLV, "en": f.CaptionEN} {
		if id != "" {
			out = append(out, catalogue.Caption{Language: lang, MediaID: id})
		}
	}
	slices.SortFunc(out, func(a, b catalogue.Caption) int { return strings.Compare(a.Language, b.Language) })
	return out
}

func (p *pages) authorAddLesson(c *fiber.Ctx, r *request) error {
	id, f := c.Params("id"), p.authorLessonSent(c)
	week, bad := authorNumber(f.Week, "week", nil)
	minutes, bad := authorNumber(f.Minutes, "minutes", bad)
	in := catalogue.NewLesson{Title: f.Title, Kind: f.Kind, Body: f.Body, Captions: f.captions()}
	if week != nil {
		in.Week = *week
	}
	if minutes != nil {
		in.Minutes = *minutes
	}
	if f.MediaID != "" {
		in.MediaID = &f.MediaID
	}
	var err error
	if len(bad) > 0 {
		err = authorNotNumbers(bad)
	} else {
		var l catalogue.Lesson
		if l, err = p.Catalogue.AddLesson(r.ctx, r.principal, id, in); err == nil {
			return p.redirect(c, r, "/author/courses/"+id+"#lesson-"+l.ID, "flash.author_lesson_added")
		}
	}
	return p.authorRefusal(err, func(status int) error {
		return p.authorBuilderWith(c, r, status, id, func(pg *authorBuilderPage) { pg.Sent = f }, authorFieldsOf(err, ""))
	})
}

func (p *pages) authorEditLesson(c *fiber.Ctx, r *request) error {
	lessonID, courseID, f := c.Params("id"), c.FormValue("course"), p.authorLessonSent(c)
	co, err := p.Catalogue.Editable(r.ctx, r.principal, courseID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(co.Lessons(), func(l catalogue.Lesson) bool { return l.ID == lessonID }) {
		return catalogue.ErrNotFound
	}
	ch := catalogue.LessonChange{Title: &f.Title, Body: &f.Body, MediaID: &f.MediaID}
	captions := f.captions()
	ch.Captions = &captions
	var bad []string
	if co.Status == catalogue.StatusDraft { // a running course keeps its week, kind and minutes: the form has none
		ch.Kind = &f.Kind
		ch.Minutes, bad = authorNumber(f.Minutes, "minutes", bad)
	}
	if len(bad) > 0 {
		err = authorNotNumbers(bad)
	} else if _, err = p.Catalogue.UpdateLesson(r.ctx, r.principal, lessonID, ch); err == nil {
		return p.redirect(c, r, "/author/courses/"+co.ID+"#lesson-"+lessonID, "flash.author_lesson_saved")
	}
	return p.authorRefusal(err, func(status int) error {
		return p.authorBuilderWith(c, r, status, co.ID, func(pg *authorBuilderPage) { pg.Lesson, pg.Sent = lessonID, f }, authorFieldsOf(err, lessonID))
	})
}

func (p *pages) authorDeleteLesson(c *fiber.Ctx, r *request) error {
	courseID := c.FormValue("course")
	if err := p.Catalogue.DeleteLesson(r.ctx, r.principal, c.Params("id")); err != nil {
		return p.authorRefusal(err, func(status int) error { return p.authorBuilderWith(c, r, status, courseID, nil, err) })
	}
	return p.redirect(c, r, "/author/courses/"+courseID, "flash.author_lesson_deleted")
}

// authorReorder moves a lesson one place up or down in its week (a form
// per button, for the keyboard and without a script), or sets the whole
// week's order (lesson_ids, comma-separated, from author.js's drag and
// drop, which then gets 204 or the problem's code).
func (p *pages) authorReorder(c *fiber.Ctx, r *request) error {
	id := c.Params("id")
	week, err := strconv.Atoi(c.Params("week"))
	if err != nil {
		return catalogue.ErrNotFound
	}
	scripted := c.FormValue("lesson_ids") != ""
	var order []string
	if scripted {
		order = strings.Split(c.FormValue("lesson_ids"), ",")
	} else {
		co, err := p.Catalogue.Editable(r.ctx, r.principal, id)
		if err != nil {
			return err
		}
		if week < 1 || week > co.WeekCount() {
			return catalogue.ErrNotFound
		}
		order = authorMoved(co.Weeks[week-1].Lessons, c.FormValue("lesson"), c.FormValue("move"))
	}
	_, err = p.Catalogue.ReorderWeek(r.ctx, r.principal, id, week, order)
	if scripted {
		if err != nil {
			status, code := statusOf(err)
			if status >= 500 {
				return err
			}
			return c.Status(status).JSON(fiber.Map{"code": code})
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
	if err != nil {
		return p.authorRefusal(err, func(status int) error { return p.authorBuilderWith(c, r, status, id, nil, err) })
	}
	return p.redirect(c, r, "/author/courses/"+id+"#lesson-"+c.FormValue("lesson"), "flash.author_moved")
}

// authorMoved is a week's lesson ids with one moved a place up or down.
func authorMoved(lessons []catalogue.Lesson, lessonID, move string) []string {
	ids := make([]string, len(lessons))
	at := -1
	for i, l := range lessons {
		ids[i] = l.ID
		if l.ID == lessonID {
			at = i
		}
	}
	switch {
	case at < 0:
	case move == "up" && at > 0:
		ids[at-1], ids[at] = ids[at], ids[at-1]
	case move == "down" && at < len(ids)-1:
		ids[at+1], ids[at] = ids[at], ids[at+1]
	}
	return ids
}

func (p *pages) authorPublish(c *fiber.Ctx, r *request) error {
	id := c.Params("id")
	_, err := p.Catalogue.Publish(r.ctx, r.principal, id)
	var gaps *catalogue.IncompleteError
	switch {
	case errors.As(err, &gaps):
		return p.authorBuilderWith(c, r, fiber.StatusUnprocessableEntity, id, func(pg *authorBuilderPage) {
			pg.Gaps = p.authorGaps(r, pg.Course, gaps.Gaps)
		}, err)
	case err != nil:
		return p.authorRefusal(err, func(status int) error { return p.authorBuilderWith(c, r, status, id, nil, err) })
	}
	return p.redirect(c, r, "/author/courses/"+id, "flash.author_published")
}

// authorGaps words the publish check's gaps, each linked to the place
// that fixes it: a week, a lesson's form or its file field, the tests.
func (p *pages) authorGaps(r *request, co catalogue.Course, gaps []validation.FieldError) []authorGap {
	titles := map[string]string{}
	for _, l := range co.Lessons() {
		titles[l.ID] = l.Title
	}
	tests := map[string]string{}
	for _, t := range co.Tests {
		tests[t.ID] = t.Title
	}
	questions := "/author/courses/" + co.ID + "/questions"
	out := make([]authorGap, 0, len(gaps))
	for _, g := range gaps {
		gap := authorGap{Detail: g.Message}
		var n int
		switch f := g.Field; {
		case strings.HasPrefix(f, "weeks["):
			_, _ = fmt.Sscanf(f, "weeks[%d]", &n)
			gap.Text, gap.Href = r.loc.T("author.gap.week", n+1), fmt.Sprintf("#week-%d", n+1)
		case strings.HasPrefix(f, "lessons."):
			lessonID, field, _ := strings.Cut(strings.TrimPrefix(f, "lessons."), ".")
			gap.Text, gap.Href = r.loc.T("author.gap.lesson", titles[lessonID]), "#lesson-"+lessonID
			if field != "" {
				gap.Href = "#f-" + lessonID + "-" + field
			}
		case strings.HasPrefix(f, "tests."):
			testID := strings.TrimPrefix(f, "tests.")
			gap.Text, gap.Href = r.loc.T("author.gap.test", tests[testID]), questions+"#test-"+testID
		case f == "tests":
			gap.Text, gap.Href = r.loc.T("author.gap.final"), questions+"#tests"
		case f == "effort_hours":
			gap.Text, gap.Href = r.loc.T("author.gap.effort", co.EffortHours), "#effort"
		default:
			gap.Text, gap.Href = g.Field, "#weeks"
		}
		out = append(out, gap)
	}
	return out
}

// authorFieldsOf names a lesson form's fields after its lesson, so that
// the error summary links to the form that was sent ("" the new one).
func authorFieldsOf(err error, lessonID string) error {
	var verr *validation.Error
	if lessonID == "" || !errors.As(err, &verr) {
		return err
	}
	out := make([]validation.FieldError, len(verr.Fields))
	for i, f := range verr.Fields {
		out[i] = validation.Field(lessonID+"-"+f.Field, f.Message)
	}
	return validation.Fail(out...)
}

// authorNotNumbers refuses form fields that are not whole numbers.
func authorNotNumbers(names []string) error {
	fields := make([]validation.FieldError, len(names))
	for i, n := range names {
		fields[i] = validation.Field(n, "must be a whole number")
	}
	return validation.Fail(fields...)
}

// authorHistoryPage is the corrections of a running course.
type authorHistoryPage struct {
	Course  catalogue.Course
	Changes []catalogue.Change
	Titles  map[string]string
}

func (p *pages) authorHistory(c *fiber.Ctx, r *request) error {
	co, err := p.Catalogue.Editable(r.ctx, r.principal, c.Params("id"))
	if err != nil {
		return err
	}
	changes, _, err := p.Catalogue.History(r.ctx, r.principal, co.ID, page.MaxLimit, "")
	if err != nil {
		return err
	}
	pg := authorHistoryPage{Course: co, Changes: changes, Titles: map[string]string{}}
	for _, l := range co.Lessons() {
		pg.Titles[l.ID] = l.Title
	}
	return p.render(c, r, fiber.StatusOK, "author_history", r.loc.T("author.history.title", co.Title), pg, nil)
}

// Value writes a change's old or new value for reading: text as it is,
// a file by its id, captions by language, nothing as a dash.
func (authorHistoryPage) Value(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case []any:
		var parts []string
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				parts = append(parts, fmt.Sprintf("%v: %v", m["language"], m["media_id"]))
			}
		}
		if len(parts) == 0 {
			return "—"
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// NewLesson is the new lesson's form as it was sent (empty at first).
func (pg authorBuilderPage) NewLesson() catalogue.Lesson {
	l := catalogue.Lesson{Title: pg.Sent.Title, Kind: pg.Sent.Kind, Body: pg.Sent.Body}
	l.Minutes, _ = strconv.Atoi(pg.Sent.Minutes)
	if pg.Sent.MediaID != "" {
		l.MediaID = &pg.Sent.MediaID
	}
	for lang, id := range map[string]string{"lv": pg.Sent.CaptionLV, "en": pg.Sent.CaptionEN} {
		if id != "" {
			l.Captions = append(l.Captions, catalogue.Caption{Language: lang, MediaID: id})
		}
	}
	return l
}
