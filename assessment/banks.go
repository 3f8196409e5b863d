package assessment

import (
	"context"

	"github.com/google/uuid"

	"mooc/internal/database"
)

// Banks copies a course's question bank and tests into the next edition
// of the course, and removes them with a deleted draft
// (catalogue.TestBanks). Like Records it needs nothing but the database,
// so the catalogue can be built with it; its statements join the
// transaction the catalogue opened, so a copy or a deletion is one commit
// across both domains.
type Banks struct {
	db    *database.DB
	store store
}

// NewBanks builds the banks.
func NewBanks(db *database.DB) *Banks { return &Banks{db: db, store: newStore(db)} }

// copyBatch bounds the rows of one INSERT, well under the bound parameters
// either database takes in one statement.
const copyBatch = 500

// CopyBank copies every question of one course, with its options, and
// every test into another course, all with new ids, so that a change to
// one course's bank never reaches the other's. Each keeps its creation
// time, so the copy lists them in the original's order. Attempts and
// their statistics stay with the original. A fixed number of statements,
// whatever the size of the bank.
func (b *Banks) CopyBank(ctx context.Context, fromCourseID, toCourseID string) error {
	return b.db.InTx(ctx, func(ctx context.Context) error {
		questions, err := b.store.questions(ctx, fromCourseID, nil)
		if err != nil {
			return err
		}
		ids := make([]string, len(questions))
		for i, q := range questions {
			ids[i] = q.ID
		}
		options, err := b.store.options(ctx, ids)
		if err != nil {
			return err
		}
		tests, err := b.store.testsOf(ctx, []string{fromCourseID})
		if err != nil {
			return err
		}
		var newOptions []optionRow
		for i, q := range questions {
			id := uuid.NewString()
			for _, o := range options[q.ID] {
				o.ID, o.QuestionID = uuid.NewString(), id
				newOptions = append(newOptions, o)
			}
			questions[i].ID, questions[i].CourseID = id, toCourseID
		}
		for i := range tests {
			tests[i].ID, tests[i].CourseID = uuid.NewString(), toCourseID
		}
		return b.insert(ctx, questions, newOptions, tests)
	})
}

func (b *Banks) insert(ctx context.Context, questions []questionRow, options []optionRow, tests []testRow) error {
	conn := b.db.Conn(ctx)
	if len(questions) > 0 {
		if err := conn.CreateInBatches(&questions, copyBatch).Error; err != nil {
			return database.Translate(err)
		}
	}
	if len(options) > 0 {
		if err := conn.CreateInBatches(&options, copyBatch).Error; err != nil {
			return database.Translate(err)
		}
	}
	if len(tests) > 0 {
		if err := conn.CreateInBatches(&tests, copyBatch).Error; err != nil {
			return database.Translate(err)
		}
	}
	return nil
}

// DropBank removes a course's tests and questions (their options go with
// them), for a draft that is deleted. A draft has no attempts; a course
// that had any keeps its bank, as the attempts' foreign keys insist.
func (b *Banks) DropBank(ctx context.Context, courseID string) error {
	return b.db.InTx(ctx, func(ctx context.Context) error {
		conn := b.db.Conn(ctx)
		if err := conn.Where("course_id = ?", courseID).Delete(&testRow{}).Error; err != nil {
			return database.Translate(err)
		}
		return database.Translate(conn.Where("course_id = ?", courseID).Delete(&questionRow{}).Error)
	})
}
