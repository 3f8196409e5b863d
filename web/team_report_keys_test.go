package web

import "testing"

// The report pages build some message keys at run time, by figure and
// kind: each exists in both languages.
func TestReportKeysBuiltAtRunTime(t *testing.T) {
	cs, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"report.kind.course", "report.kind.programme", "report.targets.kind.online", "report.targets.kind.in_person"}
	for _, f := range completionsFigures {
		keys = append(keys, "report.by."+string(f), "report.col."+string(f))
	}
	for _, k := range keys {
		for _, l := range []string{"lv", "en"} {
			if _, ok := cs[l][k]; !ok {
				t.Errorf("%s lacks %q", l, k)
			}
		}
	}
}
