package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/meta"
)

// A stored metadata blob that does not decode is reported — to the hook
// the server logs with, and in the count the status shows — and its file is
// queued for reading again (reader version 0), while the photo is merged
// from its other files rather than failing.
func TestUndecodableStoredMetaIsReported(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var reported []BadMeta
	d.OnBadMeta(func(b BadMeta) { reported = append(reported, b) })
	taken := time.Date(2019, 7, 14, 10, 0, 0, 0, time.UTC)
	recs := []FileRecord{
		{Path: "trip/IMG_1.CR2", Size: 10, MTime: 1, Hash: "r", Kind: meta.KindRaw, MIME: "image/x-canon-cr2", Reader: meta.ReaderVersion,
			Info: &meta.Info{Make: "Canon", Lens: "EF 50mm", Taken: taken, TakenSource: meta.SourceEXIF}},
		{Path: "trip/IMG_1.JPG", Size: 10, MTime: 1, Hash: "j", Kind: meta.KindImage, MIME: "image/jpeg", Reader: meta.ReaderVersion,
			Info: &meta.Info{Make: "Canon", Title: "pier", Taken: taken, TakenSource: meta.SourceEXIF}},
	}
	if _, err := d.ApplyFiles(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	if len(reported) != 0 || d.BadMetaCount() != 0 {
		t.Fatalf("sound blobs reported as bad: %+v", reported)
	}
	// The RAW's blob is damaged on disk.
	if _, err := d.sql.ExecContext(ctx, `UPDATE files SET meta = '{"lens":"EF 5' WHERE path = 'trip/IMG_1.CR2'`); err != nil {
		t.Fatal(err)
	}
	// Any change to the stack merges it again, reading every file's blob.
	recs[1].Hash, recs[1].Info.Title = "j2", "pier at dusk"
	if _, err := d.ApplyFiles(ctx, recs[1:], nil); err != nil {
		t.Fatalf("a bad blob failed the batch: %v", err)
	}
	if len(reported) != 1 || reported[0].Path != "trip/IMG_1.CR2" || !strings.Contains(reported[0].Err.Error(), "decode stored metadata") {
		t.Fatalf("reported %+v, want the CR2's decode error", reported)
	}
	if d.BadMetaCount() != 1 {
		t.Errorf("bad meta count %d, want 1", d.BadMetaCount())
	}
	if v, _ := d.FileReader(ctx, "trip/IMG_1.CR2"); v != 0 {
		t.Errorf("the file with the bad blob has reader %d, want 0 (queued for reading again)", v)
	}
	stale, err := d.StaleFiles(ctx, meta.ReaderVersion, StaleCursor{}, 10)
	if err != nil || len(stale) != 1 || stale[0].Path != "trip/IMG_1.CR2" {
		t.Fatalf("stale files %+v (%v), want the CR2", stale, err)
	}
	p, err := d.PhotoByPath(ctx, "trip/IMG_1.JPG")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "pier at dusk" || p.MediaType != "raw" || p.Lens != "" {
		t.Errorf("photo merged as title %q, media %q, lens %q; want the JPEG's title, raw, and no lens from the unreadable blob", p.Title, p.MediaType, p.Lens)
	}
}

// RereadFiles stores metadata read again only where the row still has the
// size, time and hash the reader saw, never touches those, keeps user
// edits, and records the new reader version.
func TestRereadFilesKeepsEditsAndSkipsChangedRows(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	old := func(path, hash string) FileRecord {
		return FileRecord{Path: path, Size: 10, MTime: 5, Hash: hash, Kind: meta.KindImage, MIME: "image/jpeg", Reader: 0,
			Info: &meta.Info{Make: "Apple", Title: "embedded", TakenSource: meta.SourceEXIF, Taken: time.Date(2016, 9, 28, 18, 18, 5, 0, time.UTC)}}
	}
	if _, err := d.ApplyFiles(ctx, []FileRecord{old("a.jpg", "ha"), old("b.jpg", "hb")}, nil); err != nil {
		t.Fatal(err)
	}
	pa, _ := d.PhotoByPath(ctx, "a.jpg")
	title := "mine"
	if err := d.EditPhoto(ctx, pa.ID, PhotoEdit{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if n, _ := d.CountStaleFiles(ctx, 1); n != 2 {
		t.Fatalf("%d stale files, want 2", n)
	}
	newer := func(r FileRecord) FileRecord {
		r.Reader = 1
		r.Info = &meta.Info{Make: "Apple", Lens: "iPhone 7 back camera", Title: "embedded", TakenSource: meta.SourceEXIF, Taken: r.Info.Taken}
		return r
	}
	b := newer(old("b.jpg", "hb"))
	b.MTime = 6 // the file changed after the re-read stat'ed it
	photos, stored, err := d.RereadFiles(ctx, []FileRecord{newer(old("a.jpg", "ha")), b})
	if err != nil {
		t.Fatal(err)
	}
	if stored != 1 || len(photos) != 1 || photos[0] != pa.ID {
		t.Fatalf("stored %d, photos %v; want 1 and photo %d", stored, photos, pa.ID)
	}
	p, _ := d.PhotoByPath(ctx, "a.jpg")
	if p.Lens != "iPhone 7 back camera" || p.Title != "mine" {
		t.Errorf("after the re-read: lens %q, title %q; want the new lens and the user's title", p.Lens, p.Title)
	}
	if s, _ := d.FileByPath(ctx, "a.jpg"); s.Size != 10 || s.MTime != 5 || s.Hash != "ha" {
		t.Errorf("re-read changed the file's stat: %+v", s)
	}
	if v, _ := d.FileReader(ctx, "b.jpg"); v != 0 {
		t.Errorf("a changed row got reader %d; it is the scan's", v)
	}
	if js, _ := d.FileMetaJSON(ctx, "a.jpg"); !strings.Contains(js, `"lens":"iPhone 7 back camera"`) || strings.Contains(js, `"Make"`) {
		t.Errorf("re-read stored %s, want the snake_case form", js)
	}
	if n, _ := d.CountStaleFiles(ctx, 1); n != 1 {
		t.Errorf("%d stale files left, want 1", n)
	}
}

// A generated library has no files behind its rows: they must not look
// stale, or the background re-read would stat every one of them.
func TestSyntheticFilesAreNotStale(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 50, 1); err != nil {
		t.Fatal(err)
	}
	if n, err := d.CountStaleFiles(ctx, meta.ReaderVersion); err != nil || n != 0 {
		t.Fatalf("%d synthetic files stale (%v), want 0", n, err)
	}
}
