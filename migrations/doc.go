// Package migrations owns the schema history: numbered SQL files embedded in
// the binary and applied in order, each in its own transaction, by
// `mooc migrate` and at start-up.
//
// One history serves both databases. The files are written in the subset of
// SQL that PostgreSQL and SQLite share; the few type names that differ are
// rewritten for SQLite when the files are read (see dialectTypes), so a
// version number means the same schema everywhere.
package migrations
