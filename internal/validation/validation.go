package validation

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

// FieldError is one broken rule, named by the JSON field it concerns.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error lists every broken rule of one value.
type Error struct{ Fields []FieldError }

func (e *Error) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "validation: " + strings.Join(parts, "; ")
}

// Fail builds an Error from field/message pairs for rules no tag expresses.
func Fail(fields ...FieldError) error { return &Error{Fields: fields} }

// Field is a shorthand for one FieldError.
func Field(name, message string) FieldError { return FieldError{Field: name, Message: message} }

var (
	once     sync.Once
	validate *validator.Validate
)

func instance() *validator.Validate {
	once.Do(func() {
		validate = validator.New(validator.WithRequiredStructEnabled())
		validate.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				return ""
			}
			return name
		})
	})
	return validate
}

// Struct checks v's `validate` tags and returns nil or an *Error.
func Struct(v any) error {
	err := instance().Struct(v)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err
	}
	out := &Error{}
	for _, fe := range verrs {
		field := fe.Namespace()
		if i := strings.Index(field, "."); i >= 0 {
			field = field[i+1:] // drop the type name
		}
		out.Fields = append(out.Fields, FieldError{Field: field, Message: message(fe)})
	}
	return out
}

func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be an e-mail address"
	case "min":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at least %s characters", fe.Param())
		}
		return "must be at least " + fe.Param()
	case "max":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at most %s characters", fe.Param())
		}
		return "must be at most " + fe.Param()
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "uuid", "uuid4":
		return "must be a UUID"
	case "gte":
		return "must be at least " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	case "dive":
		return "has an invalid entry"
	}
	return "is not valid (" + fe.Tag() + ")"
}

// Join puts the broken rules of several checks of one value into one
// Error, so a person hears of every problem at once rather than one per
// attempt. Nil errors are skipped; an error that is not an *Error is
// returned as it is.
func Join(errs ...error) error {
	var fields []FieldError
	for _, err := range errs {
		if err == nil {
			continue
		}
		var v *Error
		if !errors.As(err, &v) {
			return err
		}
		fields = append(fields, v.Fields...)
	}
	if len(fields) == 0 {
		return nil
	}
	return &Error{Fields: fields}
}

// Has reports whether err names a problem of field.
func Has(err error, field string) bool {
	var v *Error
	if !errors.As(err, &v) {
		return false
	}
	for _, f := range v.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
