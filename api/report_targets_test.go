package api_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"mooc/internal/database"
	"mooc/internal/testenv"
	"mooc/reports"
)

// Targets against a hand-counted fixture played through the API: Anna
// completes the course and an in-person programme, Berta the course,
// Cilvija neither, Dace the programme. A person counts once.
func TestReportTargets(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := newSchool(t, db, options{})
		now := time.Now().UTC()
		cohort := s.cohort(200, 30*24*time.Hour) // ends in five days
		anna, annaToken := s.signUpIn("Ogres novads")
		_, bertaToken := s.signUpIn("Rīga")
		_, cilvToken := s.signUpIn("Rīga")
		ea, eb := s.enrolled(annaToken, cohort.ID), s.enrolled(bertaToken, cohort.ID)
		s.enrolled(cilvToken, cohort.ID)
		s.complete(annaToken, ea.ID)
		s.complete(bertaToken, eb.ID)

		p := s.programme(map[string]any{"starts_at": now.Add(-60 * 24 * time.Hour), "ends_at": now.Add(-time.Hour)})
		dace, daceToken := s.signUpIn("Cēsu novads")
		for _, token := range []string{annaToken, daceToken} {
			s.do(request{method: "POST", path: "/api/v1/programmes/" + p.ID + "/applications", token: token, body: map[string]any{"municipality": "Rīga", "took_part_in_pilot": false}}).expect(t, 201)
		}
		s.do(request{method: "PATCH", path: "/api/v1/programmes/" + p.ID, token: s.team, body: map[string]any{"applications_open_at": now.Add(-2 * time.Hour), "applications_close_at": now.Add(-time.Hour)}}).expect(t, 200)
		s.do(request{method: "POST", path: "/api/v1/programmes/" + p.ID + "/allocation", token: s.team}).expect(t, 200)
		for _, id := range []string{anna.ID, dace.ID} {
			s.do(request{method: "PUT", path: fmt.Sprintf("/api/v1/programmes/%s/attendance/%s", p.ID, id), token: s.team, body: map[string]int{"hours": 96}}).expect(t, 200)
		}

		day := func(d int) string { return now.AddDate(0, 0, d).Format(time.DateOnly) }
		put := func(key string, body map[string]any) reply {
			return s.do(request{method: "PUT", path: "/api/v1/reports/targets/" + key, token: s.team, body: body})
		}
		var got reports.TargetProgress
		put("visi", map[string]any{"title": "Kvalifikāciju paaugstinājuši", "people": 4, "by": day(10), "kinds": []string{"online", "in_person"}}).expect(t, 200).json(t, &got)
		if want := (reports.TargetProgress{Key: "visi", Title: "Kvalifikāciju paaugstinājuši", People: 4, By: day(10), Kinds: []string{"online", "in_person"}, Achieved: 3, Percent: 75}); !reflect.DeepEqual(got, want) {
			t.Fatalf("PUT\n%+v, want\n%+v", got, want)
		}
		put("klatiene", map[string]any{"title": "Klātienē", "people": 3, "by": day(10), "kinds": []string{"in_person"}}).expect(t, 200)
		put("e-macibas", map[string]any{"title": "E-mācībās līdz šodienai", "people": 2, "by": day(1), "kinds": []string{"online"}}).expect(t, 200)

		var l struct{ Items []reports.TargetProgress }
		s.do(request{method: "GET", path: "/api/v1/reports/targets", token: s.team}).expect(t, 200).json(t, &l)
		var lines []string
		for _, it := range l.Items {
			lines = append(lines, fmt.Sprintf("%s %d/%d %d%%", it.Key, it.Achieved, it.People, it.Percent))
		}
		// The cohort ends in five days: not yet counted by tomorrow.
		if want := []string{"e-macibas 0/2 0%", "klatiene 2/3 66%", "visi 3/4 75%"}; !reflect.DeepEqual(lines, want) {
			t.Fatalf("targets %v, want %v", lines, want)
		}

		// PUT replaces.
		put("visi", map[string]any{"title": "Tikai e-mācībās", "people": 1, "by": day(10), "kinds": []string{"online"}}).expect(t, 200).json(t, &got)
		if got.Title != "Tikai e-mācībās" || got.Achieved != 2 || got.Percent != 200 || len(got.Kinds) != 1 {
			t.Fatalf("replaced %+v", got)
		}
		s.do(request{method: "GET", path: "/api/v1/reports/targets?limit=2", token: s.team}).expect(t, 200).json(t, &l)
		if len(l.Items) != 2 {
			t.Fatalf("a page of two: %+v", l.Items)
		}

		// Bad input names the field.
		ok := map[string]any{"title": "Mērķis", "people": 1, "by": day(1), "kinds": []string{"online"}}
		for key, c := range map[string]struct {
			field  string
			change map[string]any
		}{
			"Lielie":   {"key", nil},
			"bez-nos":  {"title", map[string]any{"title": ""}},
			"nulle":    {"people", map[string]any{"people": 0}},
			"datums":   {"by", map[string]any{"by": "31.12.2027"}},
			"veidi":    {"kinds", map[string]any{"kinds": []string{}}},
			"vebinars": {"kinds", map[string]any{"kinds": []string{"webinar"}}},
		} {
			body := map[string]any{}
			for k, v := range ok {
				body[k] = v
			}
			for k, v := range c.change {
				body[k] = v
			}
			pb := put(key, body).problem(t, 422, "validation_failed")
			if len(pb.Errors) != 1 || pb.Errors[0].Field != c.field {
				t.Errorf("%s: %+v, want %s named", key, pb.Errors, c.field)
			}
		}

		// The team's alone.
		for _, token := range []string{annaToken, s.author} {
			s.do(request{method: "PUT", path: "/api/v1/reports/targets/visi", token: token, body: ok}).problem(t, 403, "forbidden")
			s.do(request{method: "GET", path: "/api/v1/reports/targets", token: token}).problem(t, 403, "forbidden")
		}
	})
}
