package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"golang.org/x/text/language"

	"mooc/internal/lv"
)

//go:embed messages
var messageFiles embed.FS

// languages are the pages' languages, Latvian first: it is the default.
var languages = []language.Tag{language.Latvian, language.English}

var matcher = language.NewMatcher(languages)

// matchLanguage picks lv or en for an Accept-Language header.
func matchLanguage(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return "lv"
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return "lv"
	}
	return []string{"lv", "en"}[i]
}

// catalogues are the message catalogues by language.
type catalogues map[string]map[string]string

// loadCatalogues reads messages/<language>/*.json: a file an area of the
// pages (learners', authors', the team's), merged; a key in two files of a
// language is an error.
func loadCatalogues() (catalogues, error) {
	out := catalogues{}
	for _, l := range []string{"lv", "en"} {
		names, err := fs.Glob(messageFiles, "messages/"+l+"/*.json")
		if err != nil {
			return nil, err
		}
		out[l] = map[string]string{}
		for _, name := range names {
			b, err := messageFiles.ReadFile(name)
			if err != nil {
				return nil, err
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("web: %s: %w", name, err)
			}
			for k, v := range m {
				if _, dup := out[l][k]; dup {
					return nil, fmt.Errorf("web: %s: %q is in another file of messages/%s too", name, k, l)
				}
				out[l][k] = v
			}
		}
	}
	return out, nil
}

func (cs catalogues) has(key string) bool { _, ok := cs["lv"][key]; return ok }

func (cs catalogues) locale(lang string) *locale {
	return &locale{Lang: lang, msgs: cs[lang]}
}

// locale writes the texts of one language; templates call its methods.
type locale struct {
	Lang string
	msgs map[string]string
}

// Other is the language the switch offers.
func (l *locale) Other() string {
	if l.Lang == "lv" {
		return "en"
	}
	return "lv"
}

// T is the message key in this language, formatted with args (fmt verbs).
// A missing key shows itself, which the catalogue test prevents.
func (l *locale) T(key string, args ...any) string {
	m, ok := l.msgs[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// N writes n with the noun of key agreeing: key.one or key.other, chosen
// by Latvian agreement (lv.Count) or English (1 or not).
func (l *locale) N(n int, key string) string {
	one, other := l.T(key+".one"), l.T(key+".other")
	if l.Lang == "lv" {
		return lv.Count(n, one, other)
	}
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + other
}

// Date is a day standing alone: "2026. gada 2. marts", "2 March 2026".
func (l *locale) Date(t time.Time) string {
	if l.Lang == "lv" {
		return lv.Date(t)
	}
	return t.In(lv.Riga).Format("2 January 2006")
}

// DateIn is a day inside a sentence, "when": "2026. gada 2. martā".
func (l *locale) DateIn(t time.Time) string {
	if l.Lang == "lv" {
		return lv.DateIn(t)
	}
	return l.Date(t)
}

// When is a day and hour inside a sentence, in Riga time.
func (l *locale) When(t time.Time) string {
	if l.Lang == "lv" {
		return lv.DateIn(t) + " " + lv.Clock(t)
	}
	return t.In(lv.Riga).Format("2 January 2006, 15:04")
}

// ISO is t as the datetime attribute of <time> wants it.
func (l *locale) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }
