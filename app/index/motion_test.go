package index_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pinhole/app/index"
	"pinhole/app/testkit"
	"pinhole/db"
)

// A library indexed before motion photos were read (reader version 1: no
// motion in the stored metadata, the photo a still) finds them in the
// background re-read: the photo becomes live and its motion plays from
// the file's own video, without the scan hashing the file again.
func TestRereadFindsMotionPhotos(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	root := filepath.Join(dir, "originals")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	const rel = "PXL_20230704_101010123.MP.jpg"
	if err := os.WriteFile(filepath.Join(root, rel), testkit.Container(testkit.MotionStill(3), testkit.MotionMP4(t), 0), 0o644); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "pinhole.db")
	d, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := index.New(d, index.Options{Root: root}).Scan(ctx, false); err != nil {
		t.Fatal(err)
	}
	// Make it what version 1 stored.
	raw, err := sql.Open("sqlite3", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE files SET reader = 1, meta = json_remove(meta, '$.motion')`,
		`UPDATE photos SET media_type = 'image', motion_file_id = NULL, duration = NULL`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := d.PhotoByPath(ctx, rel); p.Motion != nil || p.MediaType != "image" {
		t.Fatalf("the fixture is not version 1's: %s, motion %+v", p.MediaType, p.Motion)
	}

	ix := index.New(d, index.Options{Root: root})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); ix.RunReread(runCtx) }()
	defer func() { stop(); <-done }()
	waitFor(t, "the motion photo found by the re-read", 30*time.Second, func() bool {
		p, _ := d.PhotoByPath(ctx, rel)
		return p.Motion != nil
	})
	p, _ := d.PhotoByPath(ctx, rel)
	if p.MediaType != "live" || !p.Motion.Embedded || p.Motion.Hash != p.Hash {
		t.Errorf("after the re-read: %s, motion %+v; want live, embedded in %s", p.MediaType, p.Motion, p.Hash)
	}
	if n := ix.FilesOpened(); n != 0 {
		t.Errorf("the re-read hashed %d files", n)
	}
}
