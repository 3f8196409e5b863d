// Package database owns the connection to the relational store: PostgreSQL in
// production, an embedded SQLite file by default. It carries the current
// transaction in the context so that domain services own transaction
// boundaries while their stores simply ask for Conn(ctx), and it translates
// driver errors into the few sentinels the domains care about. Records
// reads whole rows as column → value, for exports of a person's data.
package database
