package accounts

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"unicode"

	"mooc/internal/validation"
)

// commonPasswords is the breached and common passwords list; its source and
// licence are in common-passwords.NOTICE.
//
//go:embed common-passwords.txt.gz
var commonPasswords []byte

var (
	commonOnce sync.Once
	// common holds the 64-bit FNV-1a hash of every lower-cased entry,
	// sorted: 3.3 MB instead of the ~30 MB a map of the strings would take,
	// with a chance of a false refusal of about one in 10^13 per password.
	common []uint64
)

func loadCommon() {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswords))
	if err != nil {
		panic("accounts: embedded password list: " + err.Error())
	}
	sc := bufio.NewScanner(zr)
	hashes := make([]uint64, 0, 420_000)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			hashes = append(hashes, fingerprint(strings.ToLower(line)))
		}
	}
	if err := sc.Err(); err != nil {
		panic("accounts: embedded password list: " + err.Error())
	}
	slices.Sort(hashes)
	common = slices.Compact(hashes)
}

func fingerprint(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

// isCommon reports whether the lower-cased password is on the list.
func isCommon(lowered string) bool {
	commonOnce.Do(loadCommon)
	_, found := slices.BinarySearch(common, fingerprint(lowered))
	return found
}

// person is what a password must not be made of.
type person struct {
	Email, GivenName, FamilyName string
}

// checkPassword refuses passwords an attacker tries first: those on the
// breached and common list (as typed, or with the digits at its end taken
// off), and those made of the person's e-mail address, its local part or
// their names, with or without digits appended. Capitals, separators and
// Latvian diacritics make no difference. The length rule (12 to 256
// characters) is the Registration tags' and passwordRule's.
func checkPassword(password string, p person) error {
	lowered := strings.ToLower(password)
	core := strings.TrimRightFunc(lowered, unicode.IsDigit)
	if isCommon(lowered) || (core != "" && core != lowered && isCommon(core)) {
		return validation.Fail(validation.Field("password", "is a common or breached password; choose another (a few unrelated words work well)"))
	}
	folded := fold(core)
	if folded == "" {
		return nil
	}
	local, _, _ := strings.Cut(p.Email, "@")
	given, family := fold(p.GivenName), fold(p.FamilyName)
	for _, part := range []string{fold(p.Email), fold(local), given, family, given + family, family + given} {
		if part != "" && folded == part {
			return validation.Fail(validation.Field("password", "is made of your e-mail address or name; choose something others cannot guess"))
		}
	}
	return nil
}

// fold lower-cases s, takes Latvian letters to their Latin base (ā → a)
// and drops everything but letters and digits, so "Līga.Ozoliņa" and
// "ligaozolina" compare equal.
func fold(s string) string {
	s = latinBase.Replace(strings.ToLower(s))
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var latinBase = strings.NewReplacer("ā", "a", "č", "c", "ē", "e", "ģ", "g", "ī", "i", "ķ", "k", "ļ", "l", "ņ", "n", "š", "s", "ū", "u", "ž", "z", "ō", "o", "ŗ", "r")

// passwordRule is the Registration tags' length rule for a new password
// given on its own (a change or a reset).
type passwordRule struct {
	Password string `json:"password" validate:"required,min=12,max=256"`
}

// newPassword checks a new password against every rule.
func newPassword(password string, p person) error {
	if err := validation.Struct(passwordRule{Password: password}); err != nil {
		return err
	}
	return checkPassword(password, p)
}
