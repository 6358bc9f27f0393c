// Package oldlib rebuilds, for tests, a library indexed by an older
// Pinhole: its database as that version wrote it (schema 13, metadata
// blobs with Go field names, no reader versions, a reader that did not
// read lens models yet, one photo edited by a user) and the originals
// behind it, byte for byte and with the modification times the database
// recorded. testdata/gen.go says how the database was written. Only tests
// import it.
package oldlib

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
)

// ModTime is every original's modification time as the database has it.
var ModTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// What the library holds, as the tests assert it.
const (
	EditedFile  = "edited/Google.jpg" // the photo the user edited; its sidecar is edited/Google.xmp
	EditedTitle = "Our evening in Madrid"
	EditedTaken = "2001-02-03 04:05:06" // with the zone +60 minutes
	EditedAlbum = "Keepers"             // the photo is in it, and a favourite
	StackRAW    = "trip/IMG_1.CR2"      // with trip/IMG_1.JPG (primary) and trip/IMG_1.xmp
	StackJPEG   = "trip/IMG_1.JPG"
	PlainFile   = "2016/Apple.jpg"
	Files       = 7 // files in the database, sidecars included
)

// Lenses are the lens models of files whose lens the old reader left out.
var Lenses = map[string]string{
	PlainFile:  "iPhone 7 back camera 3.99mm f/1.8",
	EditedFile: "Pixel 8 Pro back camera 6.9mm f/1.68",
}

// Build writes the old database to dbPath and the originals into a new
// temporary folder, which it returns.
func Build(tb testing.TB, dbPath string) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "testdata")
	if err := gunzip(filepath.Join(dir, "reader0.db.gz"), dbPath); err != nil {
		tb.Fatal(err)
	}
	root := tb.TempDir()
	if err := os.CopyFS(root, os.DirFS(filepath.Join(dir, "originals"))); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "files.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rel, src, _ := strings.Cut(line, "\t")
		b, err := os.ReadFile(corpus.Path(tb, src))
		if err != nil {
			tb.Fatal(err)
		}
		Write(tb, root, rel, b)
	}
	err = filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		return os.Chtimes(p, ModTime, ModTime)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return root
}

// Write puts data at rel under root, creating folders.
func Write(tb testing.TB, root, rel string, data []byte) {
	tb.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func gunzip(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
