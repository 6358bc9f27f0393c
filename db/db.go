// Package db owns Pinhole's SQLite database: opening it with the right
// pragmas, applying the embedded numbered migrations, and every SQL statement
// the rest of the program runs. No other package writes SQL.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Errors callers can test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
	// ErrTooNew means the database was written by a newer Pinhole.
	ErrTooNew = errors.New("database is newer than this program")
)

// DB is an open Pinhole database. It is safe for concurrent use.
type DB struct {
	sql  *sql.DB
	path string
	now  func() time.Time
	// turns lets list queries through in arrival order, as many at a
	// time as there are connections. database/sql hands a freed
	// connection to a random waiter, which under load leaves some
	// requests waiting far longer than others.
	turns chan struct{}
	// vocab is the search vocabulary behind Suggest (db/suggest.go).
	vocab vocabCache
	// badMetaHook and badMetaCount report stored metadata that could not
	// be decoded (db/merge.go).
	badMetaHook  func(BadMeta)
	badMetaCount atomic.Int64
	// editedHook is told which photos a user's edit changed
	// (db/sidecars.go).
	editedHook func(ids []int64)
	// kept holds the folder, places and camera lists until the library
	// changes (db/foldercounts.go).
	kept kept
}

// Open opens (creating if needed) the database at path and migrates it to the
// current schema. path ":memory:" gives a private in-memory database.
func Open(ctx context.Context, path string) (*DB, error) {
	dsn := dsnFor(path)
	sdb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	conns := 1
	if path == ":memory:" {
		// Every connection to ":memory:" is a separate database.
		sdb.SetMaxOpenConns(1)
	} else {
		// One connection per core: SQLite's work is CPU-bound, so more
		// connections only add contention and page caches (up to 4 MB
		// each). On 2 cores, 2 connections gave 1.4k searches/s at a p99
		// of 41 ms where 4 gave 65 ms and 8 gave 91 ms (scripts/bench-api.sh).
		// No code holds one connection while asking for another.
		conns = max(2, runtime.NumCPU())
		sdb.SetMaxOpenConns(conns)
		sdb.SetMaxIdleConns(conns)
	}
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{sql: sdb, path: path, now: time.Now, turns: make(chan struct{}, conns)}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := d.migrate(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return d, nil
}

func dsnFor(p string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	q.Set("_cache_size", "-4000") // KiB per connection: keeps RSS small on a Pi
	if p == ":memory:" {
		return "file::memory:?" + q.Encode()
	}
	return "file:" + p + "?" + q.Encode()
}

// wait takes a turn for a read query (see DB.turns); the returned
// function gives it back.
func (d *DB) wait(ctx context.Context) (func(), error) {
	select {
	case d.turns <- struct{}{}:
		return func() { <-d.turns }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close closes the database, checkpointing the WAL.
func (d *DB) Close() error {
	if d.path != ":memory:" {
		_, _ = d.sql.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	return d.sql.Close()
}

// Path is the file the database lives in.
func (d *DB) Path() string { return d.path }

func (d *DB) stamp() string { return formatTime(d.now()) }

// TimeLayout is how times are stored: sortable text, UTC unless a column says
// otherwise.
const TimeLayout = "2006-01-02 15:04:05"

func formatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a stored time; an empty or bad value gives the zero time.
func ParseTime(s string) time.Time {
	t, _ := time.ParseInLocation(TimeLayout, s, time.UTC)
	return t
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, e.Name(), string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// SchemaVersion is the newest migration this program knows.
func SchemaVersion() int {
	ms, _ := migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Version reports the schema version the database is at.
func (d *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := d.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// migrate applies every migration newer than the database's user_version,
// each in its own transaction, and refuses a database from a newer program.
func (d *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	cur, err := d.Version(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if latest := ms[len(ms)-1].version; cur > latest {
		return fmt.Errorf("%w: schema %d, this Pinhole knows up to %d; upgrade Pinhole", ErrTooNew, cur, latest)
	}
	for _, m := range ms {
		if m.version <= cur {
			continue
		}
		err := d.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// PendingMigrations reports whether opening would change the schema, so the
// caller can back up first. It opens the file read-only.
func PendingMigrations(ctx context.Context, path string) (bool, int, error) {
	sdb, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return false, 0, err
	}
	defer sdb.Close()
	var v int
	if err := sdb.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, 0, err
	}
	return v > 0 && v < SchemaVersion(), v, nil
}

// tx runs fn in a transaction, committing on success.
func (d *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	// Any write may change what search can find: the vocabulary of
	// suggestions is rebuilt on its next use.
	defer d.vocab.changed()
	return tx.Commit()
}

// IsBusy reports whether err is SQLite's "database is locked/busy".
func IsBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	return false
}

// IsFull reports whether err means the disk holding the database is full.
func IsFull(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrFull || se.Code == sqlite3.ErrIoErr && se.ExtendedCode == sqlite3.ErrIoErrWrite
	}
	return errors.Is(err, syscall.ENOSPC)
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict.
func (d *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var s string
	err := d.sql.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&s)
	return s, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
