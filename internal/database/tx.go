package database

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type txKey struct{}

// Conn returns the transaction carried by ctx, or the pool when there is
// none, bound to ctx either way. Stores call it for every query so that they
// join whatever transaction the calling service opened.
func (db *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.gorm.WithContext(ctx)
}

// InTransaction reports whether ctx carries a transaction.
func InTransaction(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// InTx runs fn in a transaction carried by the context it receives. A call
// inside another InTx joins the outer transaction rather than nesting, so a
// service can compose other services' operations into one commit.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
	return Translate(err)
}

// ForUpdate is Conn with SELECT … FOR NO KEY UPDATE on PostgreSQL, so a
// read-modify-write inside a transaction holds the rows it read, while
// inserts that merely reference those rows (foreign keys) go on. SQLite
// needs no clause: its transactions take the write lock when they begin.
func (db *DB) ForUpdate(ctx context.Context) *gorm.DB {
	if db.dialect == Postgres {
		return db.Conn(ctx).Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	return db.Conn(ctx)
}
