package reports

import (
	"strings"
	"unicode"
)

// regionOf maps a municipality as people write it ("Ogres novads",
// "Rīga", "Rēzeknes valstspilsēta") to its planning region, by the first
// word, in the nominative or genitive. The table follows the municipalities
// of the 2021 administrative reform; an unknown name maps to "".
func regionOf(municipality string) string {
	word := strings.ToLower(strings.TrimSpace(municipality))
	if i := strings.IndexFunc(word, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '.' }); i >= 0 {
		word = word[:i]
	}
	return regionByWord[word]
}

var regionByWord = func() map[string]string {
	m := map[string]string{}
	add := func(region string, words ...string) {
		for _, w := range words {
			m[w] = region
		}
	}
	add("Rīga", "rīga", "rīgas", "jūrmala", "jūrmalas", "ādažu", "ķekavas", "mārupes", "olaines", "ropažu",
		"salaspils", "saulkrastu", "siguldas")
	add("Kurzeme", "liepāja", "liepājas", "ventspils", "dienvidkurzemes", "kuldīgas", "saldus", "talsu", "tukuma")
	add("Zemgale", "jelgava", "jelgavas", "aizkraukles", "bauskas", "dobeles", "jēkabpils")
	add("Latgale", "daugavpils", "rēzekne", "rēzeknes", "augšdaugavas", "balvu", "krāslavas", "līvānu", "ludzas",
		"preiļu", "varakļānu")
	add("Vidzeme", "alūksnes", "cēsu", "gulbenes", "limbažu", "madonas", "ogres", "smiltenes", "valkas", "valmieras")
	return m
}()
