package db

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenMigratesAndRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "pinhole.db")
	d, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := d.Version(ctx)
	if v != SchemaVersion() || v < 2 {
		t.Fatalf("schema version %d, want %d", v, SchemaVersion())
	}
	var mode, fk string
	d.sql.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	d.sql.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
	if mode != "wal" || fk != "1" {
		t.Fatalf("journal_mode %s foreign_keys %s, want wal and 1", mode, fk)
	}
	// A database from a newer Pinhole is refused with a clear message.
	d.sql.ExecContext(ctx, "PRAGMA user_version = 999")
	d.Close()
	_, err = Open(ctx, p)
	if !errors.Is(err, ErrTooNew) || !strings.Contains(err.Error(), "upgrade Pinhole") {
		t.Fatalf("newer database: err = %v", err)
	}
}

func TestBackupIsConsistentCopy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := Open(ctx, filepath.Join(dir, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetSetting(ctx, "k", "v")
	dst := filepath.Join(dir, "backups", "b.db")
	if err := d.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if v, _ := b.Setting(ctx, "k"); v != "v" {
		t.Fatalf("backup lost setting: %q", v)
	}
	if ok, _ := b.IntegrityCheck(ctx); ok != "ok" {
		t.Fatalf("integrity %q", ok)
	}
}

func TestStem(t *testing.T) {
	for in, want := range map[string]string{
		"IMG_1.JPG": "img_1", "IMG_1.cr2": "img_1", "IMG_1.xmp": "img_1", "IMG_1.JPG.xmp": "img_1",
		"noext": "noext", ".hidden": ".hidden", "a.b.c.jpg": "a.b.c",
	} {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

// A search waiting for its turn gives up when its request is cancelled,
// and turns come back when queries finish.
func TestQueryTurns(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var held []func()
	for range cap(d.turns) {
		done, err := d.wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, done)
	}
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := d.SearchPhotos(cctx, PhotoQuery{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("search with every turn taken: %v, want the deadline", err)
	}
	for _, done := range held {
		done()
	}
	for range 3 * cap(d.turns) {
		if _, err := d.SearchPhotos(ctx, PhotoQuery{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(d.turns); n != 0 {
		t.Errorf("%d turns still taken after the searches", n)
	}
}
