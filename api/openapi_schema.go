package api

import (
	"maps"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// direction tells a schema which way its value travels: a request body is
// read by the decoder and checked by its `validate` tags, a reply is
// written by the encoder, and the two differ in what is required and what
// may be null.
type direction int

const (
	toServer direction = iota // request bodies
	toClient                  // replies
)

var timeType = reflect.TypeFor[time.Time]()

// schemas builds the JSON Schemas (OpenAPI 3.1 uses 2020-12) of Go types,
// following the json tags the encoder and decoder follow. A named struct
// becomes a component, one for each direction it travels in, referenced
// wherever it appears.
type schemas struct {
	defs     map[string]any // components/schemas
	problems map[string]any // components/responses
	named    map[schemaKey]string
	types    map[string]schemaKey // who holds each name
}

type schemaKey struct {
	t   reflect.Type
	dir direction
}

func newSchemas() *schemas {
	return &schemas{defs: map[string]any{}, problems: map[string]any{}, named: map[schemaKey]string{}, types: map[string]schemaKey{}}
}

// of is the schema of a value of type t.
func (b *schemas) of(t reflect.Type, dir direction) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": b.of(t.Elem(), dir)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": b.of(t.Elem(), dir)}
	case reflect.Struct:
		if t.Name() == "" {
			return b.structSchema(t, dir)
		}
		return map[string]any{"$ref": "#/components/schemas/" + b.component(t, dir)}
	}
	return map[string]any{} // interface values: anything
}

// component names t's schema in components/schemas, building it once.
func (b *schemas) component(t reflect.Type, dir direction) string {
	key := schemaKey{t, dir}
	if name, ok := b.named[key]; ok {
		return name
	}
	name := componentName(t, dir)
	if other, taken := b.types[name]; taken && other != key {
		name = exported(path.Base(t.PkgPath())) + name // two packages, one type name
	}
	b.named[key], b.types[name] = name, key
	b.defs[name] = map[string]any{} // taken before the fields, which may refer back
	b.defs[name] = b.structSchema(t, dir)
	return name
}

var typeArgs = regexp.MustCompile(`^(\w+)\[(?:[\w./]*\.)?(\w+)\]$`)

// componentName is a type's name as a component: exported, list[Course]
// as CourseList, and request bodies (and their parts) with Request, as they
// differ from the replies of the same type in what is required.
func componentName(t reflect.Type, dir direction) string {
	name := t.Name()
	if m := typeArgs.FindStringSubmatch(name); m != nil {
		name = m[2] + exported(m[1])
	}
	name = exported(name)
	if dir == toServer && !strings.HasSuffix(name, "Request") {
		name += "Request"
	}
	return name
}

func exported(name string) string {
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

func (b *schemas) structSchema(t reflect.Type, dir direction) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			// The encoder lifts an embedded struct's fields into this one.
			inner := f.Type
			for inner.Kind() == reflect.Pointer {
				inner = inner.Elem()
			}
			embedded := b.structSchema(inner, dir)
			maps.Copy(props, embedded["properties"].(map[string]any))
			if r, ok := embedded["required"].([]string); ok {
				required = append(required, r...)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		s, req := b.fieldSchema(t, f, name, strings.Contains(opts, "omitempty"), dir)
		props[name] = s
		if req {
			required = append(required, name)
		}
	}
	s := map[string]any{"type": "object", "properties": props}
	if required != nil {
		slices.Sort(required)
		s["required"] = slices.Compact(required)
	}
	return s
}

// fieldSchema is the schema of one field and whether it is required.
//
// In a reply a field is always there unless omitempty drops it, and a nil
// pointer without omitempty is written as null. In a request a field is
// required only when its `validate` tag says so; a pointer that is not
// required may be absent or null (PATCH bodies: left as it is), and a
// field that is neither is absent or its zero value, taken as the default.
func (b *schemas) fieldSchema(owner reflect.Type, f reflect.StructField, name string, omitempty bool, dir direction) (map[string]any, bool) {
	pointer := f.Type.Kind() == reflect.Pointer
	s := b.of(f.Type, dir)
	idFormat(s, name, owner)
	rules := strings.Split(f.Tag.Get("validate"), ",")
	required := slices.Contains(rules, "required")
	if values, ok := closedSets[owner][name]; ok {
		setEnum(s, values)
	}
	applyRules(s, rules, !pointer && slices.Contains(rules, "omitempty"))
	if required && !lenient[owner][name] && s["type"] == "string" && s["minLength"] == nil {
		s["minLength"] = 1 // required refuses the empty string
	}
	switch dir {
	case toClient:
		// A nil map is written as null; the domains hand out empty
		// slices, not nil ones, where a list may have no items.
		if (pointer || f.Type.Kind() == reflect.Map) && !omitempty {
			nullable(s)
		}
		return s, !omitempty
	default:
		if lenient[owner][name] {
			required = false
		}
		// The decoder takes null as absent: a nil pointer, slice or
		// map, or a value left at its zero, the default.
		if !required {
			nullable(s)
		}
		return s, required
	}
}

// idFormat marks ids as UUIDs: a field named id or ending in _id, and the
// items of one ending in _ids, unless notUUID says the field holds more.
func idFormat(s map[string]any, name string, owner reflect.Type) {
	switch kind := notUUID[owner][name]; {
	case kind == anyText:
	case (name == "id" || strings.HasSuffix(name, "_id")) && s["type"] == "string":
		if kind == uuidOrEmpty {
			s["anyOf"] = []any{map[string]any{"format": "uuid"}, map[string]any{"maxLength": 0}}
		} else {
			s["format"] = "uuid"
		}
	case strings.HasSuffix(name, "_ids") && s["type"] == "array":
		if items, ok := s["items"].(map[string]any); ok && items["type"] == "string" {
			items["format"] = "uuid"
		}
	}
}

// applyRules turns `validate` rules into JSON Schema keywords. Rules after
// dive are the items'. zeroAllowed: omitempty on a value that is not a
// pointer lets its zero value skip the rules.
func applyRules(s map[string]any, rules []string, zeroAllowed bool) {
	for i, rule := range rules {
		key, arg, _ := strings.Cut(rule, "=")
		switch key {
		case "dive":
			if items, ok := s["items"].(map[string]any); ok {
				applyRules(items, rules[i+1:], false)
			}
			return
		case "oneof":
			values := strings.Fields(arg)
			if zeroAllowed {
				values = append(values, "")
			}
			setEnum(s, values)
		case "email":
			s["format"] = "email"
			s["description"] = "an e-mail address; spaces around it are ignored, and it is kept in lower case"
		case "min", "gte", "max", "lte":
			n, err := strconv.ParseFloat(arg, 64)
			if err != nil {
				continue
			}
			lower := key == "min" || key == "gte"
			switch s["type"] {
			case "string":
				s[map[bool]string{true: "minLength", false: "maxLength"}[lower]] = int(n)
			case "array":
				s[map[bool]string{true: "minItems", false: "maxItems"}[lower]] = int(n)
			case "integer", "number":
				if zeroAllowed && lower && n > 0 {
					continue // 0 stands for the default
				}
				s[map[bool]string{true: "minimum", false: "maximum"}[lower]] = n
			}
		}
	}
}

// setEnum closes a string schema, or the items or values of an array or
// map of strings, to values.
func setEnum(s map[string]any, values []string) {
	target := s
	switch s["type"] {
	case "array":
		target, _ = s["items"].(map[string]any)
	case "object":
		target, _ = s["additionalProperties"].(map[string]any)
	}
	if target == nil {
		return
	}
	enum := make([]any, len(values))
	for i, v := range values {
		enum[i] = v
	}
	target["enum"] = enum
}

// nullable lets a schema take null too (OpenAPI 3.1: a list of types).
func nullable(s map[string]any) {
	if ref, ok := s["$ref"]; ok {
		delete(s, "$ref")
		s["anyOf"] = []any{map[string]any{"$ref": ref}, map[string]any{"type": "null"}}
		return
	}
	t, ok := s["type"].(string)
	if !ok {
		return // no type: null is allowed already
	}
	s["type"] = []string{t, "null"}
	if enum, ok := s["enum"].([]any); ok {
		s["enum"] = append(enum, nil)
	}
}
