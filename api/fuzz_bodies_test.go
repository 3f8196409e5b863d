package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"mooc/accounts"
	"mooc/assessment"
	"mooc/catalogue"
	"mooc/certificates"
	"mooc/cohorts"
	"mooc/internal/validation"
	"mooc/mentoring"
	"mooc/programmes"
	"mooc/reports"
	"mooc/surveys"
)

// requestBody is one type the API decodes a JSON request body into.
type requestBody struct {
	name string     // as reflect spells it: accounts.Registration, api.loginRequest
	new  func() any // a pointer to a fresh zero value
}

func bodyOf[T any]() requestBody {
	return requestBody{name: reflect.TypeFor[T]().String(), new: func() any { return new(T) }}
}

// requestBodies is every `body:` of every route; TestFuzzBodiesCoverEveryRoute
// keeps it complete as routes are added.
var requestBodies = []requestBody{
	bodyOf[accounts.Registration](),
	bodyOf[loginRequest](),
	bodyOf[tokenRequest](),
	bodyOf[accounts.PasswordChange](),
	bodyOf[resetRequest](),
	bodyOf[resetConfirmRequest](),
	bodyOf[rolesRequest](),
	bodyOf[accounts.ProfileChange](),
	bodyOf[closeRequest](),
	bodyOf[catalogue.NewMethodology](),
	bodyOf[catalogue.NewCourse](),
	bodyOf[catalogue.NewLesson](),
	bodyOf[catalogue.LessonChange](),
	bodyOf[orderRequest](),
	bodyOf[cohorts.NewCohort](),
	bodyOf[cohorts.CohortChange](),
	bodyOf[enrolRequest](),
	bodyOf[cohorts.ProgressUpdate](),
	bodyOf[assessment.NewQuestion](),
	bodyOf[assessment.NewTest](),
	bodyOf[assessment.Submission](),
	bodyOf[certificates.Revocation](),
	bodyOf[programmes.Fields](),
	bodyOf[programmes.ApplicationForm](),
	bodyOf[programmes.AttendanceUpdate](),
	bodyOf[beginUploadRequest](),
	bodyOf[completeUploadRequest](),
	bodyOf[reports.TargetFields](),
	bodyOf[surveys.Definition](),
	bodyOf[surveys.Answers](),
	bodyOf[mentoring.Assignment](),
	bodyOf[mentoring.SessionForm](),
}

// bodySeeds are realistic bodies of every type, in Latvian, and tricky ones.
var bodySeeds = []string{
	// valid, one per type
	`{"email":"līga.ozoliņa@example.lv","password":"correct horse battery","given_name":"Līga","family_name":"Ozoliņa","municipality":"Ogres novads","workplace":"Ogres novada sociālais dienests","position":"sociālā darbiniece"}`,
	`{"email":"jānis@example.lv","password":"garš-un-drošs-123"}`,
	`{"token":"Qm9yaXNzLXRva2Vu_-0123456789abcdefghijklmnopq"}`,
	`{"current_password":"correct horse battery","password":"jauna gara parole ar ā un ž"}`,
	`{"email":"līga.ozoliņa@example.lv"}`,
	`{"token":"Qm9yaXNzLXRva2Vu_-0123456789abcdefghijklmnopq","password":"jauna gara parole ar ā un ž"}`,
	`{"roles":["author","team"]}`,
	`{"given_name":"Ģirts","family_name":"Ķļaviņš","municipality":"Rēzeknes valstspilsēta","workplace":"","position":"sociālais darbinieks","announcements":false}`,
	`{"password":"correct horse battery"}`,
	`{"title":"2027. gada pavasaris","capacity":20,"enrolment_opens_at":"2027-01-05","enrolment_closes_at":20270301,"starts_at":"2027-03-02T09:00:00+02:00"}`,
	`{"title":"Krīzes intervence","summary":"Metodika darbam ar klientiem krīzes situācijās","direction":"crisis"}`,
	`{"methodology_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","title":"Krīzes intervence sociālajā darbā","summary":"Piecu nedēļu kurss","language":"lv","weeks":5,"effort_hours":12,"pass_percent":70}`,
	`{"week":1,"title":"Ievads: kas ir krīze?","kind":"video","minutes":25,"media_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","body":"Ģimenes asistents ķeras pie darba.","captions":[{"language":"lv","media_id":"16fd2706-8baf-433b-82eb-8c7fada847da"}]}`,
	`{"title":"Sarunas ar klientu","minutes":30,"body":null,"captions":[]}`,
	`{"lesson_ids":["7c9e6679-7425-40de-944b-e07fc1f90ae7","16fd2706-8baf-433b-82eb-8c7fada847da"]}`,
	`{"title":"2026. gada pavasaris","capacity":200,"enrolment_opens_at":"2026-02-01T08:00:00Z","enrolment_closes_at":"2026-03-01T21:59:59Z","starts_at":"2026-02-15T07:00:00Z"}`,
	`{"title":"Rudens grupa","capacity":25,"enrolment_closes_at":"2026-10-01T00:00:00+03:00"}`,
	`{"user_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}`,
	`{"position_seconds":754,"completed":true}`,
	`{"week":2,"kind":"single_choice","text":"Kurš no šiem ir krīzes pazīme?","options":[{"text":"Miegs","correct":false},{"text":"Pēkšņa bezpalīdzība","correct":true}],"points":1,"explanation":"Krīze ir pēkšņa."}`,
	`{"title":"Noslēguma tests","final":true,"question_count":20,"pass_percent":70,"time_limit_minutes":30,"max_attempts":3,"shuffle":true}`,
	`{"answers":[{"question_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","option_ids":["16fd2706-8baf-433b-82eb-8c7fada847da"]}]}`,
	`{"reason":"Izsniegts kļūdaini: dalībnieks nepabeidza kursu"}`,
	`{"methodology_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","title":"Krīzes intervence: klātienes mācības","hours":96,"group_size":20,"location":"Cēsis, Raunas iela 4","region":"Vidzeme","starts_at":"2026-05-04T06:00:00Z","ends_at":"2026-07-01T14:00:00Z","applications_open_at":"2026-03-01T00:00:00Z","applications_close_at":"2026-04-01T00:00:00Z"}`,
	`{"municipality":"Rēzeknes novads","took_part_in_pilot":false}`,
	`{"hours":88}`,
	`{"filename":"lekcija-1.mp4","content_type":"video/mp4","size":1073741824}`,
	`{"parts":[{"number":1,"etag":"\"9b2cf535f27731c974343645a3985328\""},{"number":2,"etag":"abc"}]}`,
	// invalid values, well-formed JSON
	`{"email":"nav-epasts","password":"īss","given_name":"","family_name":"","municipality":""}`,
	`{"direction":"magic","title":""}`,
	`{"week":0,"kind":"podcast","minutes":601,"captions":[{"language":"x","media_id":""}]}`,
	`{"options":[{"text":""}],"points":0,"kind":"essay"}`,
	`{"hours":87,"region":"Sēlija","group_size":0,"title":""}`,
	`{"answers":[{"question_id":""},{}]}`,
	`{"parts":[{"number":0,"etag":""}]}`,
	`{"took_part_in_pilot":null}`,
	`{"hours":-1}`,
	`{"position_seconds":-5}`,
	// wrong JSON types and edge numbers
	`{"email":5}`, `{"roles":"author"}`, `{"weeks":"5"}`, `{"weeks":5.5}`, `{"weeks":1e400}`, `{"weeks":-9223372036854775809}`,
	`{"capacity":true}`, `{"options":{"text":"a"}}`, `{"captions":[1,2]}`, `{"starts_at":"rīt"}`, `{"starts_at":12}`,
	`{"starts_at":"2026-13-45T99:99:99Z"}`, `{"starts_at":"10000-01-01T00:00:00Z"}`, `{"size":18446744073709551616}`,
	`{"answers":[{"option_ids":[null,1]}]}`, `{"shuffle":"jā"}`, `{"final":1}`,
	// shapes and syntax
	``, ` `, `[]`, `"x"`, `0`, `true`, `{`, `{"a":`, `{} {}`, `{"a":1}x`, "\xff\xfe", "\xef\xbb\xbf{}",
	`{"given_name":"\u0000"}`, `{"given_name":"\ud800"}`, "{\"given_name\":\"\xc3\"}", `{"title":"'; DROP TABLE courses; --"}`,
	`{"title":"<script>alert(1)</script>"}`, `{"EMAIL":"x@example.lv","Email":"y@example.lv"}`,
	`{"title":"a","title":"b"}`, `{"unknown":{"deep":[[[[[[[[[[]]]]]]]]]]}}`,
	strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001),
	`{"options":[` + strings.Repeat(`{"text":"jā","correct":true},`, 11) + `{"text":"nē"}]}`,
}

// FuzzRequestBodies: whatever the bytes, decoding them into any request
// body of the API and validating the result never panics; a decode error is
// a 400 malformed_json saying what is wrong; a decoded body is exactly one
// JSON object; a validation error names at least one JSON field of the body.
func FuzzRequestBodies(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, b := range requestBodies {
			v := b.new()
			if err := decodeJSON(body, v); err != nil {
				checkMalformed(t, b.name, body, err)
				continue
			}
			checkOneObject(t, b.name, body)
			checkValidation(t, b.name, reflect.ValueOf(v).Elem().Interface())
		}
	})
}

func checkMalformed(t *testing.T, name string, body []byte, err error) {
	t.Helper()
	// A time that is no RFC 3339 date-time is refused as a field's
	// problem (422), naming the field.
	var ve *validation.Error
	if errors.As(err, &ve) {
		if len(ve.Fields) == 0 {
			t.Fatalf("%s: decoding %q: a validation error naming no field", name, body)
		}
		for _, f := range ve.Fields {
			if f.Field == "" || f.Message == "" {
				t.Fatalf("%s: decoding %q: %+v", name, body, f)
			}
		}
		return
	}
	var re *requestError
	if !errors.As(err, &re) || re.status != 400 || re.code != "malformed_json" || re.detail == "" {
		t.Fatalf("%s: decoding %q: %v is not a 400 malformed_json", name, body, err)
	}
	// The detail goes to the client as it is: it must not echo Go internals.
	for _, leak := range []string{"json:", "Go value", "reflect", "main.", "api.", "struct {"} {
		if strings.Contains(re.detail, leak) {
			t.Fatalf("%s: detail %q of %q shows internals (%q)", name, re.detail, body, leak)
		}
	}
}

// checkOneObject: what decodes is a whole body holding one JSON object,
// nothing before or after it (bind promises "400 for anything that is not a
// JSON object").
func checkOneObject(t *testing.T, name string, body []byte) {
	t.Helper()
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if !json.Valid(body) || len(trimmed) == 0 || trimmed[0] != '{' {
		t.Fatalf("%s: %q decoded without error, but it is not exactly one JSON object", name, body)
	}
}

func checkValidation(t *testing.T, name string, v any) {
	t.Helper()
	err := validation.Struct(v)
	if err == nil {
		return
	}
	var verr *validation.Error
	if !errors.As(err, &verr) {
		t.Fatalf("%s: validation returned %T %v, not *validation.Error", name, err, err)
	}
	if len(verr.Fields) == 0 {
		t.Fatalf("%s: validation error without fields", name)
	}
	names := jsonNames(reflect.TypeOf(v))
	for _, fe := range verr.Fields {
		root := fe.Field
		if i := strings.IndexAny(root, ".["); i >= 0 {
			root = root[:i]
		}
		if fe.Message == "" || !slices.Contains(names, root) {
			t.Fatalf("%s: validation error %+v does not name a JSON field of the body (%v)", name, fe, names)
		}
	}
}

// jsonNames lists the JSON names of a struct's fields.
func jsonNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonNames(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// Every route's body type is fuzzed: read the `body:` of every op literal
// in the package's source and find it in requestBodies.
func TestFuzzBodiesCoverEveryRoute(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var found []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if id, ok := lit.Type.(*ast.Ident); !ok || id.Name != "op" {
				return true
			}
			for _, el := range lit.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if key, ok := kv.Key.(*ast.Ident); !ok || key.Name != "body" {
					continue
				}
				body, ok := kv.Value.(*ast.CompositeLit)
				if !ok {
					t.Errorf("%s: op body %T is not a composite literal", fset.Position(kv.Pos()), kv.Value)
					continue
				}
				switch typ := body.Type.(type) {
				case *ast.Ident:
					found = append(found, "api."+typ.Name)
				case *ast.SelectorExpr:
					found = append(found, typ.X.(*ast.Ident).Name+"."+typ.Sel.Name)
				default:
					t.Errorf("%s: op body of unexpected form", fset.Position(kv.Pos()))
				}
			}
			return true
		})
	}
	if len(found) < 20 {
		t.Fatalf("found only %d request bodies in the routes: %v", len(found), found)
	}
	for _, name := range found {
		if !slices.ContainsFunc(requestBodies, func(b requestBody) bool { return b.name == name }) {
			t.Errorf("route body %s is not in requestBodies: add it to the fuzz target", name)
		}
	}
}

// decodeJSON takes exactly one JSON object: trailing data and bare
// non-object values are a 400 like any other malformed body. (encoding/json's
// Decoder.More reports false before a stray ']' or '}', so "{}}" slipped
// through; and "null" decodes into a struct as if it were "{}".)
func TestDecodeJSONTakesExactlyOneObject(t *testing.T) {
	for _, body := range []string{
		`{}}`, `{}]`, `{"email":"līga@example.lv"}]]]`, `{} }`, "{}\n]",
		`null`, ` null `,
	} {
		t.Run(body, func(t *testing.T) {
			for _, b := range requestBodies {
				err := decodeJSON([]byte(body), b.new())
				if err == nil {
					t.Fatalf("%s: %q decoded without error", b.name, body)
				}
				checkMalformed(t, b.name, []byte(body), err)
			}
		})
	}
	for _, body := range []string{`{}`, " {} \n", `{"email":"līga@example.lv"}`} {
		if err := decodeJSON([]byte(body), new(accounts.Registration)); err != nil {
			t.Fatalf("%q: %v", body, err)
		}
	}
}
