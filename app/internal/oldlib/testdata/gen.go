//go:build ignore

// gen wrote reader0.db, the database of a library indexed by an older
// Pinhole: commit cc57304 (schema 13, before files recorded the version of
// the reader that read them, and while stored metadata used Go's field
// names), with one change standing for "a reader that did not know a
// field yet": the line `in.Lens = firstNonEmpty(e.lens, x.lens)` removed
// from finish() in app/meta/read.go, so no file has a lens. A user then
// edited one photo: title, taken date and zone, favourite, an album.
//
// To write it again: check out cc57304, remove that line, copy this file
// (without its build line) to cmd/gen/main.go there, and run
//
//	go run -tags sqlite_fts5 ./cmd/gen CORPUS FIXTURE OUT.db && gzip -9 OUT.db
//
// with CORPUS the shared corpus and FIXTURE this folder. Every file gets
// the modification time ModTime (app/internal/oldlib), so the tests can
// rebuild the originals from files.tsv exactly as the database knows them.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pinhole/app/index"
	"pinhole/db"
)

func main() {
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(corpus, fixture, out string) error {
	ctx := context.Background()
	root, err := os.MkdirTemp("", "reader0")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	if err := os.CopyFS(root, os.DirFS(filepath.Join(fixture, "originals"))); err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(fixture, "files.tsv"))
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rel, src, _ := strings.Cut(line, "\t")
		if err := copyFile(filepath.Join(corpus, src), filepath.Join(root, rel)); err != nil {
			return err
		}
	}
	mtime := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) // oldlib.ModTime
	err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		return os.Chtimes(p, mtime, mtime)
	})
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, out)
	if err != nil {
		return err
	}
	defer d.Close()
	ix := index.New(d, index.Options{Root: root, Workers: 1})
	if _, err := ix.Scan(ctx, false); err != nil {
		return err
	}
	p, err := d.PhotoByPath(ctx, "edited/Google.jpg")
	if err != nil {
		return err
	}
	title, offset := "Our evening in Madrid", 60
	if err := d.EditPhoto(ctx, p.ID, db.PhotoEdit{Title: &title, SetTaken: true,
		TakenLocal: "2001-02-03 04:05:06", TakenOffset: &offset}); err != nil {
		return err
	}
	if err := d.SetFlag(ctx, p.ID, "favorite", true); err != nil {
		return err
	}
	a, err := d.CreateAlbum(ctx, "Keepers", "")
	if err != nil {
		return err
	}
	_, err = d.AddToAlbum(ctx, a.ID, []int64{p.ID})
	return err
}

func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
