package reports

import (
	"context"
	"sort"
	"time"

	"mooc/internal/database"
)

// People is the funders' figure for a period: distinct people who
// completed an online course or an in-person programme that ended in it,
// in all and by methodology (a person counted once however many courses;
// once in each methodology they completed), by the same rules and
// statements as the completions report.
type People struct {
	From   *time.Time `json:"from"`
	To     *time.Time `json:"to"`
	Period string     `json:"period"`
	People int        `json:"people"`
	// Target is the funders' target the figure is held against
	// (figureTarget: of the targets counting both kinds, the first due on
	// or after the period's last day, or the last one for an open period);
	// nil while none fits.
	Target        *Target             `json:"target"`
	ByMethodology []MethodologyPeople `json:"by_methodology"`
}

// MethodologyPeople is one methodology's distinct people who completed.
type MethodologyPeople struct {
	MethodologyID    string `json:"methodology_id"`
	MethodologyTitle string `json:"methodology_title"`
	People           int    `json:"people"`
	// Target stays nil: a target counts kinds of training, not a
	// methodology, so no target is any one methodology's.
	Target *Target `json:"target" gorm:"-"`
}

// Target is a funders' target: so many distinct people by a date.
type Target struct {
	Key    string     `json:"key"`
	Title  string     `json:"title"`
	People int        `json:"people"`
	Due    *time.Time `json:"due,omitempty"`
}

// PeopleQuery is the statement behind People's methodologies: the people
// query of CompletionQueries, grouped by the methodology of each course
// and programme.
func PeopleQuery(from, to time.Time) Query {
	_, _, people := CompletionQueries(from, to)
	return Query{onlineCompletion + `, ` + programmeCompletion[len("\nWITH "):] + `
		SELECT m.id AS methodology_id, m.title AS methodology_title, COUNT(DISTINCT x.user_id) AS people FROM (
			SELECT o.user_id, c.methodology_id FROM online o JOIN courses c ON c.id = o.course_id WHERE o.completed = 1
			UNION
			SELECT i.user_id, p.methodology_id FROM inperson i JOIN programmes p ON p.id = i.programme_id WHERE i.completed = 1
		) x JOIN methodologies m ON m.id = x.methodology_id
		GROUP BY m.id, m.title`, people.Args}
}

// People builds the funders' figure of [from, to) in two queries; a zero
// from or to leaves the period open on that side.
func (s *Service) People(ctx context.Context, from, to time.Time) (People, error) {
	out := People{Period: period(from, to), ByMethodology: []MethodologyPeople{}}
	out.From, out.To, from, to = bounds(from, to)
	conn := s.db.Conn(ctx)
	_, _, total := CompletionQueries(from, to)
	if err := conn.Raw(total.SQL, total.Args...).Scan(&out.People).Error; err != nil {
		return out, database.Translate(err)
	}
	q := PeopleQuery(from, to)
	if err := conn.Raw(q.SQL, q.Args...).Scan(&out.ByMethodology).Error; err != nil {
		return out, database.Translate(err)
	}
	targets, err := s.targets.all(ctx)
	if err != nil {
		return out, err
	}
	if out.To != nil {
		out.Target = figureTarget(targets, *out.To)
	} else {
		out.Target = figureTarget(targets, time.Time{})
	}
	sort.SliceStable(out.ByMethodology, func(i, j int) bool {
		return out.ByMethodology[i].MethodologyTitle < out.ByMethodology[j].MethodologyTitle
	})
	return out, nil
}
