package db

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"pinhole/app/meta"
)

// TestTrashedPhotosVanishFromEveryView: photos moved to the Trash leave
// every list, count, search, map, place, camera, folder, album (count and
// cover), problem, suggestion, share and file fetch, for the owner as for
// viewers and visitors; only the owner's Trash lists them, newest first,
// and restoring them brings every view back as it was.
func TestTrashedPhotosVanishFromEveryView(t *testing.T) {
	l := newReaderLibrary(t)
	ctx := context.Background()
	d := l.d
	// One public photo of the mixed album stands out by a title, a camera,
	// a lens and a country of its own, and has a damaged file.
	marked := l.public[0]
	for _, q := range []string{
		`UPDATE photos SET title = 'quokka selfie', make = 'Trashco', model = 'Trashcam 1', lens = 'Bin Lens 35mm',
			country_code = 'NZ', country = 'New Zealand', state = 'Otago', city = 'Dunedin' WHERE id = ?`,
		`UPDATE files SET error = 'damaged: cut short' WHERE photo_id = ?`,
	} {
		if _, err := d.sql.Exec(q, marked); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.tx(ctx, func(tx *sql.Tx) error { return d.syncSearch(ctx, tx, marked) }); err != nil {
		t.Fatal(err)
	}
	// Its share link, and a cover chosen among the trashed photos.
	cover := l.public[1]
	if err := d.EditAlbum(ctx, l.mixed, AlbumEdit{CoverPhotoID: &cover}); err != nil {
		t.Fatal(err)
	}
	var markedHash string
	d.sql.QueryRow(`SELECT hash FROM files WHERE photo_id = ?`, marked).Scan(&markedHash)

	readers := map[string]Reader{"owner": {Kind: Owner}, "viewer": {Kind: Viewer}, "visitor": VisitorOf(l.mixed)}
	before := map[string]sees{}
	for name, r := range readers {
		before[name] = look(t, d, r)
	}
	if !slices.Contains(before["owner"].cameras, "Trashcam 1") || before["visitor"].listed != 2 {
		t.Fatalf("the marked photo is not where the test expects it: %+v", before["visitor"])
	}

	trashed := []int64{marked, l.public[1], l.outside, l.private[0]}
	clock := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	d.SetClock(func() time.Time { return clock })
	for i, id := range trashed {
		clock = clock.Add(time.Minute) // trashed one after the other
		if n, err := d.TrashPhotos(ctx, []int64{id}); err != nil || n != 1 {
			t.Fatalf("trash photo %d (%d): %d, %v", id, i, n, err)
		}
	}
	if n, err := d.TrashPhotos(ctx, []int64{marked, 999999}); err != nil || n != 0 {
		t.Fatalf("trashing a trashed photo and no photo moved %d (%v), want 0", n, err)
	}

	own, view, vis := look(t, d, readers["owner"]), look(t, d, readers["viewer"]), look(t, d, readers["visitor"])
	for name, s := range map[string]sees{"owner": own, "viewer": view, "visitor": vis} {
		for _, id := range trashed {
			if slices.Contains(s.ids, id) {
				t.Errorf("%s: the timeline lists trashed photo %d", name, id)
			}
		}
		if slices.Contains(s.cameras, "Trashcam 1") || slices.Contains(s.lenses, "Bin Lens 35mm") || slices.Contains(s.places, "NZ") {
			t.Errorf("%s sees the trashed photo's camera, lens or country: %v %v %v", name, s.cameras, s.lenses, s.places)
		}
		sg, err := d.Suggest(ctx, PhotoQuery{Reader: readers[name], Text: "quokk"})
		if err != nil || sg.Text != "" {
			t.Errorf("%s: suggestion %q for a trashed photo's title (%v)", name, sg.Text, err)
		}
		tp, err := d.SearchPhotos(ctx, PhotoQuery{Reader: readers[name], Text: "quokka"})
		if err != nil || len(tp.Photos) != 0 {
			t.Errorf("%s: searching a trashed photo's title finds %d (%v)", name, len(tp.Photos), err)
		}
	}
	// Counts went down by exactly the trashed photos each reader saw: all
	// four for the owner, the three public ones for a viewer, the two of
	// the shared album for its visitor; the map by those with a position.
	seen := map[string][]int64{"owner": trashed, "viewer": trashed[:3], "visitor": trashed[:2]}
	for name, s := range map[string]sees{"owner": own, "viewer": view, "visitor": vis} {
		b, n := before[name], len(seen[name])
		if s.listed != b.listed-n || s.months != b.months-n || s.folderTotal != b.folderTotal-n {
			t.Errorf("%s: listed %d→%d, months %d→%d, folder %d→%d; want each %d fewer",
				name, b.listed, s.listed, b.months, s.months, b.folderTotal, s.folderTotal, n)
		}
		placed := 0
		for _, id := range seen[name] {
			if p, _ := d.PhotoByID(ctx, id); p.Lat != nil {
				placed++
			}
		}
		if s.mapped != b.mapped-placed {
			t.Errorf("%s: map %d→%d photos, want %d fewer", name, b.mapped, s.mapped, placed)
		}
	}
	// The marked photo's and the private one's damaged files.
	if len(own.problems) != len(before["owner"].problems)-2 {
		t.Errorf("owner's problems %d→%d, want the trashed photos' damaged files gone", len(before["owner"].problems), len(own.problems))
	}
	// The mixed album had two public and two private photos; all but one
	// private photo are trashed, the chosen cover too.
	for name, want := range map[string]int{"owner": 1, "viewer": 0, "visitor": 0} {
		s := map[string]sees{"owner": own, "viewer": view, "visitor": vis}[name]
		m := s.albums["Mixed"]
		if m.Count != want {
			t.Errorf("%s: the mixed album counts %d photos, want %d", name, m.Count, want)
		}
		if m.CoverPhotoID != nil && slices.Contains(trashed, *m.CoverPhotoID) {
			t.Errorf("%s: the mixed album's cover is trashed photo %d", name, *m.CoverPhotoID)
		}
		if m.CoverHash == markedHash {
			t.Errorf("%s: the mixed album's cover shows the trashed photo", name)
		}
	}
	// Opening and fetching: the owner (the Trash screen), nobody else.
	for name, r := range readers {
		_, err := d.PhotoDetail(ctx, marked, r)
		_, ferr := d.FileByHash(ctx, markedHash, FileScope{Reader: r})
		if name == "owner" {
			if err != nil || ferr != nil {
				t.Errorf("the owner cannot open a photo in the Trash: %v %v", err, ferr)
			}
		} else if !errors.Is(err, ErrNotFound) || !errors.Is(ferr, ErrNotFound) {
			t.Errorf("%s opens a photo in the Trash: %v, file %v", name, err, ferr)
		}
	}
	if ids, err := d.PublicPhotoIDs(ctx, trashed); err != nil || len(ids) != 0 {
		t.Errorf("live updates to viewers name trashed photos %v (%v)", ids, err)
	}
	if _, err := d.AddToAlbum(ctx, l.other, []int64{marked}); err != nil {
		t.Fatal(err)
	} else if a, _ := d.AlbumByID(ctx, l.other, readers["owner"]); a.Count != 1 {
		t.Errorf("a trashed photo was added to an album: %d photos", a.Count)
	}

	// The Trash: newest trashed first, paged.
	var got []int64
	for cur := ""; ; {
		p, err := d.TrashedPhotos(ctx, cur, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, ph := range p.Photos {
			got = append(got, ph.ID)
			if ph.TrashedAt == "" {
				t.Errorf("photo %d in the Trash has no trashed_at", ph.ID)
			}
		}
		if cur = p.Next; cur == "" {
			break
		}
	}
	want := slices.Clone(trashed)
	slices.Reverse(want)
	if !slices.Equal(got, want) {
		t.Errorf("the Trash lists %v, want %v (newest trashed first)", got, want)
	}
	if s, err := d.Trash(ctx); err != nil || s.Photos != 4 || s.Oldest != "2025-03-01 12:01:00" {
		t.Errorf("trash summary %+v, %v", s, err)
	}

	// Restoring one, then the rest: every view is as it was.
	if n, err := d.RestorePhotos(ctx, []int64{marked}); err != nil || n != 1 {
		t.Fatalf("restore one: %d, %v", n, err)
	}
	if p, _ := d.PhotoByID(ctx, marked); p.TrashedAt != "" {
		t.Fatalf("restored photo still trashed at %q", p.TrashedAt)
	}
	if n, err := d.RestorePhotos(ctx, nil); err != nil || n != 3 {
		t.Fatalf("restore all: %d, %v", n, err)
	}
	for name, r := range readers {
		after := look(t, d, r)
		b := before[name]
		if after.listed != b.listed || after.months != b.months || after.mapped != b.mapped || after.folderTotal != b.folderTotal ||
			!slices.Equal(after.places, b.places) || !slices.Equal(after.cameras, b.cameras) || len(after.problems) != len(b.problems) ||
			after.albums["Mixed"].Count != b.albums["Mixed"].Count || after.albums["Mixed"].CoverHash != b.albums["Mixed"].CoverHash {
			t.Errorf("%s after restoring: not as before the Trash", name)
		}
	}
}

// trashLib is a small library of files stored the way the indexer stores
// them.
type trashLib struct {
	t *testing.T
	d *DB
}

func newTrashLib(t *testing.T) trashLib {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return trashLib{t, d}
}

func trashRec(path, hash string, size, mtime int64) FileRecord {
	kind, mime, _ := meta.Detect(filepath.Base(path))
	return FileRecord{Path: path, Size: size, MTime: mtime, Hash: hash, Kind: kind, MIME: mime,
		Info: &meta.Info{Kind: kind, MIME: mime, Width: 400, Height: 300}, Reader: meta.ReaderVersion}
}

// apply stores records as one index batch and returns the photo of the first.
func (l trashLib) apply(recs ...FileRecord) int64 {
	l.t.Helper()
	ctx := context.Background()
	if _, err := l.d.ApplyFiles(ctx, recs, func(string) bool { return true }); err != nil {
		l.t.Fatal(err)
	}
	p, err := l.d.PhotoByPath(ctx, recs[0].Path)
	if err != nil {
		l.t.Fatalf("%s: %v", recs[0].Path, err)
	}
	return p.ID
}

// TestDeletionJournal: deleting journals every file of a stack (and
// Pinhole's own sidecar copy); until each is settled the indexer neither
// marks them missing nor stores a late read of them; a photo goes with
// its last file, or comes back to the Trash when a file could not be
// deleted.
func TestDeletionJournal(t *testing.T) {
	ctx := context.Background()
	l := newTrashLib(t)
	d := l.d
	stack := l.apply(trashRec("2020/IMG_1.CR2", "aa01", 2000, 1), trashRec("2020/IMG_1.JPG", "aa02", 1000, 1),
		trashRec("2020/IMG_1.xmp", "aa03", 10, 1))
	other := l.apply(trashRec("2020/IMG_2.JPG", "bb01", 1000, 1))
	keep := l.apply(trashRec("2020/IMG_3.JPG", "cc01", 1000, 1))
	if err := d.RecordSidecarWrite(ctx, stack, SidecarWrite{Place: SidecarData, Path: "2020/IMG_1.xmp", Hash: "dd01"}); err != nil {
		t.Fatal(err)
	}
	if n, err := d.BeginDeletion(ctx, []int64{stack}, ""); err != nil || n != 0 {
		t.Fatalf("a photo outside the Trash was journalled: %d, %v", n, err)
	}
	if _, err := d.TrashPhotos(ctx, []int64{stack, other}); err != nil {
		t.Fatal(err)
	}
	if n, err := d.BeginDeletion(ctx, nil, ""); err != nil || n != 2 {
		t.Fatalf("begin: %d photos, %v", n, err)
	}
	if n, err := d.BeginDeletion(ctx, nil, ""); err != nil || n != 0 {
		t.Fatalf("journalled twice: %d, %v", n, err)
	}
	if n, err := d.RestorePhotos(ctx, nil); err != nil || n != 0 {
		t.Fatalf("a photo being deleted was restored: %d, %v", n, err)
	}
	if s, _ := d.Trash(ctx); s.Photos != 0 || s.Deleting != 2 {
		t.Fatalf("summary while deleting: %+v", s)
	}
	pend, err := d.PendingDeletions(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range pend {
		paths = append(paths, e.Place+":"+e.Path)
		if e.Stale {
			t.Errorf("%s is stale", e.Path)
		}
	}
	wantPaths := []string{"originals:2020/IMG_1.CR2", "originals:2020/IMG_1.JPG", "originals:2020/IMG_1.xmp", "data:2020/IMG_1.xmp", "originals:2020/IMG_2.JPG"}
	if !slices.Equal(sortedStrings(paths), sortedStrings(wantPaths)) {
		t.Fatalf("journal %v, want %v", paths, wantPaths)
	}

	// The files go one by one: the scan that sees them gone marks
	// nothing missing, and a scan's read from before is not stored.
	if n, err := d.MarkMissing(ctx, []string{"2020/IMG_1.CR2", "2020/IMG_1.JPG", "2020/IMG_3.JPG"}); err != nil || n != 1 {
		t.Fatalf("mark missing: %d (%v), want only the photo not being deleted", n, err)
	}
	if _, err := d.ApplyFiles(ctx, []FileRecord{trashRec("2020/IMG_2.JPG", "bb01", 1000, 1)}, nil); err != nil {
		t.Fatal(err)
	}
	if p, _ := d.PhotoByID(ctx, other); p.TrashedAt == "" {
		t.Fatal("a late read of a file being deleted brought its photo back")
	}
	var res []DeletionResult
	for _, e := range pend {
		if e.PhotoID == stack && e.Place == "originals" && e.Path != "2020/IMG_1.xmp" {
			res = append(res, DeletionResult{e.ID, DeletionDeleted})
		}
	}
	out, err := d.SettleDeletions(ctx, res)
	if err != nil || len(out.Deleted)+len(out.Returned) != 0 {
		t.Fatalf("a photo finished with files pending: %+v %v", out, err)
	}
	if _, err := d.PhotoByID(ctx, stack); err != nil {
		t.Fatalf("the stack's rows went before its last file: %v", err)
	}
	res = res[:0]
	for _, e := range pend {
		switch {
		case e.PhotoID == stack && (e.Place == "data" || e.Path == "2020/IMG_1.xmp"):
			res = append(res, DeletionResult{e.ID, DeletionDeleted})
		case e.PhotoID == other:
			res = append(res, DeletionResult{e.ID, DeletionFailed})
		}
	}
	out, err = d.SettleDeletions(ctx, res)
	if err != nil || !slices.Equal(out.Deleted, []int64{stack}) || !slices.Equal(out.Returned, []int64{other}) {
		t.Fatalf("settle: %+v, %v", out, err)
	}
	if _, err := d.PhotoByID(ctx, stack); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the deleted stack is still there: %v", err)
	}
	for _, p := range []string{"2020/IMG_1.CR2", "2020/IMG_1.JPG", "2020/IMG_1.xmp"} {
		if _, err := d.FileByPath(ctx, p); !errors.Is(err, ErrNotFound) {
			t.Errorf("file %s of the deleted stack is still known: %v", p, err)
		}
	}
	if p, err := d.PhotoByID(ctx, other); err != nil || p.TrashedAt == "" {
		t.Fatalf("the photo whose file could not be deleted is not back in the Trash: %+v %v", p, err)
	}
	if s, _ := d.Trash(ctx); s.Photos != 1 || s.Deleting != 0 {
		t.Fatalf("summary after: %+v", s)
	}
	// A scan that read the deleted stack before it went stores nothing.
	if _, err := d.ApplyFiles(ctx, []FileRecord{trashRec("2020/IMG_1.JPG", "aa02", 1000, 1)}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.FileByPath(ctx, "2020/IMG_1.JPG"); !errors.Is(err, ErrNotFound) {
		t.Fatal("a late read of a deleted file came back as a photo")
	}
	// A new file at that path (other size or time) is a new photo.
	if p := l.apply(trashRec("2020/IMG_1.JPG", "aa09", 1234, 2)); p == stack {
		t.Fatal("the new file joined the deleted photo")
	}
	if p, _ := d.PhotoByID(ctx, keep); p.TrashedAt != "" {
		t.Fatal("a photo outside the Trash was touched")
	}
	// Tombstones go once no scan can hold a read of them.
	if n, err := d.PruneDeletions(ctx, time.Now().Add(time.Hour)); err != nil || n != 4 {
		t.Errorf("pruned %d journal rows (%v), want the 4 of the deleted stack", n, err)
	}
}

// TestRemoveFromLibraryRemembersContent: with read-only originals the
// Trash removes photos from the library, never their files: the photo
// stays hidden through a re-read, a move, a copy elsewhere and a new
// photo made from the same content.
func TestRemoveFromLibraryRemembersContent(t *testing.T) {
	ctx := context.Background()
	l := newTrashLib(t)
	d := l.d
	gone := l.apply(trashRec("a/IMG_1.JPG", "ee01", 1000, 1), trashRec("a/IMG_1.xmp", "ee02", 10, 1))
	stay := l.apply(trashRec("a/IMG_2.JPG", "ff01", 1000, 1))
	d.TrashPhotos(ctx, []int64{gone, stay})
	if n, err := d.RemoveFromLibrary(ctx, []int64{gone}, ""); err != nil || n != 1 {
		t.Fatalf("remove: %d, %v", n, err)
	}
	if p, _ := d.TrashedPhotos(ctx, "", 10); len(p.Photos) != 1 || p.Photos[0].ID != stay {
		t.Fatalf("the Trash after removing: %+v", p.Photos)
	}
	if n, _ := d.RestorePhotos(ctx, []int64{gone}); n != 0 {
		t.Fatal("a removed photo was restored")
	}
	if _, err := d.PhotoDetail(ctx, gone, Reader{Kind: Owner}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the owner opens a removed photo: %v", err)
	}
	hidden := func(path string) {
		t.Helper()
		p, err := d.PhotoByPath(ctx, path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		pg, _ := d.SearchPhotos(ctx, PhotoQuery{Reader: Reader{Kind: Owner}, Limit: 500})
		for _, q := range pg.Photos {
			if q.ID == p.ID {
				t.Fatalf("%s (photo %d) is in the library again", path, p.ID)
			}
		}
	}
	// Read again (a full scan), moved, copied.
	l.apply(trashRec("a/IMG_1.JPG", "ee01", 1000, 1))
	hidden("a/IMG_1.JPG")
	if _, err := d.ApplyFiles(ctx, []FileRecord{trashRec("b/renamed.jpg", "ee01", 1000, 1)}, func(p string) bool { return p != "a/IMG_1.JPG" }); err != nil {
		t.Fatal(err)
	}
	hidden("b/renamed.jpg")
	l.apply(trashRec("c/copy.jpg", "ee01", 1000, 3))
	hidden("c/copy.jpg")
	// Even as a photo of its own, the content stays out.
	if _, err := d.sql.Exec(`DELETE FROM files`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.sql.Exec(`DELETE FROM photos WHERE id = ?`, gone); err != nil {
		t.Fatal(err)
	}
	l.apply(trashRec("d/again.jpg", "ee01", 1000, 4))
	hidden("d/again.jpg")
	if p := l.apply(trashRec("d/new.jpg", "ab12", 1000, 4)); p == 0 {
		t.Fatal("no photo for new content")
	} else if pp, _ := d.PhotoByID(ctx, p); pp.TrashedAt != "" {
		t.Fatal("new content was hidden")
	}
}

func sortedStrings(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
