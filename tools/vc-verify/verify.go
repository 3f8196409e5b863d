// Package vcverify runs the third-party verifier of this folder for the
// tests: verify.mjs, Digital Bazaar's VC libraries at the versions
// package-lock.json pins, installed with npm ci on first use. It runs
// offline: the contexts, the DID document and the status lists are handed
// to its document loader.
package vcverify

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"mooc/internal/testenv"
)

// Input is what the verifier is given.
type Input struct {
	Credential  json.RawMessage            `json:"credential"`
	DIDDocument any                        `json:"didDocument"`
	Contexts    map[string]json.RawMessage `json:"contexts"`
	StatusLists map[string]json.RawMessage `json:"statusLists"`
}

// Verdict is what the verifier says: whether the proof, the issuer's key
// and the status entry check out, and whether the status list has the
// credential revoked (nil when the status could not be read).
type Verdict struct {
	Verified bool     `json:"verified"`
	Errors   []string `json:"errors"`
	Revoked  *bool    `json:"revoked"`
}

// Verify runs the verifier on in.
func Verify(in Input) (Verdict, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return Verdict{}, fmt.Errorf("vcverify: where is this folder?")
	}
	script, err := testenv.NpmInstalled(filepath.Dir(self), "verify.mjs")
	if err != nil {
		return Verdict{}, err
	}
	b, err := json.Marshal(in)
	if err != nil {
		return Verdict{}, err
	}
	f, err := os.CreateTemp("", "vc-verify-*.json")
	if err != nil {
		return Verdict{}, err
	}
	defer func() { _ = os.Remove(f.Name()) }()
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return Verdict{}, err
	}
	if err := f.Close(); err != nil {
		return Verdict{}, err
	}
	out, err := exec.Command("node", script, f.Name()).Output()
	if err != nil {
		return Verdict{}, fmt.Errorf("vcverify: node %s: %w: %s", script, err, out)
	}
	var v Verdict
	if err := json.Unmarshal(out, &v); err != nil {
		return Verdict{}, fmt.Errorf("vcverify: the verifier said %q: %w", out, err)
	}
	return v, nil
}

// Contexts turns contexts by URL into the input's form.
func Contexts(byURL map[string][]byte) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(byURL))
	for u, b := range byURL {
		out[u] = b
	}
	return out
}
