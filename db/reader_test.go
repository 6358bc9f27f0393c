package db

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

// readerHiding is the reader of tests written around "hide private
// photos or not": a viewer or the owner.
func readerHiding(hidePrivate bool) Reader {
	if hidePrivate {
		return Reader{Kind: Viewer}
	}
	return Reader{Kind: Owner}
}

// ownerReader is the reader of tests that look at every photo.
var ownerReader = Reader{Kind: Owner}

// readerLibrary is a generated library whose private photos stand out:
// every photo in Japan and a few others, all with their own title word,
// camera, lens and a damaged file; an album mixing them with public ones
// (a private cover) and an album of private photos only.
type readerLibrary struct {
	d                    *DB
	private, public      []int64 // present, unarchived photos
	privateHash          string
	mixed, hidden, other int64 // albums
	outside              int64 // a public photo in no album
}

func newReaderLibrary(t *testing.T) readerLibrary {
	t.Helper()
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.InsertSynthetic(ctx, 400, 5); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE photos SET private = 1 WHERE country_code = 'JP' OR id % 37 = 0`,
		`UPDATE photos SET private = 0, archived = 0, missing = 0 WHERE private = 0`,
		`UPDATE photos SET title = 'zanzibar lantern', make = 'Secret', model = 'Secret Obscura', lens = 'Secret Lens 50mm' WHERE private = 1`,
		`UPDATE files SET error = 'damaged: cut short' WHERE photo_id IN (SELECT id FROM photos WHERE private = 1)`,
	} {
		if _, err := d.sql.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// The search rows follow the new titles, as an edit's would.
	err = d.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM photos WHERE private = 1`)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if err := d.syncSearch(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l := readerLibrary{d: d}
	rows, err := d.sql.Query(`SELECT id, private FROM photos WHERE missing = 0 AND archived = 0 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var priv bool
		rows.Scan(&id, &priv)
		if priv {
			l.private = append(l.private, id)
		} else {
			l.public = append(l.public, id)
		}
	}
	rows.Close()
	if len(l.private) < 10 || len(l.public) < 100 {
		t.Fatalf("generated %d private and %d public photos; the test needs more", len(l.private), len(l.public))
	}
	if err := d.sql.QueryRow(`SELECT hash FROM files WHERE photo_id = ?`, l.private[0]).Scan(&l.privateHash); err != nil {
		t.Fatal(err)
	}
	album := func(title string, ids ...int64) int64 {
		a, err := d.CreateAlbum(ctx, title, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.AddToAlbum(ctx, a.ID, ids); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	l.mixed = album("Mixed", l.private[0], l.public[0], l.private[1], l.public[1])
	cover := l.private[0]
	if err := d.EditAlbum(ctx, l.mixed, AlbumEdit{CoverPhotoID: &cover}); err != nil {
		t.Fatal(err)
	}
	l.hidden = album("Hidden", l.private[2], l.private[3])
	l.other = album("Other", l.public[2])
	l.outside = l.public[3]
	return l
}

// sees gathers what a reader gets from every read that shows photos.
type sees struct {
	listed, months, mapped, folderTotal int
	ids                                 []int64
	text, private                       int // photos found by the private title, by private=true
	places, cameras, lenses, problems   []string
	albums                              map[string]Album
	suggestion                          string
}

func look(t *testing.T, d *DB, r Reader) sees {
	t.Helper()
	ctx := context.Background()
	var s sees
	for cur := ""; ; {
		p, err := d.SearchPhotos(ctx, PhotoQuery{Reader: r, Limit: 500, Cursor: cur})
		if err != nil {
			t.Fatal(err)
		}
		for _, ph := range p.Photos {
			s.ids = append(s.ids, ph.ID)
		}
		if cur = p.Next; cur == "" {
			break
		}
	}
	s.listed = len(s.ids)
	ms, err := d.MonthCounts(ctx, PhotoQuery{Reader: r})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		s.months += m.Count
	}
	cs, err := d.GeoClusters(ctx, PhotoQuery{Reader: r}, GeoGrid{Zoom: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		s.mapped += c.Count
	}
	tp, err := d.SearchPhotos(ctx, PhotoQuery{Reader: r, Text: "zanzibar"})
	if err != nil {
		t.Fatal(err)
	}
	s.text = len(tp.Photos)
	yes := true
	pp, err := d.SearchPhotos(ctx, PhotoQuery{Reader: r, Private: &yes})
	if err != nil {
		t.Fatal(err)
	}
	s.private = len(pp.Photos)
	_, pl, err := d.Places(ctx, "", "", r)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pl {
		s.places = append(s.places, p.CountryCode)
	}
	cams, lenses, err := d.Cameras(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cams {
		s.cameras = append(s.cameras, c.Model)
	}
	for _, l := range lenses {
		s.lenses = append(s.lenses, l.Lens)
	}
	f, err := d.Folder(ctx, "", r)
	if err != nil {
		t.Fatal(err)
	}
	s.folderTotal = f.Folder.Total
	probs, err := d.Problems(ctx, ProblemQuery{Reader: r, PerKind: 5000, Helpers: Helpers{HEIF: true, FFmpeg: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs.Problems {
		s.problems = append(s.problems, p.Path)
	}
	albums, err := d.Albums(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	s.albums = map[string]Album{}
	for _, a := range albums {
		s.albums[a.Title] = a
	}
	sg, err := d.Suggest(ctx, PhotoQuery{Reader: r, Text: "zanzibaz"})
	if err != nil {
		t.Fatal(err)
	}
	s.suggestion = sg.Text
	return s
}

// TestZeroReaderSeesNoPrivatePhoto: a Reader nobody filled in is a
// viewer, so a handler that forgets to say who asks hides private photos
// from every list, count, map, place, camera, folder, album, problem,
// suggestion, detail and file; only an explicit Owner sees them.
func TestZeroReaderSeesNoPrivatePhoto(t *testing.T) {
	l := newReaderLibrary(t)
	ctx := context.Background()
	nobody, own := look(t, l.d, Reader{}), look(t, l.d, Reader{Kind: Owner})

	pub, all := len(l.public), len(l.public)+len(l.private)
	if own.listed != all || own.text == 0 || own.private != len(l.private) || !slices.Contains(own.places, "JP") ||
		!slices.Contains(own.cameras, "Secret Obscura") || own.albums["Hidden"].Count != 2 || own.suggestion != "zanzibar" {
		t.Fatalf("the owner does not see the private photos: %d of %d listed, text %d, private %d, places %v, cameras %v, hidden album %+v, suggestion %q",
			own.listed, all, own.text, own.private, own.places, own.cameras, own.albums["Hidden"], own.suggestion)
	}
	for _, id := range l.private {
		if slices.Contains(nobody.ids, id) {
			t.Errorf("the zero Reader lists private photo %d", id)
		}
	}
	for what, n := range map[string]int{"listed": nobody.listed, "in month counts": nobody.months, "in the root folder": nobody.folderTotal} {
		if n != pub {
			t.Errorf("the zero Reader has %d photos %s, want the %d public ones", n, what, pub)
		}
	}
	if nobody.mapped >= own.mapped {
		t.Errorf("the zero Reader's map has %d photos, the owner's %d: private ones are on it", nobody.mapped, own.mapped)
	}
	if nobody.text != 0 || nobody.private != 0 || nobody.suggestion != "" {
		t.Errorf("the zero Reader finds %d photos by a private title, %d by private=true, suggestion %q", nobody.text, nobody.private, nobody.suggestion)
	}
	if slices.Contains(nobody.places, "JP") || slices.Contains(nobody.cameras, "Secret Obscura") || slices.Contains(nobody.lenses, "Secret Lens 50mm") {
		t.Errorf("the zero Reader sees private places, cameras or lenses: %v %v %v", nobody.places, nobody.cameras, nobody.lenses)
	}
	if len(nobody.problems) != 0 || len(own.problems) == 0 {
		t.Errorf("problems: the zero Reader sees %d (want none), the owner %d", len(nobody.problems), len(own.problems))
	}
	if m := nobody.albums["Mixed"]; m.Count != 2 || m.CoverPhotoID != nil {
		t.Errorf("the zero Reader's mixed album: %d photos, cover %v; want the 2 public ones and no private cover", m.Count, m.CoverPhotoID)
	}
	if h := nobody.albums["Hidden"]; h.Count != 0 || h.CoverHash != "" {
		t.Errorf("the zero Reader's hidden album: %d photos, cover %q; want none", h.Count, h.CoverHash)
	}
	if _, err := l.d.PhotoDetail(ctx, l.private[0], Reader{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("the zero Reader opens private photo %d: %v", l.private[0], err)
	}
	if _, err := l.d.FileByHash(ctx, l.privateHash, FileScope{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a zero FileScope fetches a private photo's file: %v", err)
	}
	if _, err := l.d.FileByHash(ctx, l.privateHash, FileScope{Reader: Reader{Kind: Owner}}); err != nil {
		t.Errorf("the owner cannot fetch a private photo's file: %v", err)
	}
}

// TestVisitorSeesOnlyTheSharedAlbum: a share visitor's reader confines
// every read to the shared album's public photos, whatever the query
// asks, and a visitor of no album sees nothing.
func TestVisitorSeesOnlyTheSharedAlbum(t *testing.T) {
	l := newReaderLibrary(t)
	ctx := context.Background()
	v := look(t, l.d, VisitorOf(l.mixed))
	if !slices.Equal(sorted(v.ids), sorted([]int64{l.public[0], l.public[1]})) || v.months != 2 || v.folderTotal != 2 {
		t.Errorf("a visitor of the mixed album lists %v (months %d, folder %d), want only its public photos %d and %d",
			v.ids, v.months, v.folderTotal, l.public[0], l.public[1])
	}
	if len(v.albums) != 1 || v.albums["Mixed"].Count != 2 || v.albums["Mixed"].CoverPhotoID != nil {
		t.Errorf("a visitor's albums: %+v, want only Mixed with 2 photos and no private cover", v.albums)
	}
	if len(v.problems) != 0 || v.suggestion != "" || v.text != 0 {
		t.Errorf("a visitor sees problems %v, suggestion %q, %d private-title matches", v.problems, v.suggestion, v.text)
	}
	outside := PhotoQuery{Reader: VisitorOf(l.mixed), Album: l.other}
	if p, err := l.d.SearchPhotos(ctx, outside); err != nil || len(p.Photos) != 0 {
		t.Errorf("a visitor asking for another album gets %d photos (%v), want none", len(p.Photos), err)
	}
	for _, id := range []int64{l.outside, l.private[0]} {
		if _, err := l.d.PhotoDetail(ctx, id, VisitorOf(l.mixed)); !errors.Is(err, ErrNotFound) {
			t.Errorf("a visitor opens photo %d outside what the share shows: %v", id, err)
		}
	}
	if _, err := l.d.PhotoDetail(ctx, l.public[0], VisitorOf(l.mixed)); err != nil {
		t.Errorf("a visitor cannot open a shared photo: %v", err)
	}
	if _, err := l.d.AlbumByID(ctx, l.hidden, VisitorOf(l.mixed)); !errors.Is(err, ErrNotFound) {
		t.Errorf("a visitor opens another album: %v", err)
	}
	none := look(t, l.d, Reader{Kind: Visitor})
	if none.listed != 0 || len(none.albums) != 0 || none.mapped != 0 || len(none.places) != 0 || len(none.cameras) != 0 {
		t.Errorf("a visitor of no album sees %d photos, albums %v, %d on the map, places %v, cameras %v",
			none.listed, none.albums, none.mapped, none.places, none.cameras)
	}
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
