package assessment

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/catalogue"
	"mooc/internal/validation"
)

// UpdateQuestion replaces a question of a draft course's bank with in: its
// week, kind, text, points, explanation and options, under the rules
// AddQuestion applies. The options are new rows (a draft has no attempts
// that name the old ones). A question moved to another week may leave a
// weekly test short of questions; the publish check names that. Errors as
// AddQuestion, and ErrNotFound for a question not of the course.
func (s *Service) UpdateQuestion(ctx context.Context, caller accounts.Principal, courseID, questionID string, in NewQuestion) (Question, error) {
	c, in, err := s.draftQuestion(ctx, caller, courseID, in)
	if err != nil {
		return Question{}, err
	}
	if uuid.Validate(questionID) != nil {
		return Question{}, ErrNotFound
	}
	var out Question
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		found, err := s.store.questionsByID(ctx, []string{questionID})
		if err != nil {
			return err
		}
		row, ok := found[questionID]
		if !ok || row.CourseID != c.ID {
			return ErrNotFound
		}
		row.Week, row.Kind, row.Text, row.Explanation = in.Week, in.Kind, in.Text, strings.TrimSpace(in.Explanation)
		row.Points = 1
		if in.Points != nil {
			row.Points = *in.Points
		}
		conn := s.db.Conn(ctx)
		if err := conn.Model(&questionRow{}).Where("id = ?", row.ID).
			Updates(map[string]any{"week": row.Week, "kind": row.Kind, "text": row.Text, "points": row.Points, "explanation": row.Explanation}).Error; err != nil {
			return err
		}
		if err := conn.Where("question_id = ?", row.ID).Delete(&optionRow{}).Error; err != nil {
			return err
		}
		opts := make([]optionRow, len(in.Options))
		for i, o := range in.Options {
			opts[i] = optionRow{ID: uuid.NewString(), QuestionID: row.ID, Position: i + 1, Text: strings.TrimSpace(o.Text), Correct: o.Correct}
		}
		if err := s.store.create(ctx, &opts); err != nil {
			return err
		}
		out = toQuestion(row, opts)
		return nil
	})
	return out, err
}

// draftQuestion checks a question for a draft course's bank: its fields,
// the course the caller edits, and the rules of its kind.
func (s *Service) draftQuestion(ctx context.Context, caller accounts.Principal, courseID string, in NewQuestion) (catalogue.Course, NewQuestion, error) {
	in.Text = strings.TrimSpace(in.Text)
	if err := validation.Struct(in); err != nil {
		return catalogue.Course{}, in, err
	}
	c, err := s.courses.EditableDraft(ctx, caller, courseID)
	if err != nil {
		return catalogue.Course{}, in, err
	}
	if errs := checkQuestion(in, c.WeekCount()); len(errs) > 0 {
		return catalogue.Course{}, in, validation.Fail(errs...)
	}
	return c, in, nil
}
