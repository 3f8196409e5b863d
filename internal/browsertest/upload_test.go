package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"mooc/internal/browsertest"
)

// A file chosen by SetFiles reaches the page with its name and size, and
// DragXY drags a draggable element as HTML5 drag and drop: the page sees
// dragstart on it and drop where the mouse lets go.
func TestSetFilesAndDrag(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html lang="en"><head><title>Drag</title></head><body>
<input type="file" id="file">
<div id="from" draggable="true">From</div><div id="gap"></div><div id="to">To</div><p id="log"></p>
<script>
const log = (s) => { document.getElementById("log").textContent += s + ";"; };
document.getElementById("from").addEventListener("dragstart", (e) => { e.dataTransfer.setData("text/plain", "x"); log("start"); });
document.getElementById("to").addEventListener("dragover", (e) => e.preventDefault());
document.getElementById("to").addEventListener("drop", (e) => { e.preventDefault(); log("drop " + e.dataTransfer.getData("text/plain")); });
</script></body></html>`))
	}))
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("twelve bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	tab := browsertest.Start(t).NewTab(t, browsertest.Viewport{Width: 800, Height: 600})
	tab.Navigate(t, srv.URL)

	tab.SetFiles(t, "#file", path)
	var file struct {
		Name string `json:"name"`
		Size int    `json:"size"`
	}
	tab.Eval(t, `(() => { const f = document.getElementById("file").files[0]; return {name: f.name, size: f.size}; })()`, &file)
	if file.Name != "notes.txt" || file.Size != 12 {
		t.Errorf("the page has the file %+v", file)
	}

	var at struct{ FX, FY, TX, TY float64 }
	tab.Eval(t, `(() => { const f = document.getElementById("from").getBoundingClientRect(), to = document.getElementById("to").getBoundingClientRect();
		return {FX: f.left + 5, FY: f.top + f.height / 2, TX: to.left + 5, TY: to.top + to.height / 2}; })()`, &at)
	tab.DragXY(t, at.FX, at.FY, at.TX, at.TY)
	if got := tab.Text(t, "#log"); got != "start;drop x;" {
		t.Errorf("the page saw %q", got)
	}
}
