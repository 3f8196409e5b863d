// Command openapi writes the OpenAPI document the API serves to the file
// its argument names. The platform is built as `mooc serve` builds it with
// no configuration (SQLite and files on disk, here in a temporary folder
// removed afterwards), so the document is the one every default deployment
// serves, the disk store's signed-link routes included. `make openapi` (a
// stage of `make test`) lints it with Redocly CLI.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"

	"mooc/config"
	"mooc/internal/app"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./tools/openapi <file to write the served /openapi.json to>")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(1)
	}
}

func run(out string) (err error) {
	dir, err := os.MkdirTemp("", "mooc-openapi-")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	// The environment is left out on purpose: the document must not depend
	// on who runs this.
	cfg, err := config.FromEnv(func(name string) string {
		if name == "MOOC_DATA_DIR" {
			return dir
		}
		return ""
	})
	if err != nil {
		return err
	}
	platform, err := app.New(context.Background(), cfg, app.Options{Version: "served"})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, platform.Close()) }()
	resp, err := platform.HTTP.Test(httptest.NewRequest("GET", "/openapi.json", nil), -1)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }() // read in full below; nothing to lose
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET /openapi.json answered %d: %s", resp.StatusCode, body)
	}
	return os.WriteFile(out, body, 0o644)
}
