package api

import (
	"errors"
	"testing"

	"mooc/accounts"
)

// FuzzDecodeJSON: whatever the bytes, decoding either succeeds or is a 400
// naming the problem; it never panics and never blames the server.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"email":"līga@example.lv","password":"correct horse battery","given_name":"Līga"}`,
		`{"email": 5}`, `[]`, `{`, `null`, `{} {}`, `"x"`, `{"roles":["author"]}`, "\xff\xfe", `{"given_name":"\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var reg accounts.Registration
		check(t, decodeJSON(body, &reg))
		var roles rolesRequest
		check(t, decodeJSON(body, &roles))
	})
}

func check(t *testing.T, err error) {
	if err == nil {
		return
	}
	var re *requestError
	if !errors.As(err, &re) || re.status != 400 || re.code != "malformed_json" || re.detail == "" {
		t.Fatalf("decode error %v is not a 400 malformed_json", err)
	}
}
