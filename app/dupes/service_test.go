package dupes

import (
	"context"
	"path/filepath"
	"testing"

	"pinhole/app/index"
	"pinhole/app/testkit"
	"pinhole/db"
	"pinhole/thumbs"
)

// The background hashing, as the server runs it: every photo of a real
// index gets a hash from its fit_256 rendition, a copy saved at another
// quality groups with its original, a video or a photo in the Trash is
// left alone, and a photo whose file changes is hashed again.
func TestServiceHashesInTheBackground(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	root := filepath.Join(dir, "photos")
	pic := func(seed uint64, q int) []byte {
		return testkit.JPEG(testkit.Photo{W: 640, H: 480, Seed: seed, Quality: q})
	}
	testkit.WriteFile(t, root, "a.jpg", pic(1, 92))
	testkit.WriteFile(t, root, "a-copy.jpg", pic(1, 55))
	testkit.WriteFile(t, root, "b.jpg", pic(2, 90))
	testkit.WriteFile(t, root, "c.jpg", pic(3, 90))
	d, err := db.Open(ctx, filepath.Join(dir, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ix := index.New(d, index.Options{Root: root, Workers: 1})
	if _, err := ix.Scan(ctx, false); err != nil {
		t.Fatal(err)
	}
	th, err := thumbs.New(thumbs.Config{CacheDir: filepath.Join(dir, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	defer th.Close()
	photo := func(rel string) db.Photo {
		p, err := d.PhotoByPath(ctx, rel)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := d.TrashPhotos(ctx, []int64{photo("c.jpg").ID}); err != nil {
		t.Fatal(err)
	}
	s := New(d, th, Options{Originals: root, Batch: 2, Pause: 1})
	batches := 0
	s.hashed = func(int) { batches++ }
	for {
		n, err := s.HashSome(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if batches != 3 { // 2 + 1 photos, then none
		t.Errorf("%d batches, want 3 (two photos, one, none)", batches)
	}
	if n, _ := d.CountToHash(ctx); n != 0 {
		t.Errorf("%d photos still to hash", n)
	}
	gs, err := s.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, copy := photo("a.jpg").ID, photo("a-copy.jpg").ID
	if len(gs) != 1 || len(gs[0].Photos) != 2 || gs[0].Photos[0].ID != a || gs[0].Photos[1].ID != copy {
		t.Fatalf("groups %+v, want a.jpg (less compressed, kept) and its copy", gs)
	}
	// The copy is replaced by another picture: hashed again, no group.
	testkit.WriteFile(t, root, "a-copy.jpg", pic(4, 80))
	if _, err := ix.Changed(ctx, []string{"a-copy.jpg"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := d.CountToHash(ctx); n != 1 {
		t.Fatalf("%d photos to hash after a file changed, want 1", n)
	}
	if _, err := s.HashSome(ctx); err != nil {
		t.Fatal(err)
	}
	if gs, _ := s.Groups(ctx); len(gs) != 0 {
		t.Errorf("the changed file still groups with a.jpg: %+v", gs)
	}
}
