package credentials

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
)

// StatusList is status list n (counted from 1) as a signed
// BitstringStatusListCredential (W3C Bitstring Status List v1.0): a bit
// per certificate given a slot in it, set when the certificate is
// revoked, read from the certificates as they are now. A list exists once
// a slot in it is given. Errors: ErrUnknownList.
func (s *Service) StatusList(ctx context.Context, n int64) ([]byte, error) {
	last, err := s.store.lastSlot(ctx)
	if err != nil {
		return nil, err
	}
	if n < 1 || last < 0 || n > last/ListSize+1 {
		return nil, ErrUnknownList
	}
	from := (n - 1) * ListSize
	revoked, err := s.store.revokedIn(ctx, from, from+ListSize)
	if err != nil {
		return nil, err
	}
	m, err := s.statusList(n, revoked)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(m, "", "  ")
}

// statusList is the signed credential of list n whose revoked slots are
// given.
func (s *Service) statusList(n int64, revoked []int64) (map[string]any, error) {
	encoded, err := encodeList(revoked, (n-1)*ListSize)
	if err != nil {
		return nil, err
	}
	url := s.listURL(n)
	doc, err := generic(map[string]any{
		"@context":  []string{ContextCredentials},
		"id":        url,
		"type":      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    s.did,
		"validFrom": s.now().UTC().Format("2006-01-02T15:04:05Z"),
		"credentialSubject": map[string]any{
			"id": url + "#list", "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": encoded,
		},
	})
	if err != nil {
		return nil, err
	}
	m, _ := doc.(map[string]any)
	return m, s.signer.sign(m, s.now())
}

// encodeList is the encodedList of a list whose first slot is from: the
// bitstring (index 0 the most significant bit of the first byte), GZIP
// compressed, as multibase base64url without padding ("u…").
func encodeList(set []int64, from int64) (string, error) {
	bits := make([]byte, ListSize/8)
	for _, slot := range set {
		i := slot - from
		bits[i/8] |= 0x80 >> (i % 8)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}
