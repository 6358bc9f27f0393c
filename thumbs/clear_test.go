package thumbs

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"pinhole/app/corpus"
)

// Clearing the cache removes every thumbnail file, resets the sizes the
// settings page shows, and the next request renders again; thumbnails the
// previous run left on disk (indexed by the start-up scan) go too.
func TestClearCache(t *testing.T) {
	dir := t.TempDir()
	src := Source{Path: corpus.Path(t, "exif-py/jpg/orientation/landscape_6.jpg"), Hash: hashOf("clear")}
	first := newService(t, Config{CacheDir: dir})
	if _, err := first.Get(context.Background(), src, mustSize(t, "tile_224")); err != nil {
		t.Fatal(err)
	}
	first.Close()

	s := newService(t, Config{CacheDir: dir}) // finds the tile on disk
	if _, err := s.Get(context.Background(), src, mustSize(t, "fit_720")); err != nil {
		t.Fatal(err)
	}
	before := s.Stats()
	files, bytes := s.ClearCache()
	if files != 2 || bytes != before.Bytes || bytes == 0 {
		t.Errorf("cleared %d files, %d bytes; the cache held 2 files, %d bytes", files, bytes, before.Bytes)
	}
	if n := countFiles(t, dir); n != 0 {
		t.Errorf("%d files left in the cache folder", n)
	}
	if st := s.Stats(); st.Files != 0 || st.Bytes != 0 {
		t.Errorf("stats after clearing: %+v", st)
	}
	r, err := s.Get(context.Background(), src, mustSize(t, "fit_720"))
	if err != nil || r.Path == "" || countFiles(t, dir) != 1 || s.Stats().Renders != 2 {
		t.Errorf("after clearing: %v, path %q, %d files, %d renders", err, r.Path, countFiles(t, dir), s.Stats().Renders)
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}
