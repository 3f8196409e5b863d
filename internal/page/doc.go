// Package page holds the list conventions of the API: a limit (default 50,
// at most 200) and an opaque cursor that continues after the last item seen.
package page
