package lv

import (
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// NameOrder orders people the way a Latvian list of names is read: by
// family name, then given name, in the Latvian alphabet (CLDR's Latvian
// collation: Č after C, Ģ after G, Ķ after K, Ļ after L, Ņ after N, Š after
// S, Ž after Z, while Ā, Ē, Ī, Ū sort with A, E, I, U and only break a tie).
// Byte order would put every name with a diacritic after Z, and the
// language-neutral order would put Čakste before Celms. Someone without a
// name, as a closed account is, comes after everyone named, so the people
// a coordinator is looking for are not pushed down by blank rows.
//
// A NameOrder is not safe for concurrent use (the collator reuses its
// buffers); make one for each sort.
type NameOrder struct{ c *collate.Collator }

// NewNameOrder makes a NameOrder.
func NewNameOrder() NameOrder { return NameOrder{collate.New(language.Latvian)} }

// Compare is negative when the first person comes first, positive when the
// second does, and zero when their names are the same.
func (o NameOrder) Compare(family1, given1, family2, given2 string) int {
	if unnamed1, unnamed2 := family1+given1 == "", family2+given2 == ""; unnamed1 != unnamed2 {
		if unnamed1 {
			return 1
		}
		return -1
	}
	if n := o.c.CompareString(family1, family2); n != 0 {
		return n
	}
	return o.c.CompareString(given1, given2)
}
