package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"mooc/certificates"
	"mooc/internal/database"
)

// Verify says whether a pasted credential is a valid certificate of this
// platform: at most MaxPasted bytes of JSON, issued by this issuer, its
// proof intact (a change of one character anywhere it signs breaks it),
// its status entry naming a certificate that is not revoked. Whatever is
// pasted, the answer is a Verdict; an error is only the database's.
func (s *Service) Verify(ctx context.Context, raw []byte) (Verdict, error) {
	if len(raw) > MaxPasted {
		return invalid(ReasonTooLarge, "the credential is larger than 64 KiB"), nil
	}
	var doc map[string]any
	if !json.Valid(raw) || json.Unmarshal(raw, &doc) != nil || doc == nil {
		return invalid(ReasonNotJSON, "the text is not a JSON object"), nil
	}
	types, _ := doc["type"].([]any)
	contexts, _ := doc["@context"].([]any)
	if !slices.Equal(contexts, []any{ContextCredentials, ContextOpenBadges}) ||
		!slices.Contains(types, any("VerifiableCredential")) || !slices.Contains(types, any("OpenBadgeCredential")) {
		return invalid(ReasonNotCredential, "the JSON is not an OpenBadgeCredential"), nil
	}
	if objects(doc) > maxObjects {
		return invalid(ReasonNotCredential, "the JSON has far more objects than a certificate's credential"), nil
	}
	if issuerID(doc["issuer"]) != s.did {
		return invalid(ReasonOtherIssuer, "the credential was issued by someone else, not by "+s.did), nil
	}
	if err := verifyProof(doc, s.pub, s.signer.keyID); err != nil {
		return invalid(ReasonBadProof, strings.TrimPrefix(err.Error(), "credentials: ")), nil
	}
	// The proof holds: the status entry is ours as we wrote it.
	slot, ok := s.slotIn(doc["credentialStatus"])
	if !ok {
		return invalid(ReasonUnknownStatus, "the credential names no status list of this platform"), nil
	}
	id, err := s.store.certificateAt(ctx, slot)
	if errors.Is(err, database.ErrNotFound) {
		return invalid(ReasonUnknownStatus, "the status entry names no certificate"), nil
	}
	if err != nil {
		return Verdict{}, err
	}
	f, err := s.certs.FactsByID(ctx, id)
	if errors.Is(err, certificates.ErrNotFound) {
		return invalid(ReasonUnknownStatus, "the status entry names no certificate"), nil
	}
	if err != nil {
		return Verdict{}, err
	}
	issued := f.IssuedAt
	v := Verdict{Valid: f.RevokedAt == nil, Code: f.Code, HolderName: f.HolderName, CourseTitle: f.Title, Hours: f.Hours,
		IssuedAt: &issued, RevokedAt: f.RevokedAt, RevocationReason: f.RevocationReason}
	if !v.Valid {
		v.Reason, v.Detail = ReasonRevoked, "the certificate was revoked"
	}
	return v, nil
}

func invalid(reason, detail string) Verdict { return Verdict{Reason: reason, Detail: detail} }

// issuerID is the id of an issuer given as a string or as a profile.
func issuerID(v any) string {
	switch i := v.(type) {
	case string:
		return i
	case map[string]any:
		id, _ := i["id"].(string)
		return id
	}
	return ""
}

// slotIn reads the slot out of a status entry this service wrote.
func (s *Service) slotIn(v any) (int64, bool) {
	entry, ok := v.(map[string]any)
	if !ok || entry["type"] != "BitstringStatusListEntry" || entry["statusPurpose"] != "revocation" {
		return 0, false
	}
	listURL, _ := entry["statusListCredential"].(string)
	rest, ok := strings.CutPrefix(listURL, s.publicURL+"/credentials/status/")
	if !ok {
		return 0, false
	}
	list, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || list < 1 {
		return 0, false
	}
	idx, _ := entry["statusListIndex"].(string)
	index, err := strconv.ParseInt(idx, 10, 64)
	if err != nil || index < 0 || index >= ListSize {
		return 0, false
	}
	return (list-1)*ListSize + index, true
}

// maxObjects bounds the JSON objects of a pasted credential before it is
// canonicalised: a credential of ours has about ten, and the work of
// canonicalising grows fast with the blank nodes a crafted document
// brings.
const maxObjects = 64

// objects counts the JSON objects in v.
func objects(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		n = 1
		for _, e := range x {
			n += objects(e)
		}
	case []any:
		for _, e := range x {
			n += objects(e)
		}
	}
	return n
}
