package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"pinhole/app/meta"
)

func facesRec(path, hash string, kind meta.Kind, faces ...string) FileRecord {
	in := &meta.Info{Width: 40, Height: 30}
	for i, n := range faces {
		in.Regions = append(in.Regions, meta.Region{Name: n, X: 0.1 + 0.3*float64(i), Y: 0.1, W: 0.2, H: 0.2})
	}
	mime := "image/jpeg"
	if kind == meta.KindSidecar {
		mime = "application/rdf+xml"
	}
	return FileRecord{Path: path, Size: 1, MTime: 1, Hash: hash, Kind: kind, MIME: mime, Reader: meta.ReaderVersion, Info: in}
}

func names(ps []Person) map[string]int {
	m := map[string]int{}
	for _, p := range ps {
		m[p.Name] = p.Count
	}
	return m
}

// People come from the faces files tag; a viewer never learns of people
// who are only on private photos, nor counts their private photos; names
// the user gives (rename, merge) stand when the files are read again.
func TestPeopleFromFaces(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	recs := []FileRecord{
		facesRec("a.jpg", "a", meta.KindImage, "Anna", "Bo"),
		facesRec("b.jpg", "b", meta.KindImage, "Anna"),
		facesRec("c.jpg", "c", meta.KindImage, "Carl"),
		facesRec("d.jpg", "d", meta.KindImage),
		facesRec("d.xmp", "dx", meta.KindSidecar, "anna"), // the sidecar's faces, same person case aside
	}
	// The first spelling seen names the person: the pictures go first.
	if _, err := d.ApplyFiles(ctx, recs[:3], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ApplyFiles(ctx, recs[3:], nil); err != nil {
		t.Fatal(err)
	}
	id := func(path string) int64 {
		p, err := d.PhotoByPath(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	if _, err := d.SetFlags(ctx, []int64{id("b.jpg"), id("c.jpg")}, map[string]bool{"private": true}); err != nil {
		t.Fatal(err)
	}
	owner, viewer := Reader{Kind: Owner}, Reader{Kind: Viewer}
	list := func(r Reader, hidden bool) map[string]int {
		ps, err := d.People(ctx, r, hidden)
		if err != nil {
			t.Fatal(err)
		}
		return names(ps)
	}
	if got := list(owner, false); len(got) != 3 || got["Anna"] != 3 || got["Bo"] != 1 || got["Carl"] != 1 {
		t.Errorf("owner sees %v, want Anna 3, Bo 1, Carl 1", got)
	}
	if got := list(viewer, false); len(got) != 2 || got["Anna"] != 2 || got["Bo"] != 1 {
		t.Errorf("viewer sees %v, want Anna 2 (not her private photo), Bo 1, no Carl", got)
	}
	carl, err := d.PersonNamed(ctx, owner, "carl")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Person(ctx, viewer, carl.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a viewer opened a person only on private photos: %v", err)
	}
	if carl.Face == nil || carl.Face.PhotoID != id("c.jpg") {
		t.Errorf("Carl's avatar face %+v, want one on c.jpg", carl.Face)
	}
	if f, err := d.FaceFor(ctx, viewer, carl.Face.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a viewer got a face on a private photo: %+v %v", f, err)
	}
	// Carl's only photo moved to the Trash: he leaves the list, for the
	// owner too, and comes back with it.
	if _, err := d.TrashPhotos(ctx, []int64{id("c.jpg")}); err != nil {
		t.Fatal(err)
	}
	if got := list(owner, false); len(got) != 2 || got["Carl"] != 0 {
		t.Errorf("with Carl's photo in the Trash the owner sees %v, want Anna and Bo", got)
	}
	if _, err := d.RestorePhotos(ctx, []int64{id("c.jpg")}); err != nil {
		t.Fatal(err)
	}
	if got := list(owner, false); got["Carl"] != 1 {
		t.Errorf("Carl is not back after restoring his photo: %v", got)
	}
	anna, _ := d.PersonNamed(ctx, owner, "Anna")
	count := func(q PhotoQuery) int {
		ms, err := d.MonthCounts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range ms {
			n += m.Count
		}
		return n
	}
	if n := count(PhotoQuery{Person: anna.ID, Reader: viewer}); n != 2 {
		t.Errorf("viewer's photos of Anna: %d, want 2", n)
	}
	if n := count(PhotoQuery{PersonName: "ANNA", Reader: owner}); n != 3 {
		t.Errorf("person:ANNA finds %d, want 3", n)
	}
	if n := count(PhotoQuery{Text: "bo", Reader: owner}); n != 1 {
		t.Errorf("the word bo finds %d photos, want 1 (her name is in the full-text row)", n)
	}

	// Rename, and the files are read again: still one Anna, renamed.
	if err := d.RenamePerson(ctx, anna.ID, "  Anna   Lind "); err != nil {
		t.Fatal(err)
	}
	if err := d.RenamePerson(ctx, anna.ID, "bo"); !errors.Is(err, ErrConflict) {
		t.Errorf("renaming to another person's name: %v, want a conflict", err)
	}
	for _, bad := range []string{"", "  ", "a\x00b", "x\x1b[31m", strings.Repeat("a", 201)} {
		if err := d.RenamePerson(ctx, anna.ID, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("name %q: %v, want refused", bad, err)
		}
	}
	if n := count(PhotoQuery{Text: "lind", Reader: owner}); n != 3 {
		t.Errorf("the new name finds %d photos, want 3", n)
	}
	bo, _ := d.PersonNamed(ctx, owner, "Bo")
	if err := d.MergePeople(ctx, anna.ID, bo.ID); err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i].Hash += "2"
	}
	recs = append(recs, facesRec("e.jpg", "e", meta.KindImage, "Bo"))
	if _, err := d.ApplyFiles(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	if got := list(owner, false); len(got) != 2 || got["Anna Lind"] != 4 || got["Carl"] != 1 {
		t.Errorf("after rename, merge and a re-read: %v, want Anna Lind 4 (Bo's photo e.jpg too), Carl 1", got)
	}
	if _, err := d.Person(ctx, owner, bo.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the merged person is still there: %v", err)
	}

	// Hide: gone from the list, in the hidden list, and back.
	if err := d.SetPersonHidden(ctx, carl.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := list(owner, false); got["Carl"] != 0 {
		t.Errorf("a hidden person is listed: %v", got)
	}
	if got := list(owner, true); len(got) != 1 || got["Carl"] != 1 {
		t.Errorf("hidden list %v, want Carl", got)
	}
	if err := d.SetPersonHidden(ctx, 9999, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("hiding nobody: %v", err)
	}
}

// A library indexed before faces were read gets its people from the
// background re-read (meta.ReaderVersion 4), without a full index.
func TestPeopleFromTheReread(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	old := facesRec("a.jpg", "a", meta.KindImage)
	old.Reader = 2
	if _, err := d.ApplyFiles(ctx, []FileRecord{old}, nil); err != nil {
		t.Fatal(err)
	}
	stale, err := d.StaleFiles(ctx, meta.ReaderVersion, StaleCursor{}, 10)
	if err != nil || len(stale) != 1 {
		t.Fatalf("stale files %+v (%v), want a.jpg: the reader version was not bumped", stale, err)
	}
	if _, _, err := d.RereadFiles(ctx, []FileRecord{facesRec("a.jpg", "a", meta.KindImage, "Anna")}); err != nil {
		t.Fatal(err)
	}
	ps, err := d.People(ctx, Reader{Kind: Owner}, false)
	if err != nil || len(ps) != 1 || ps[0].Name != "Anna" || ps[0].Count != 1 {
		t.Errorf("after the re-read: %+v (%v), want Anna on one photo", ps, err)
	}
}

// BenchmarkPeople lists the people of a 100,000-photo library where 1,000
// people have 60,000 faces, as an owner and as a viewer.
func BenchmarkPeople(b *testing.B) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(b.TempDir(), "pinhole.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 100000, 1); err != nil {
		b.Fatal(err)
	}
	err = d.tx(ctx, func(tx *sql.Tx) error {
		for i := 1; i <= 1000; i++ {
			if _, err := tx.ExecContext(ctx, `INSERT INTO people (id, name) VALUES (?, ?)`, i, fmt.Sprintf("Person %d", i)); err != nil {
				return err
			}
		}
		for i := 0; i < 60000; i++ {
			// Few people on many photos, many on few, as in a family library.
			person := 1 + (i*i)%1000
			if _, err := tx.ExecContext(ctx, `INSERT INTO faces (photo_id, person_id, x, y, w, h) VALUES (?, ?, 0.1, 0.1, 0.2, 0.2)`, 1+(i*7919)%100000, person); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `ANALYZE`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range []Reader{{Kind: Owner}, {Kind: Viewer}} {
		b.Run(fmt.Sprint(r.Kind), func(b *testing.B) {
			for b.Loop() {
				ps, err := d.People(ctx, r, false)
				if err != nil || len(ps) == 0 {
					b.Fatal(len(ps), err)
				}
			}
		})
	}
}
