package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"fmt"
	"time"

	"mooc/accounts"
	"mooc/assessment"
	"mooc/catalogue"
	"mooc/cohorts"
	"mooc/media"
	"mooc/programmes"
)

//go:embed lekcija.webm
var lectureVideo []byte

// captions are the lecture's captions in Latvian.
const captions = "WEBVTT\n\n00:00:00.000 --> 00:00:30.000\nKrīze ir stāvoklis, kurā ierastie risinājumi vairs nedarbojas.\n"

// AuthorEmail is the address of the account the demonstration is made by.
const AuthorEmail = "demo-autors@example.invalid"

// Services are the domain services the demonstration is made through.
type Services struct {
	Accounts   *accounts.Service
	Catalogue  *catalogue.Service
	Media      *media.Service
	Assessment *assessment.Service
	Cohorts    *cohorts.Service
	Programmes *programmes.Service
}

// Content is what Seed added.
type Content struct {
	Course    catalogue.Course
	Cohort    cohorts.Cohort
	Programme programmes.Programme
	// Answers maps each question of the final test's bank to its right
	// option's text.
	Answers map[string]string
}

// Seed adds the demonstration when the platform has no methodology yet,
// with the cohort and programme dated around now; added reports whether
// it did. It is not atomic: a failure halfway leaves what was added.
func Seed(ctx context.Context, s Services, now time.Time) (c Content, added bool, err error) {
	ms, _, err := s.Catalogue.Methodologies(ctx, 1, "")
	if err != nil || len(ms) > 0 {
		return Content{}, false, err
	}
	author, err := authorAccount(ctx, s.Accounts)
	if err != nil {
		return Content{}, false, err
	}
	m, err := s.Catalogue.CreateMethodology(ctx, catalogue.NewMethodology{Title: "Krīzes intervence",
		Summary: "Darbs ar klientu krīzes situācijā.", Direction: "crisis"})
	if err != nil {
		return Content{}, false, err
	}
	weeks, hours := 2, 1
	course, err := s.Catalogue.CreateCourse(ctx, author, catalogue.NewCourse{MethodologyID: m.ID, Title: "Krīzes intervence sociālajā darbā",
		Summary: "Kā atpazīt krīzi un palīdzēt klientam pirmajās stundās.", Weeks: &weeks, EffortHours: &hours})
	if err != nil {
		return Content{}, false, err
	}
	video, err := s.Media.Upload(ctx, author, "lekcija.webm", bytes.NewReader(lectureVideo))
	if err != nil {
		return Content{}, false, err
	}
	vtt, err := s.Media.Upload(ctx, author, "lekcija.vtt", bytes.NewReader([]byte(captions)))
	if err != nil {
		return Content{}, false, err
	}
	for _, l := range []catalogue.NewLesson{
		{Week: 1, Title: "Kas ir krīze", Kind: catalogue.KindVideo, Minutes: 15, MediaID: &video.ID,
			Captions: []catalogue.Caption{{Language: "lv", MediaID: vtt.ID}}, Body: "Krīze ir stāvoklis, kurā ierastie risinājumi vairs nedarbojas."},
		{Week: 1, Title: "Pirmā saruna", Kind: catalogue.KindReading, Minutes: 15, Body: "Pirmajā sarunā klausieties.\n\nJautājiet par drošību."},
		{Week: 2, Title: "Gadījums: Anna", Kind: catalogue.KindCaseStory, Minutes: 20, Body: "Anna zvana naktī. Viņa nezina, kur palikt ar bērniem."},
	} {
		if _, err := s.Catalogue.AddLesson(ctx, author, course.ID, l); err != nil {
			return Content{}, false, err
		}
	}
	c.Answers = map[string]string{}
	for _, q := range []struct{ text, right, wrong string }{
		{"Ko krīzē dara vispirms?", "Noskaidro drošību", "Raksta ziņojumu"},
		{"Kā klausās pirmajā sarunā?", "Uzmanīgi un bez steigas", "Pārtraucot"},
		{"Kas ir krīze?", "Stāvoklis, kad ierastie risinājumi nedarbojas", "Slimība"},
		{"Kad zvanīt kolēģim?", "Kad vajag atbalstu", "Nekad"},
	} {
		if _, err := s.Assessment.AddQuestion(ctx, author, course.ID, assessment.NewQuestion{Kind: assessment.SingleChoice, Text: q.text,
			Options: []assessment.NewOption{{Text: q.wrong}, {Text: q.right, Correct: true}}}); err != nil {
			return Content{}, false, err
		}
		c.Answers[q.text] = q.right
	}
	if _, err := s.Assessment.CreateTest(ctx, author, course.ID, assessment.NewTest{Title: "Noslēguma tests", Final: true, QuestionCount: 2, TimeLimitMinutes: 10}); err != nil {
		return Content{}, false, err
	}
	if c.Course, err = s.Catalogue.Publish(ctx, author, course.ID); err != nil {
		return Content{}, false, err
	}
	opens, closes, starts := now.Add(-9*24*time.Hour), now.Add(5*24*time.Hour), now.Add(-8*24*time.Hour)
	if c.Cohort, err = s.Cohorts.CreateCohort(ctx, course.ID, cohorts.NewCohort{Title: "Pirmā grupa",
		EnrolmentOpensAt: &opens, EnrolmentClosesAt: &closes, StartsAt: &starts}); err != nil {
		return Content{}, false, err
	}
	title, hoursP, loc, region := "Krīzes intervence klātienē", 96, "Rīga, Brīvības iela 1", "Rīga"
	pStart, pEnd, aOpen, aClose := now.Add(30*24*time.Hour), now.Add(60*24*time.Hour), now.Add(-24*time.Hour), now.Add(20*24*time.Hour)
	if c.Programme, err = s.Programmes.Create(ctx, programmes.Fields{MethodologyID: &m.ID, Title: &title, Hours: &hoursP, Location: &loc,
		Region: &region, StartsAt: &pStart, EndsAt: &pEnd, ApplicationsOpenAt: &aOpen, ApplicationsCloseAt: &aClose}); err != nil {
		return Content{}, false, err
	}
	return c, true, nil
}

// authorAccount opens the demonstration's author account with a password
// nobody is told, and signs it in.
func authorAccount(ctx context.Context, users *accounts.Service) (accounts.Principal, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return accounts.Principal{}, err
	}
	password := base64.RawURLEncoding.EncodeToString(raw)
	u, err := users.Register(ctx, accounts.Registration{Email: AuthorEmail, Password: password, GivenName: "Demo",
		FamilyName: "Autors", Municipality: "Rīga"}, "127.0.0.1")
	if err != nil {
		return accounts.Principal{}, fmt.Errorf("demo author: %w", err)
	}
	if _, err := users.SetRoles(ctx, u.ID, []string{accounts.RoleAuthor}); err != nil {
		return accounts.Principal{}, err
	}
	s, err := users.Login(ctx, AuthorEmail, password, "127.0.0.1")
	if err != nil {
		return accounts.Principal{}, err
	}
	return users.Authenticate(ctx, s.AccessToken)
}
