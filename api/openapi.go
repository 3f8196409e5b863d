package api

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var fiberParam = regexp.MustCompile(`:([A-Za-z_]+)\??|\*`)

// openAPIPath turns /users/:id into /users/{id}.
func openAPIPath(p string) string {
	return fiberParam.ReplaceAllStringFunc(p, func(m string) string {
		if m == "*" {
			return "{path}"
		}
		return "{" + strings.TrimSuffix(m[1:], "?") + "}"
	})
}

// openAPI builds the OpenAPI 3.1 document of every registered route.
func openAPI(ops []op, version string) ([]byte, error) {
	paths := map[string]map[string]any{}
	for _, o := range ops {
		path := openAPIPath(o.path)
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		operation := map[string]any{
			"summary":     o.summary,
			"tags":        []string{o.tag},
			"operationId": strings.ToLower(o.method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_", ".", "_").Replace(path),
			"responses":   responses(o),
		}
		var params []map[string]any
		for _, m := range fiberParam.FindAllString(o.path, -1) {
			name := "path"
			if m != "*" {
				name = strings.TrimSuffix(m[1:], "?")
			}
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range o.query {
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.description, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			operation["parameters"] = params
		}
		if o.body != nil {
			operation["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(o.body))}},
			}
		}
		if o.access != anyone {
			operation["security"] = []map[string][]string{{"bearer": {}}}
			operation["x-roles"] = accessName(o.access)
		}
		paths[path][strings.ToLower(o.method)] = operation
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "mooc: e-learning for social workers",
			"version":     version,
			"description": "Online courses, in-person programmes and completion certificates for municipal social workers. Errors are application/problem+json with a stable `code`.",
		},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Problem": map[string]any{
				"type": "object",
				"properties": map[string]any{
					"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"},
					"status": map[string]any{"type": "integer"}, "detail": map[string]any{"type": "string"},
					"code": map[string]any{"type": "string"},
					"errors": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{
						"field": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}},
				},
			}},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

func accessName(a access) string {
	return [...]string{"anyone", "any signed-in user", "author or team", "team"}[a]
}

func responses(o op) map[string]any {
	ok := map[string]any{"description": "success"}
	switch {
	case o.raw != "":
		ok["content"] = map[string]any{o.raw: map[string]any{}}
	case o.reply != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(o.reply))}}
	}
	out := map[string]any{strconv.Itoa(o.status): ok}
	problem := map[string]any{"description": "problem", "content": map[string]any{
		"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	out["default"] = problem
	return out
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf describes a Go type as JSON Schema (OpenAPI 3.1 uses 2020-12),
// following the json tags the encoder follows.
func schemaOf(t reflect.Type) map[string]any {
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
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		var required []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				if inner := schemaOf(f.Type); inner["properties"] != nil {
					for k, v := range inner["properties"].(map[string]any) {
						props[k] = v
					}
				}
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = schemaOf(f.Type)
			if strings.Contains(f.Tag.Get("validate"), "required") && !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
		s := map[string]any{"type": "object", "properties": props}
		if required != nil {
			s["required"] = required
		}
		return s
	}
	return map[string]any{}
}
