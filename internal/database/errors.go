package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// Sentinels that stores translate driver errors into.
var (
	ErrNotFound    = errors.New("database: not found")
	ErrDuplicate   = errors.New("database: duplicate key")
	ErrUnavailable = errors.New("database: unavailable")
	// ErrReferenced: a row other rows still refer to (a foreign key) was
	// to be deleted, or a reference named a row that is not there.
	ErrReferenced = errors.New("database: still referred to")
)

// Translate maps driver and GORM errors onto the sentinels above, keeping
// the original error in the chain for logs. Other errors pass through.
func Translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrDuplicate), errors.Is(err, ErrUnavailable), errors.Is(err, ErrReferenced):
		return err
	case errors.Is(err, gorm.ErrRecordNotFound):
		return errors.Join(ErrNotFound, err)
	case errors.Is(err, gorm.ErrDuplicatedKey) || isUniqueViolation(err):
		return errors.Join(ErrDuplicate, err)
	case errors.Is(err, gorm.ErrForeignKeyViolated) || isForeignKeyViolation(err):
		return errors.Join(ErrReferenced, err)
	case unreachable(err):
		return errors.Join(ErrUnavailable, err)
	}
	return err
}

// Retryable reports an error that aborted a transaction only because of
// another one running at the same time (a deadlock PostgreSQL broke, a
// serialisation failure): the same transaction, run again, may well
// succeed.
func Retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	return strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// unreachable recognises the ways a lost or refused connection surfaces:
// dial errors, resets, the server shutting down, or the pool giving up.
func unreachable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is connection exception; 57P0x is the server going away.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P0")
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, sql.ErrConnDone) || pgconn.Timeout(err) ||
		// database/sql does not export its "closed" error.
		strings.Contains(err.Error(), "sql: database is closed")
}
