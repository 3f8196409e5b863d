package browsertest

import (
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// SetFiles chooses files of this machine in the first file input sel
// matches, as a person picking them in the file dialog would: the page
// sees them in the input's files, with their names, sizes and types, and
// a change event. Relative paths are taken from the working directory.
func (tab *Tab) SetFiles(t testing.TB, sel string, paths ...string) {
	t.Helper()
	abs := make([]string, len(paths))
	for i, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatalf("browsertest: the file %s: %v", p, err)
		}
		abs[i] = a
	}
	tab.do(t, "choosing files for "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), abs, chromedp.NodeReady))
}

// DragXY drags with the mouse from one point of the viewport to another
// (CSS pixels) and drops there. An element with draggable="true" under the
// first point starts an HTML5 drag: the page gets dragstart, then
// dragenter, dragover and drop where the mouse goes, and dragend, as from a
// person's mouse. Both points must be in the viewport.
func (tab *Tab) DragXY(t testing.TB, fromX, fromY, toX, toY float64) {
	t.Helper()
	tab.do(t, "dragging", chromedp.DragAndDropXY(fromX, fromY, toX, toY))
}
