package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/dunglas/httpsfv"
)

// Header is the request header that carries a key, and Replayed the reply
// header that marks a reply given again.
const (
	Header   = "Idempotency-Key"
	Replayed = "Idempotent-Replayed"
)

// MaxKeyLength is the longest key taken, in characters.
const MaxKeyLength = 255

// ParseKey reads the header's value. The draft makes it a Structured Field
// string ("…", with \" and \\ escaped), which is parsed as such; most
// clients send the bare value (a UUID), which is taken as it is. Either
// way the key is 1 to MaxKeyLength printable ASCII characters (space
// included), or ErrInvalidKey.
func ParseKey(value string) (string, error) {
	key := value
	if strings.HasPrefix(value, `"`) {
		item, err := httpsfv.UnmarshalItem([]string{value})
		if err != nil {
			return "", ErrInvalidKey
		}
		s, ok := item.Value.(string)
		if !ok {
			return "", ErrInvalidKey
		}
		key = s
	}
	if key == "" || len(key) > MaxKeyLength {
		return "", ErrInvalidKey
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return "", ErrInvalidKey
		}
	}
	return key, nil
}

// Fingerprint identifies a request: the same method, path and body give
// the same fingerprint, anything else another one.
func Fingerprint(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}
