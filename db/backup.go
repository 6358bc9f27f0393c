package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a consistent snapshot of the live database to dst with
// VACUUM INTO, which readers and the writer can keep using meanwhile.
func (d *DB) Backup(ctx context.Context, dst string) error {
	return vacuumInto(ctx, d.sql, dst)
}

// BackupFile snapshots the database file at src (not opened by this
// process) to dst.
func BackupFile(ctx context.Context, src, dst string) error {
	sdb, err := sql.Open("sqlite3", "file:"+src+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer sdb.Close()
	return vacuumInto(ctx, sdb, dst)
}

func vacuumInto(ctx context.Context, sdb *sql.DB, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("backup folder: %w", err)
	}
	tmp := dst + ".partial"
	_ = os.Remove(tmp)
	if _, err := sdb.ExecContext(ctx, "VACUUM INTO '"+strings.ReplaceAll(tmp, "'", "''")+"'"); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("vacuum into %s: %w", dst, err)
	}
	// The snapshot holds everything the database does (accounts, share
	// settings): only Pinhole's user may read it, whatever the umask.
	if err := os.Chmod(tmp, 0o600); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("backup %s: %w", dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return nil
}
