package certificates

import (
	"crypto/rand"
	"strings"
)

// codeAlphabet leaves out letters and digits people confuse when reading
// or typing a code (0/O, 1/I/L, U/V).
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"

// codeLen characters of 29 possibilities give about 58 bits: unguessable,
// yet short enough to type from paper.
const codeLen = 12

// newCode returns a random code grouped for reading, e.g. K7QM-3XPA-9RTB.
func newCode() string {
	b := make([]byte, codeLen)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for i, v := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		// 256 is not a multiple of 29; the slight bias costs a fraction
		// of a bit and keeps the code simple.
		sb.WriteByte(codeAlphabet[int(v)%len(codeAlphabet)])
	}
	return sb.String()
}

// NormalizeCode accepts a code as a person may type it: any case, with or
// without dashes or spaces. It returns "" for anything that cannot be one.
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "", "\u00a0", "").Replace(strings.TrimSpace(s)))
	if len(s) != codeLen {
		return ""
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return ""
		}
	}
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12]
}
