//go:build synthetic

// Command genlib writes a synthetic photo library straight into a Pinhole
// database (rows only, no image files), for the web app's 100k-photo
// timeline test and for benchmarks. The generator is built only with the
// synthetic tag:
//
//	go run -tags 'sqlite_fts5 synthetic' ./scripts/genlib -data /tmp/lib -n 100000
//
// Serve it with `pinhole serve --data /tmp/lib --originals <empty folder>
// --demo=false`; thumbnails answer with placeholders. With -tree DIR it also
// makes a folder tree whose files match the rows' paths, sizes and times
// (empty sparse files: no disk blocks), so a scan finds the library
// unchanged instead of marking it missing (scripts/bench-million.sh).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"pinhole/db"
)

func main() {
	data := flag.String("data", "", "Pinhole data folder to create the database in (must not hold one)")
	n := flag.Int("n", 100000, "number of photos")
	seed := flag.Uint64("seed", 1, "random seed; same seed, same library")
	tree := flag.String("tree", "", "also make a folder tree of empty files matching the rows here (must not exist)")
	flag.Parse()
	if err := run(*data, *n, *seed, *tree); err != nil {
		slog.Error("genlib failed", "err", err)
		os.Exit(1)
	}
}

func run(data string, n int, seed uint64, tree string) error {
	if data == "" {
		return fmt.Errorf("-data is required")
	}
	if tree != "" {
		if _, err := os.Stat(tree); err == nil {
			return fmt.Errorf("%s exists; -tree makes a new folder", tree)
		}
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
	if tree == "" {
		return nil
	}
	start = time.Now()
	files, err := makeTree(ctx, d, tree)
	if err != nil {
		return fmt.Errorf("make tree: %w", err)
	}
	slog.Info("matching folder tree made", "files", files, "folder", tree, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// makeTree creates an empty file of the right size (a hole: no disk
// blocks) and modification time for every file row, several at a time.
func makeTree(ctx context.Context, d *db.DB, root string) (int, error) {
	type file struct {
		path        string
		size, mtime int64
	}
	jobs := make(chan file, 256)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				if err := emptyFile(filepath.Join(root, filepath.FromSlash(f.path)), f.size, f.mtime); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	n, dirs := 0, map[string]bool{}
	err := d.SyntheticFiles(ctx, func(p string, size, mtime int64) error {
		if dir := filepath.Join(root, filepath.Dir(filepath.FromSlash(p))); !dirs[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			dirs[dir] = true
		}
		n++
		select {
		case jobs <- file{p, size, mtime}:
			return nil
		case err := <-errs:
			return err
		}
	})
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return n, err
}

func emptyFile(path string, size, mtime int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	t := time.Unix(0, mtime)
	return os.Chtimes(path, t, t)
}
