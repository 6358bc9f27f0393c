package trash_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pinhole/app/index"
	"pinhole/app/trash"
	"pinhole/db"
)

// lib is an originals folder indexed into a real database.
type lib struct {
	t    *testing.T
	root string
	data string
	d    *db.DB
	ix   *index.Indexer
}

func newLib(t *testing.T) *lib {
	t.Helper()
	l := &lib{t: t, root: t.TempDir(), data: t.TempDir()}
	d, err := db.Open(context.Background(), filepath.Join(l.data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	l.d = d
	l.ix = index.New(d, index.Options{Root: l.root, Workers: 2})
	return l
}

func jpegBytes(t *testing.T, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 48; x++ {
			img.Set(x, y, color.RGBA{uint8(seed*29 + x*3), uint8(seed*7 + y*5), uint8(seed), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (l *lib) write(rel string, b []byte) {
	l.t.Helper()
	p := filepath.Join(l.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lib) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(l.root, filepath.FromSlash(rel)))
	return err == nil
}

func (l *lib) scan() index.Summary {
	l.t.Helper()
	s, err := l.ix.Scan(context.Background(), false)
	if err != nil {
		l.t.Fatal(err)
	}
	return s
}

func (l *lib) photo(rel string) db.Photo {
	l.t.Helper()
	p, err := l.d.PhotoByPath(context.Background(), rel)
	if err != nil {
		l.t.Fatalf("%s: %v", rel, err)
	}
	return p
}

// listed reports whether the owner's timeline shows the photo of rel.
func (l *lib) listed(rel string) bool {
	l.t.Helper()
	p, err := l.d.PhotoByPath(context.Background(), rel)
	if errors.Is(err, db.ErrNotFound) {
		return false
	}
	page, err := l.d.SearchPhotos(context.Background(), db.PhotoQuery{Reader: db.Reader{Kind: db.Owner}, Limit: 500})
	if err != nil {
		l.t.Fatal(err)
	}
	for _, q := range page.Photos {
		if q.ID == p.ID {
			return true
		}
	}
	return false
}

// A stack — RAW, JPEG, an XMP sidecar and a live video — goes to the
// Trash as one photo and, emptied, leaves the disk and the database
// together; the photo beside it is untouched, and the next scan reports
// nothing missing.
func TestEmptyDeletesTheWholeStack(t *testing.T) {
	ctx := context.Background()
	l := newLib(t)
	stack := []string{"2021/IMG_7.CR2", "2021/IMG_7.JPG", "2021/IMG_7.xmp", "2021/IMG_7.MOV"}
	l.write(stack[0], append([]byte("II*\x00"), jpegBytes(t, 1)...))
	l.write(stack[1], jpegBytes(t, 2))
	l.write(stack[2], []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>`))
	l.write(stack[3], []byte("not really a movie"))
	l.write("2021/IMG_8.JPG", jpegBytes(t, 3))
	os.MkdirAll(filepath.Join(l.data, "sidecars", "2021"), 0o755)
	own := filepath.Join(l.data, "sidecars", "2021", "IMG_7.xmp")
	os.WriteFile(own, []byte("pinhole's own"), 0o644)
	l.scan()
	id := l.photo(stack[1]).ID
	for _, f := range stack {
		if l.photo(f).ID != id {
			t.Fatalf("%s is not in the stack's photo", f)
		}
	}
	if err := l.d.RecordSidecarWrite(ctx, id, db.SidecarWrite{Place: db.SidecarData, Path: "2021/IMG_7.xmp", Hash: sha1Hex(t, own)}); err != nil {
		t.Fatal(err)
	}

	var told []int64
	s := trash.New(l.d, trash.Options{Originals: l.root, SidecarDir: filepath.Join(l.data, "sidecars"), Days: 30,
		Changed: func(ids []int64) { told = append(told, ids...) }})
	if n, err := s.Trash(ctx, []int64{id}); err != nil || n != 1 {
		t.Fatalf("trash: %d, %v", n, err)
	}
	if l.listed(stack[1]) {
		t.Fatal("a trashed photo is in the timeline")
	}
	e, err := s.Empty(ctx, nil)
	if err != nil || e.Deleting != 1 {
		t.Fatalf("empty: %+v, %v", e, err)
	}
	if err := s.Work(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range stack {
		if l.exists(f) {
			t.Errorf("%s is still on disk", f)
		}
		if _, err := l.d.FileByPath(ctx, f); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("%s is still in the database: %v", f, err)
		}
	}
	if _, err := os.Stat(own); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Pinhole's own sidecar copy is still in DATA/sidecars: %v", err)
	}
	if _, err := l.d.PhotoByID(ctx, id); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("the photo is still in the database: %v", err)
	}
	if len(told) != 1 || told[0] != id {
		t.Errorf("the web app was told of %v", told)
	}
	if !l.exists("2021/IMG_8.JPG") || !l.listed("2021/IMG_8.JPG") {
		t.Error("the photo beside the stack was touched")
	}
	if sum := l.scan(); sum.Missing != 0 {
		t.Errorf("the scan after emptying marked %d files missing", sum.Missing)
	}
	if st, _ := s.State(ctx); st.Photos != 0 || st.Deleting != 0 || !st.DeletesFiles || st.Problem != "" {
		t.Errorf("state after: %+v", st)
	}
}

// Photos leave the Trash by themselves trash-days after they were trashed,
// by the service's clock; with trash-days 0 they never do.
func TestPurgeAfterTrashDays(t *testing.T) {
	ctx := context.Background()
	l := newLib(t)
	for i, f := range []string{"a.jpg", "b.jpg", "c.jpg"} {
		l.write(f, jpegBytes(t, 10+i))
	}
	l.scan()
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	l.d.SetClock(clock)
	s := trash.New(l.d, trash.Options{Originals: l.root, Days: 30, Now: clock})
	never := trash.New(l.d, trash.Options{Originals: l.root, Days: 0, Now: clock})
	s.Trash(ctx, []int64{l.photo("a.jpg").ID})
	now = now.Add(10 * 24 * time.Hour)
	s.Trash(ctx, []int64{l.photo("b.jpg").ID})
	now = now.Add(20*24*time.Hour - time.Minute) // a.jpg: a minute short of 30 days
	for _, sv := range []*trash.Service{s, never} {
		if e, err := sv.Purge(ctx); err != nil || e.Deleting != 0 {
			t.Fatalf("purged %+v (%v) before 30 days", e, err)
		}
	}
	now = now.Add(2 * time.Minute)
	if e, err := never.Purge(ctx); err != nil || e.Deleting != 0 {
		t.Fatalf("trash-days 0 purged %+v (%v)", e, err)
	}
	if e, err := s.Purge(ctx); err != nil || e.Deleting != 1 {
		t.Fatalf("purge after 30 days: %+v, %v", e, err)
	}
	s.Work(ctx)
	if l.exists("a.jpg") || !l.exists("b.jpg") || !l.exists("c.jpg") {
		t.Fatalf("after the purge: a %v b %v c %v; want only a.jpg gone", l.exists("a.jpg"), l.exists("b.jpg"), l.exists("c.jpg"))
	}
	page, _ := l.d.TrashedPhotos(ctx, "", 10)
	if len(page.Photos) != 1 || page.Photos[0].ID != l.photo("b.jpg").ID {
		t.Fatalf("the Trash after the purge: %+v", page.Photos)
	}
	now = now.Add(10 * 24 * time.Hour)
	s.Purge(ctx)
	s.Work(ctx)
	if l.exists("b.jpg") || !l.exists("c.jpg") {
		t.Fatal("b.jpg was not purged 30 days after it was trashed")
	}
}

// With read-only originals nothing is deleted: emptying removes the photo
// from the library, and it stays out through rescans, a move and a copy
// of its file; a restart of a deletion journalled while the originals
// were writable deletes nothing either and puts the photo back.
func TestReadOnlyRemovesFromTheLibrary(t *testing.T) {
	ctx := context.Background()
	l := newLib(t)
	l.write("x/IMG_1.JPG", jpegBytes(t, 20))
	l.write("x/IMG_2.JPG", jpegBytes(t, 21))
	l.scan()
	s := trash.New(l.d, trash.Options{Originals: l.root, ReadOnly: true, Days: 30})
	gone := l.photo("x/IMG_1.JPG").ID
	s.Trash(ctx, []int64{gone})
	e, err := s.Empty(ctx, nil)
	if err != nil || e.Removed != 1 || e.Deleting != 0 {
		t.Fatalf("empty read-only: %+v, %v", e, err)
	}
	s.Work(ctx)
	if !l.exists("x/IMG_1.JPG") {
		t.Fatal("a file was deleted under read-only originals")
	}
	if st, _ := s.State(ctx); st.DeletesFiles || st.ReadOnly == "" || st.Photos != 0 {
		t.Fatalf("state: %+v", st)
	}
	l.ix.Scan(ctx, true)
	if l.listed("x/IMG_1.JPG") {
		t.Fatal("a full rescan brought the removed photo back")
	}
	os.MkdirAll(filepath.Join(l.root, "y"), 0o755)
	if err := os.Rename(filepath.Join(l.root, "x", "IMG_1.JPG"), filepath.Join(l.root, "y", "moved.jpg")); err != nil {
		t.Fatal(err)
	}
	l.scan()
	if l.listed("y/moved.jpg") {
		t.Fatal("moving the removed photo's file brought it back")
	}
	b, _ := os.ReadFile(filepath.Join(l.root, "y", "moved.jpg"))
	l.write("z/copy.jpg", b)
	l.scan()
	if l.listed("z/copy.jpg") {
		t.Fatal("a copy of the removed photo's file brought it back")
	}
	if !l.listed("x/IMG_2.JPG") {
		t.Fatal("the other photo left the library")
	}

	// A deletion journalled by a writable server, finished by a read-only one.
	w := trash.New(l.d, trash.Options{Originals: l.root})
	other := l.photo("x/IMG_2.JPG").ID
	w.Trash(ctx, []int64{other})
	if e, _ := w.Empty(ctx, nil); e.Deleting != 1 {
		t.Fatalf("writable empty: %+v", e)
	}
	s.Work(ctx)
	if !l.exists("x/IMG_2.JPG") {
		t.Fatal("a read-only server deleted a file")
	}
	if p, _ := l.d.TrashedPhotos(ctx, "", 10); len(p.Photos) != 1 || p.Photos[0].ID != other {
		t.Fatalf("the photo is not back in the Trash: %+v", p.Photos)
	}
	if st, _ := s.State(ctx); st.Problem == "" {
		t.Error("no problem reported for the photo that could not be deleted")
	}
}

// A file that changed after its photo was trashed (edited elsewhere,
// replaced) is not the file the Trash held: it stays on disk and comes
// back as a photo of its own; a file already gone counts as deleted.
func TestChangedFileIsKept(t *testing.T) {
	ctx := context.Background()
	l := newLib(t)
	l.write("k/IMG_1.JPG", jpegBytes(t, 30))
	l.write("k/IMG_1.CR2", append([]byte("II*\x00"), jpegBytes(t, 31)...))
	l.scan()
	id := l.photo("k/IMG_1.JPG").ID
	s := trash.New(l.d, trash.Options{Originals: l.root})
	s.Trash(ctx, []int64{id})
	time.Sleep(10 * time.Millisecond)
	l.write("k/IMG_1.JPG", jpegBytes(t, 32)) // another picture under the same name
	os.Remove(filepath.Join(l.root, "k", "IMG_1.CR2"))
	s.Empty(ctx, nil)
	if err := s.Work(ctx); err != nil {
		t.Fatal(err)
	}
	if !l.exists("k/IMG_1.JPG") {
		t.Fatal("a file changed since it was trashed was deleted")
	}
	if _, err := l.d.PhotoByID(ctx, id); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("the trashed photo is still there: %v", err)
	}
	if sum := l.scan(); sum.Missing != 0 {
		t.Errorf("%d files marked missing", sum.Missing)
	}
	if !l.listed("k/IMG_1.JPG") {
		t.Fatal("the new picture under the old name is not in the library")
	}
}

func sha1Hex(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}
