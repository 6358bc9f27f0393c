package index_test

import (
	"context"
	"os"
	"path/filepath"
	"pinhole/app/testkit"
	"strings"
	"sync"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/index"
	"pinhole/app/internal/oldlib"
	"pinhole/app/meta"
	"pinhole/db"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A library indexed by an older Pinhole — its reader did not read lens
// models, its blobs use Go's field names, a user edited one photo — is
// opened by this one: the background re-read reads every unchanged file
// again without hashing it, the photos get the lenses, the user's title,
// date, favourite and album stay, and a file that changed on disk is left
// to the scan, which then reads it as always.
func TestRereadLibraryOfOlderReader(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "pinhole.db")
	root := oldlib.Build(t, dbPath)
	// One file was replaced after the old index: other bytes, other size.
	sony, err := os.ReadFile(corpus.Path(t, "exiftool-t/Sony.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	oldlib.Write(t, root, "changed/Pentax.jpg", sony)

	d, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	edited, err := d.PhotoByPath(ctx, oldlib.EditedFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{oldlib.PlainFile, oldlib.EditedFile} {
		if p, _ := d.PhotoByPath(ctx, f); p.Lens != "" {
			t.Fatalf("%s already has lens %q before the re-read: the fixture is not an older reader's", f, p.Lens)
		}
	}
	var mu sync.Mutex
	var changed []int64
	ix := index.New(d, index.Options{Root: root, Workers: 2, AfterBatch: func(ids []int64) {
		mu.Lock()
		changed = append(changed, ids...)
		mu.Unlock()
	}})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); ix.RunReread(runCtx) }()
	defer func() { stop(); <-done }()
	waitFor(t, "the background re-read", 30*time.Second, func() bool {
		s := ix.RereadStatus()
		return !s.Running && s.Reread+s.LeftToScan == oldlib.Files
	})

	st := ix.RereadStatus()
	if st.Reread != oldlib.Files-1 || st.LeftToScan != 1 || st.Pending != 1 || st.Failed != 0 || st.ReaderVersion != meta.ReaderVersion {
		t.Errorf("status after the pass: %+v; want %d re-read, 1 left to the scan and pending", st, oldlib.Files-1)
	}
	if n := ix.FilesOpened(); n != 0 {
		t.Errorf("the re-read hashed %d files; unchanged bytes must not be read again", n)
	}
	for _, f := range []string{oldlib.PlainFile, oldlib.EditedFile, "edited/Google.xmp", oldlib.StackRAW, oldlib.StackJPEG, "trip/IMG_1.xmp"} {
		if v, err := d.FileReader(ctx, f); err != nil || v != meta.ReaderVersion {
			t.Errorf("%s: reader %d (%v), want %d", f, v, err, meta.ReaderVersion)
		}
		if js, _ := d.FileMetaJSON(ctx, f); !strings.HasPrefix(js, `{"mime":`) {
			t.Errorf("%s: stored metadata still in the old form: %.60s", f, js)
		}
	}
	if v, _ := d.FileReader(ctx, "changed/Pentax.jpg"); v != 0 {
		t.Errorf("the changed file got reader %d from the re-read; it is the scan's", v)
	}
	// The field the old reader did not fill.
	for f, lens := range oldlib.Lenses {
		if p, _ := d.PhotoByPath(ctx, f); p.Lens != lens {
			t.Errorf("%s: lens %q after the re-read, want %q", f, p.Lens, lens)
		}
	}
	mu.Lock()
	if len(changed) < 3 {
		t.Errorf("AfterBatch told of photos %v, want the re-read ones (places, live updates)", changed)
	}
	mu.Unlock()

	// The user's edits.
	p, err := d.PhotoByPath(ctx, oldlib.EditedFile)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != edited.ID || p.Title != oldlib.EditedTitle || p.TakenLocal != oldlib.EditedTaken ||
		p.TakenOffset == nil || *p.TakenOffset != 60 || p.TakenSource != "manual" || !p.Favorite {
		t.Errorf("edited photo after the re-read: id %d title %q taken %s %v (%s) favourite %v; want the user's",
			p.ID, p.Title, p.TakenLocal, p.TakenOffset, p.TakenSource, p.Favorite)
	}
	det, err := d.PhotoDetail(ctx, p.ID, db.Reader{Kind: db.Owner})
	if err != nil {
		t.Fatal(err)
	}
	if len(det.Albums) != 1 || det.Albums[0].Title != oldlib.EditedAlbum || strings.Join(det.Keywords, ",") != "madrid" {
		t.Errorf("edited photo: albums %+v, keywords %v; want %s and the sidecar's keyword", det.Albums, det.Keywords, oldlib.EditedAlbum)
	}
	// The stack: JPEG primary, the sidecar's words.
	s, _ := d.PhotoByPath(ctx, oldlib.StackRAW)
	if s.Title != "Sunset at the pier" || s.Rating != 4 || s.MediaType != "raw" || s.Model != "Canon EOS DIGITAL REBEL" {
		t.Errorf("stack after the re-read: %q rating %d %s %s", s.Title, s.Rating, s.MediaType, s.Model)
	}

	// The changed file is the scan's: it alone is hashed and read.
	sum, err := ix.Scan(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Indexed != 1 || ix.FilesOpened() != 1 {
		t.Errorf("scan after the re-read: %d indexed, %d hashed; want only the changed file", sum.Indexed, ix.FilesOpened())
	}
	if v, _ := d.FileReader(ctx, "changed/Pentax.jpg"); v != meta.ReaderVersion {
		t.Errorf("the changed file has reader %d after the scan", v)
	}
	if c, _ := d.PhotoByPath(ctx, "changed/Pentax.jpg"); c.Model != "DSC-F828" {
		t.Errorf("the changed file's photo has model %q, want the new content's DSC-F828", c.Model)
	}
	waitFor(t, "the re-read to see nothing pending", 10*time.Second, func() bool { return ix.RereadStatus().Pending == 0 })
}

// A JPEG found damaged or cut off while hashing keeps that finding when it
// is read again without hashing: the byte check is not run again, and its
// problem must not vanish from Problems.
func TestRereadKeepsByteProblems(t *testing.T) {
	l := newLib(t)
	ctx := context.Background()
	whole := testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(1)})
	cut := whole[:len(whole)*2/3] // cut off in the picture data
	l.write(t, "cut.jpg", cut)
	l.write(t, "whole.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(2)}))
	l.scan(t)
	before, err := l.db.Problems(ctx, db.ProblemQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Problems) != 1 || before.Problems[0].Path != "cut.jpg" || before.Problems[0].Kind != db.ProblemDamaged {
		t.Fatalf("problems after the scan: %+v, want cut.jpg damaged", before.Problems)
	}
	// Make both files stale, as after an upgrade of the reader.
	if err := l.db.MarkStale(ctx, []string{"cut.jpg", "whole.jpg"}); err != nil {
		t.Fatal(err)
	}
	opened := l.ix.FilesOpened()
	sum, err := l.ix.Reread(ctx)
	if err != nil || sum.Reread != 2 {
		t.Fatalf("re-read: %+v %v", sum, err)
	}
	if l.ix.FilesOpened() != opened {
		t.Fatal("the re-read hashed files")
	}
	after, err := l.db.Problems(ctx, db.ProblemQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Problems) != 1 || after.Problems[0].Path != "cut.jpg" || after.Problems[0].Error != before.Problems[0].Error {
		t.Fatalf("problems after the re-read: %+v, want cut.jpg still %q", after.Problems, before.Problems[0].Error)
	}
}
