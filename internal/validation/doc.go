// Package validation checks request values against the rules their types
// declare in `validate` tags and reports every broken rule per JSON field, so
// a client can show each message beside the field it concerns.
package validation
