package accounts

import (
	"errors"
	"strings"
	"testing"

	"mooc/internal/validation"
)

// The embedded list holds at least the 100,000 most common passwords, and
// the ones at the top of every such list are refused in any capitals.
func TestCommonPasswordList(t *testing.T) {
	commonOnce.Do(loadCommon)
	if len(common) < 400_000 {
		t.Fatalf("%d passwords on the list, want the 414,573 of common-passwords.txt.gz", len(common))
	}
	for _, pw := range []string{"password1234", "QWERTYUIOP123", "1q2w3e4r5t6y", "iloveyou1234", "qwerty123456789", "Password12345"} {
		if !refused(checkPassword(pw, person{})) {
			t.Errorf("%q is accepted", pw)
		}
	}
	for _, pw := range []string{"correct horse battery", "āčēģīķļņšūžā", "Krīzes intervence ir darbs"} {
		if err := checkPassword(pw, person{Email: "ilze@example.lv", GivenName: "Ilze", FamilyName: "Kalniņa"}); err != nil {
			t.Errorf("%q is refused: %v", pw, err)
		}
	}
}

func TestPasswordsFromThePersonsNames(t *testing.T) {
	p := person{Email: "janis.berzins@ogre.lv", GivenName: "Jānis", FamilyName: "Bērziņš"}
	for _, pw := range []string{"janis.berzins@ogre.lv", "JANIS.BERZINS", "janisberzins2024", "Bērziņš123456", "berzinsjanis1", "Jānis Bērziņš 77"} {
		if !refused(checkPassword(pw, p)) {
			t.Errorf("%q is accepted", pw)
		}
	}
	for _, pw := range []string{"janis likes long walks", "berzins2024ogre!"} {
		if err := checkPassword(pw, p); err != nil {
			t.Errorf("%q is refused: %v", pw, err)
		}
	}
}

func refused(err error) bool {
	var verr *validation.Error
	return errors.As(err, &verr) && len(verr.Fields) == 1 && verr.Fields[0].Field == "password" && strings.Contains(verr.Fields[0].Message, "choose")
}
