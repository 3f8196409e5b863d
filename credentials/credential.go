package credentials

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"

	"mooc/accounts"
	"mooc/certificates"
	"mooc/internal/lv"
)

// achievementSpace names the achievements (the course or programme a
// certificate is for), so that every holder of the same one has the same
// achievement id.
var achievementSpace = uuid.MustParse("6f1d7a0c-3b7e-4a55-9f0e-1c2b5e8d9a41")

// Download is a credential as a file to keep (in a wallet).
type Download struct {
	Name string // apliecinajums-<code>.json
	Body []byte
}

// Credential is the certificate with the given code as a signed Open
// Badges 3.0 OpenBadgeCredential (JSON), for its holder or the team. The
// proof's date is the issue date, so the credential is the same bytes at
// every download. Errors: certificates.ErrNotFound.
func (s *Service) Credential(ctx context.Context, caller accounts.Principal, code string) (Download, error) {
	f, err := s.certs.Facts(ctx, caller, code)
	if err != nil {
		return Download{}, err
	}
	slot, err := s.slot(ctx, f.ID)
	if err != nil {
		return Download{}, err
	}
	doc, err := generic(s.credential(f, slot))
	if err != nil {
		return Download{}, err
	}
	m, _ := doc.(map[string]any)
	if err := s.signer.sign(m, f.IssuedAt); err != nil {
		return Download{}, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	return Download{Name: "apliecinajums-" + f.Code + ".json", Body: b}, err
}

// credential is the unsigned credential of a certificate. Every term in it
// is defined by the VC 2.0 or the OB 3.0 context (a verifier in safe mode
// rejects any other). The holder has no DID: they are named by an
// IdentityObject of type name, as OB 3.0 provides for, and by name.
func (s *Service) credential(f certificates.Facts, slot int64) map[string]any {
	achievementType, narrative := "Course", "E-mācību kurss, "+lv.Hours(f.Hours)+": visas nodarbības apgūtas un noslēguma tests nokārtots."
	if f.Kind == "programme" {
		achievementType, narrative = "Certificate", "Klātienes mācību programma, "+lv.AcademicHours(f.Hours)+" apmeklētas."
	}
	achievement := map[string]any{
		"id":              "urn:uuid:" + uuid.NewSHA1(achievementSpace, []byte(f.Kind+"\x00"+f.Title+"\x00"+f.MethodologyTitle)).String(),
		"type":            []string{"Achievement"},
		"achievementType": achievementType,
		"name":            f.Title,
		"criteria":        map[string]any{"narrative": narrative},
		"inLanguage":      "lv",
	}
	if f.MethodologyTitle != "" {
		achievement["description"] = "Metodika: " + f.MethodologyTitle
	}
	list, index := slot/ListSize+1, slot%ListSize
	return map[string]any{
		"@context":  []string{ContextCredentials, ContextOpenBadges},
		"id":        "urn:uuid:" + f.ID,
		"type":      []string{"VerifiableCredential", "OpenBadgeCredential"},
		"name":      f.Title,
		"issuer":    map[string]any{"id": s.did, "type": []string{"Profile"}, "name": s.issuerName, "url": s.publicURL},
		"validFrom": f.IssuedAt.UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"type":        []string{"AchievementSubject"},
			"name":        f.HolderName,
			"identifier":  []any{map[string]any{"type": "IdentityObject", "identityType": "name", "hashed": false, "identityHash": f.HolderName}},
			"achievement": achievement,
		},
		"credentialStatus": map[string]any{
			"id":                   s.listURL(list) + "#" + strconv.FormatInt(index, 10),
			"type":                 "BitstringStatusListEntry",
			"statusPurpose":        "revocation",
			"statusListIndex":      strconv.FormatInt(index, 10),
			"statusListCredential": s.listURL(list),
		},
	}
}
