package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/assessment"
	"mooc/catalogue"
)

// authorOptionSlots is how many option rows a question form offers;
// empty rows are left out.
const authorOptionSlots = 5

// authorQuestionsPage is a course's question bank, filtered by week, with
// the forms for a question and a test.
type authorQuestionsPage struct {
	Course    catalogue.Course
	Draft     bool
	Week      string // the filter: "" every question, "0" those of no week, else a week
	Questions []assessment.Question
	Sent      authorQuestionForm
	Edit      *assessment.Question // the question the form edits; nil: a new one
	Test      authorTestForm
}

// authorQuestionForm is what a question form sends, and shows.
type authorQuestionForm struct {
	Week, Kind, Text, Points, Explanation string
	Options                               []assessment.NewOption
}

// authorTestForm is what the test form sends.
type authorTestForm struct {
	Title, Week, Count, Pass, Minutes, Attempts string
	Final                                       bool
}

// Kinds are the question kinds, for the form.
func (authorQuestionsPage) Kinds() []string {
	return []string{assessment.SingleChoice, assessment.MultipleChoice, assessment.TrueFalse}
}

// Weeks are the course's week numbers, for the forms.
func (pg authorQuestionsPage) Weeks() []int {
	out := make([]int, pg.Course.WeekCount())
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func (p *pages) authorQuestions(c *fiber.Ctx, r *request) error {
	return p.authorQuestionsWith(c, r, fiber.StatusOK, "author_questions", c.Params("id"), c.Query("week"), nil, nil)
}

func (p *pages) authorQuestionsWith(c *fiber.Ctx, r *request, status int, view, courseID, week string, more func(*authorQuestionsPage), problem error) error {
	co, err := p.Catalogue.Editable(r.ctx, r.principal, courseID)
	if err != nil {
		return err
	}
	all, err := p.Assessment.Questions(r.ctx, r.principal, co.ID)
	if err != nil {
		return err
	}
	pg := authorQuestionsPage{Course: co, Draft: co.Status == catalogue.StatusDraft, Week: week,
		Sent: authorQuestionForm{Kind: assessment.SingleChoice, Points: "1", Options: make([]assessment.NewOption, authorOptionSlots)},
		Test: authorTestForm{Pass: strconv.Itoa(co.PassPercent), Attempts: "3"}}
	for _, q := range all {
		if week == "" || (week == "0" && q.Week == nil) || (q.Week != nil && strconv.Itoa(*q.Week) == week) {
			pg.Questions = append(pg.Questions, q)
		}
	}
	if more != nil {
		more(&pg)
	}
	title := r.loc.T("author.questions.title", co.Title)
	if pg.Edit != nil {
		title = r.loc.T("author.question.title")
	}
	return p.render(c, r, status, view, title, pg, problem)
}

func authorQuestionSent(c *fiber.Ctx) authorQuestionForm {
	f := authorQuestionForm{Week: c.FormValue("week"), Kind: c.FormValue("kind"), Text: c.FormValue("text"),
		Points: c.FormValue("points"), Explanation: c.FormValue("explanation")}
	for i := range authorOptionSlots {
		f.Options = append(f.Options, assessment.NewOption{Text: c.FormValue(fmt.Sprintf("option_%d", i)), Correct: c.FormValue(fmt.Sprintf("correct_%d", i)) == "yes"})
	}
	return f
}

// question is the form as the service takes it, or the fields that are
// not numbers.
func (f authorQuestionForm) question() (assessment.NewQuestion, []string) {
	in := assessment.NewQuestion{Kind: f.Kind, Text: f.Text, Explanation: f.Explanation}
	var bad []string
	if f.Week != "" && f.Week != "0" {
		in.Week, bad = authorNumber(f.Week, "week", bad)
	}
	in.Points, bad = authorNumber(f.Points, "points", bad)
	for _, o := range f.Options {
		if strings.TrimSpace(o.Text) != "" || o.Correct {
			in.Options = append(in.Options, o)
		}
	}
	return in, bad
}

func (p *pages) authorAddQuestion(c *fiber.Ctx, r *request) error {
	id, f := c.Params("id"), authorQuestionSent(c)
	in, bad := f.question()
	var err error
	if len(bad) > 0 {
		err = authorNotNumbers(bad)
	} else if _, err = p.Assessment.AddQuestion(r.ctx, r.principal, id, in); err == nil {
		return p.redirect(c, r, "/author/courses/"+id+"/questions?week="+f.Week, "flash.author_question_added")
	}
	return p.authorRefusal(err, func(status int) error {
		return p.authorQuestionsWith(c, r, status, "author_questions", id, f.Week, func(pg *authorQuestionsPage) { pg.Sent = f }, err)
	})
}

// authorQuestion is the form that edits one question.
func (p *pages) authorQuestion(c *fiber.Ctx, r *request) error {
	return p.authorQuestionsWith(c, r, fiber.StatusOK, "author_questions", c.Params("id"), "", func(pg *authorQuestionsPage) {
		pg.Edit = authorFind(pg.Questions, c.Params("question"))
		if pg.Edit != nil {
			pg.Sent = authorFormOf(*pg.Edit)
		}
	}, nil)
}

func authorFind(qs []assessment.Question, id string) *assessment.Question {
	for i := range qs {
		if qs[i].ID == id {
			return &qs[i]
		}
	}
	return nil
}

func authorFormOf(q assessment.Question) authorQuestionForm {
	f := authorQuestionForm{Kind: q.Kind, Text: q.Text, Points: strconv.Itoa(q.Points), Explanation: q.Explanation, Week: "0"}
	if q.Week != nil {
		f.Week = strconv.Itoa(*q.Week)
	}
	for _, o := range q.Options {
		f.Options = append(f.Options, assessment.NewOption{Text: o.Text, Correct: o.Correct})
	}
	for len(f.Options) < authorOptionSlots {
		f.Options = append(f.Options, assessment.NewOption{})
	}
	return f
}

func (p *pages) authorEditQuestion(c *fiber.Ctx, r *request) error {
	id, qid, f := c.Params("id"), c.Params("question"), authorQuestionSent(c)
	in, bad := f.question()
	var err error
	if len(bad) > 0 {
		err = authorNotNumbers(bad)
	} else if _, err = p.Assessment.UpdateQuestion(r.ctx, r.principal, id, qid, in); err == nil {
		return p.redirect(c, r, "/author/courses/"+id+"/questions#question-"+qid, "flash.author_question_saved")
	}
	return p.authorRefusal(err, func(status int) error {
		return p.authorQuestionsWith(c, r, status, "author_questions", id, "", func(pg *authorQuestionsPage) {
			pg.Edit, pg.Sent = authorFind(pg.Questions, qid), f
		}, err)
	})
}

func (p *pages) authorAddTest(c *fiber.Ctx, r *request) error {
	id := c.Params("id")
	f := authorTestForm{Title: c.FormValue("title"), Week: c.FormValue("week"), Count: c.FormValue("question_count"), Pass: c.FormValue("pass_percent"),
		Minutes: c.FormValue("time_limit_minutes"), Attempts: c.FormValue("max_attempts"), Final: c.FormValue("final") == "yes"}
	in := assessment.NewTest{Title: f.Title, Final: f.Final}
	var bad []string
	var count, minutes *int
	if !f.Final {
		in.Week, bad = authorNumber(f.Week, "week", bad)
	}
	count, bad = authorNumber(f.Count, "question_count", bad)
	in.PassPercent, bad = authorNumber(f.Pass, "pass_percent", bad)
	minutes, bad = authorNumber(f.Minutes, "time_limit_minutes", bad)
	in.MaxAttempts, bad = authorNumber(f.Attempts, "max_attempts", bad)
	if count != nil {
		in.QuestionCount = *count
	}
	if minutes != nil {
		in.TimeLimitMinutes = *minutes
	}
	var err error
	if len(bad) > 0 {
		err = authorNotNumbers(bad)
	} else if _, err = p.Assessment.CreateTest(r.ctx, r.principal, id, in); err == nil {
		return p.redirect(c, r, "/author/courses/"+id+"/questions#tests", "flash.author_test_added")
	}
	return p.authorRefusal(err, func(status int) error {
		return p.authorQuestionsWith(c, r, status, "author_questions", id, "", func(pg *authorQuestionsPage) { pg.Test = f }, err)
	})
}

// authorStatsPage is how a test went: the totals, and per question a table
// of how many chose each option with a bar chart of the shares.
type authorStatsPage struct {
	Course    catalogue.Course
	Test      catalogue.TestSummary
	Stats     assessment.TestStats
	Questions []authorQuestionChart
}

type authorQuestionChart struct {
	assessment.QuestionChoices
	CorrectRate float64
	Chart       template.HTML
}

func (p *pages) authorStats(c *fiber.Ctx, r *request) error {
	co, err := p.Catalogue.Editable(r.ctx, r.principal, c.Params("id"))
	if err != nil {
		return err
	}
	pg := authorStatsPage{Course: co}
	found := false
	for _, t := range co.Tests {
		if t.ID == c.Params("test") {
			pg.Test, found = t, true
		}
	}
	if !found {
		return catalogue.ErrNotFound
	}
	if pg.Stats, err = p.Assessment.Stats(r.ctx, r.principal, co.ID, pg.Test.ID); err != nil {
		return err
	}
	choices, err := p.Assessment.Choices(r.ctx, r.principal, co.ID, pg.Test.ID)
	if err != nil {
		return err
	}
	for i, q := range choices {
		pg.Questions = append(pg.Questions, authorQuestionChart{QuestionChoices: q, CorrectRate: pg.Stats.Questions[i].CorrectRate,
			Chart: authorBars(q.Options)})
	}
	return p.render(c, r, fiber.StatusOK, "author_stats", r.loc.T("author.stats.title", pg.Test.Title), pg, nil)
}

// Percent writes a share as a whole percentage.
func (authorStatsPage) Percent(share float64) int { return int(share*100 + 0.5) }

// authorBars draws the shares of a question's options as horizontal bars,
// an SVG the table beside it repeats in numbers (so the picture is
// hidden from screen readers). The correct options' bars are dark, the
// others light; the table says which is which in words.
func authorBars(opts []assessment.OptionChoice) template.HTML {
	const width, bar, gap = 300, 18, 6
	height := len(opts)*(bar+gap) + gap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bars" viewBox="0 0 %d %d" width="%d" height="%d" aria-hidden="true" focusable="false">`, width+50, height, width+50, height)
	for i, o := range opts {
		y := gap + i*(bar+gap)
		w := int(o.Share * width)
		class := "bar"
		if o.Correct {
			class = "bar correct"
		}
		fmt.Fprintf(&b, `<rect class="track" x="0" y="%d" width="%d" height="%d"></rect>`, y, width, bar)
		fmt.Fprintf(&b, `<rect class="%s" x="0" y="%d" width="%d" height="%d"></rect>`, class, y, w, bar)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%d %%</text>`, width+6, y+bar-4, int(o.Share*100+0.5))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and fixed markup only
}
