package accounts

import (
	"slices"
	"time"

	"mooc/internal/lv"
)

// Person is whom an entry of the team's lists (a cohort's enrolments, a
// programme's applications) is about, as the lists show them. A closed
// account is listed as it is: its names, address and workplace are empty.
type Person struct {
	ID           string `json:"id"`
	GivenName    string `json:"given_name"`
	FamilyName   string `json:"family_name"`
	Email        string `json:"email"`
	Municipality string `json:"municipality"`
	Workplace    string `json:"workplace"`
	Position     string `json:"position"`
	// ClosedAt is when the person closed their account, if they did.
	ClosedAt *time.Time `json:"closed_at,omitempty"`
}

// Listed is the lists' view of the user behind id; one this domain does
// not know (never expected: accounts are emptied, not deleted) keeps its
// id. A closed account keeps a stand-in address that only holds its row's
// place among the unique addresses; no one can be written to there, so
// the lists leave the address empty, as they do the names.
func Listed(id string, u User) Person {
	p := Person{ID: id, GivenName: u.GivenName, FamilyName: u.FamilyName, Email: u.Email,
		Municipality: u.Municipality, Workplace: u.Workplace, Position: u.Position, ClosedAt: u.ClosedAt}
	if u.ClosedAt != nil {
		p.Email = ""
	}
	return p
}

// SortByName orders items by their person's family name, then given name,
// in the Latvian alphabet (lv.NameOrder); the sort is stable, so a list's
// own order stays among equal names.
func SortByName[T any](items []T, person func(T) Person) {
	order := lv.NewNameOrder()
	slices.SortStableFunc(items, func(a, b T) int {
		pa, pb := person(a), person(b)
		return order.Compare(pa.FamilyName, pa.GivenName, pb.FamilyName, pb.GivenName)
	})
}
