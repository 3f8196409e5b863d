package certificates

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"mooc/internal/testkit"
)

func transcript(items int) Transcript {
	t := Transcript{HolderName: "Ģirts Ķļaviņš", Year: 2027, RequiredHours: 24,
		IssuedAt: time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)}
	for i := range items {
		it := TranscriptItem{Title: fmt.Sprintf("Kurss Nr. %d: darbs ar ģimenēm, kurās aug bērni ar īpašām vajadzībām", i+1), Hours: 4,
			Date: time.Date(2027, 1, 1+i%28, 9, 0, 0, 0, time.UTC), Code: fmt.Sprintf("K7QM-3XPA-%04d", i), VerifyURL: fmt.Sprintf("https://mooc.example.lv/verify/K7QM-3XPA-%04d", i)}
		if i == 0 {
			it.InPerson, it.Hours = true, 91
		}
		t.Items = append(t.Items, it)
		t.Hours += it.Hours
	}
	return t
}

// A transcript states the person, the year, every item with its code
// and link, the total and the requirement, in Latvian letters.
func TestTranscript(t *testing.T) {
	pdf, err := RenderTranscript(transcript(2))
	if err != nil {
		t.Fatal(err)
	}
	assertContains(t, testkit.PDFText(t, pdf), "IZZIŅA", "par profesionālās pilnveides mācībām 2027. gadā", "Vārds, uzvārds: Ģirts Ķļaviņš",
		"Izsniegta: 2027. gada 1. marts", "klātienes mācības · 91 akadēmiskā stunda · apliecinājums izsniegts 2027. gada 1. janvāris",
		"e-mācību kurss · 4 stundas · apgūts 2027. gada 2. janvāris", "Apliecinājuma kods: K7QM-3XPA-0001",
		"https://mooc.example.lv/verify/K7QM-3XPA-0000", "Kopā: 95 stundas", "Gada prasība: 24 stundas", "Prasība izpildīta.")
	again, _ := RenderTranscript(transcript(2))
	if !bytes.Equal(pdf, again) {
		t.Fatal("the same transcript rendered differently")
	}
}

// A year of many courses runs over pages, losing none; a name the code
// page lacks is drawn in the UTF-8 fonts; an empty year says so.
func TestTranscriptPagesAndFonts(t *testing.T) {
	long := transcript(40)
	pdf, err := RenderTranscript(long)
	if err != nil {
		t.Fatal(err)
	}
	text := testkit.PDFText(t, pdf)
	assertContains(t, text, "K7QM-3XPA-0000", "K7QM-3XPA-0039", "40. „Kurss Nr. 40", "Kopā: 247 stundas")
	if info := runTool(t, "pdfinfo", writePDF(t, pdf)); strings.Contains(info, "Pages:           1\n") {
		t.Fatalf("40 items on one page:\n%s", info)
	}

	cyrillic := transcript(1)
	cyrillic.HolderName = "Мария Иванова"
	pdf, err = RenderTranscript(cyrillic)
	if err != nil {
		t.Fatal(err)
	}
	assertContains(t, testkit.PDFText(t, pdf), "Мария Иванова", "Kopā: 91 stunda")

	empty := transcript(0)
	pdf, err = RenderTranscript(empty)
	if err != nil {
		t.Fatal(err)
	}
	assertContains(t, testkit.PDFText(t, pdf), "Šajā gadā nav pabeigtu mācību.", "Kopā: 0 stundas", "Prasība nav izpildīta: trūkst 24 stundas.")

	if _, err := RenderTranscript(Transcript{Year: 2027, IssuedAt: empty.IssuedAt}); err == nil {
		t.Fatal("a transcript without a name")
	}
}
