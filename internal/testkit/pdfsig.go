package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// PDFSig is what poppler's pdfsig reports of a PDF's signatures, as a
// reader without this server would check them. pdfsig exits non-zero when
// a signature or its certificate does not verify (a self-signed seal is
// never trusted), so its status is no failure here: callers read the report.
func PDFSig(tb testing.TB, pdf []byte) string {
	tb.Helper()
	path, err := exec.LookPath("pdfsig")
	if err != nil {
		tb.Fatal("pdfsig is required to check the PDFs' signatures (Debian package poppler-utils; `make test` installs it)")
	}
	file := filepath.Join(tb.TempDir(), "signed.pdf") // pdfsig reads no standard input
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(path, file).CombinedOutput()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		tb.Fatalf("pdfsig: %v", err)
	}
	return string(out)
}

// AssertSealed fails unless pdfsig finds exactly one signature, by the
// certificate of commonName, valid and covering the whole file.
func AssertSealed(tb testing.TB, pdf []byte, commonName string) {
	tb.Helper()
	out := PDFSig(tb, pdf)
	for _, want := range []string{"Signature #1:", "Signer Certificate Common Name: " + commonName + "\n",
		"Total document signed", "Signature Validation: Signature is Valid."} {
		if !strings.Contains(out, want) {
			tb.Errorf("pdfsig does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Signature #2") {
		tb.Errorf("more than one signature:\n%s", out)
	}
}
