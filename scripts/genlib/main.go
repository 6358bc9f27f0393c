//go:build synthetic

// Command genlib writes a synthetic photo library straight into a Pinhole
// database (rows only, no image files), for the web app's 100k-photo
// timeline test and for benchmarks. The generator is built only with the
// synthetic tag:
//
//	go run -tags 'sqlite_fts5 synthetic' ./scripts/genlib -data /tmp/lib -n 100000
//
// Serve it with `pinhole serve --data /tmp/lib --originals <empty folder>
// --demo=false`; thumbnails answer with placeholders.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"pinhole/db"
)

func main() {
	data := flag.String("data", "", "Pinhole data folder to create the database in (must not hold one)")
	n := flag.Int("n", 100000, "number of photos")
	seed := flag.Uint64("seed", 1, "random seed; same seed, same library")
	flag.Parse()
	if err := run(*data, *n, *seed); err != nil {
		slog.Error("genlib failed", "err", err)
		os.Exit(1)
	}
}

func run(data string, n int, seed uint64) error {
	if data == "" {
		return fmt.Errorf("-data is required")
	}
	path := filepath.Join(data, "pinhole.db")
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists; genlib only fills a new database", path)
	}
	if err := os.MkdirAll(data, 0o755); err != nil {
		return fmt.Errorf("make data folder: %w", err)
	}
	ctx := context.Background()
	start := time.Now()
	d, err := db.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, n, seed); err != nil {
		return fmt.Errorf("insert photos: %w", err)
	}
	slog.Info("synthetic library written", "photos", n, "db", path, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
