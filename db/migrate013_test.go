package db

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"pinhole/app/meta"
)

// Migration 013 makes the next scan read again exactly the files of photos
// dated by their modification time (so the folder-name dates reach
// libraries indexed before them), and nothing else.
func TestMigration013RereadsMtimeDatedFiles(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Now().UTC().Truncate(time.Second)
	recs := []FileRecord{
		{Path: "Holidays 2018/beach.jpg", Size: 10, MTime: 111, Hash: "a1", Kind: meta.KindImage, MIME: "image/jpeg",
			Info: &meta.Info{Taken: now, TakenSource: meta.SourceFileTime}},
		{Path: "Holidays 2018/beach.xmp", Size: 10, MTime: 222, Hash: "a2", Kind: meta.KindSidecar, MIME: "application/rdf+xml",
			Info: &meta.Info{Taken: now, TakenSource: meta.SourceFileTime}},
		{Path: "Camera/IMG_1.JPG", Size: 10, MTime: 333, Hash: "b1", Kind: meta.KindImage, MIME: "image/jpeg",
			Info: &meta.Info{Taken: now.AddDate(-5, 0, 0), TakenSource: meta.SourceEXIF}},
	}
	if _, err := d.ApplyFiles(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	b, err := migrationFS.ReadFile("migrations/013_redate_undated.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.sql.ExecContext(ctx, string(b)); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int64{"Holidays 2018/beach.jpg": 0, "Holidays 2018/beach.xmp": 222, "Camera/IMG_1.JPG": 333} {
		f, err := d.FileByPath(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if f.MTime != want {
			t.Errorf("%s: mtime %d after the migration, want %d", path, f.MTime, want)
		}
	}
}
