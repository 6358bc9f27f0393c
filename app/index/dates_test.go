package index_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/meta"
	"pinhole/app/testkit"
	"pinhole/db"
)

// cutInHeader is a JPEG without EXIF cut off inside its header, as a copy
// that stopped early leaves it: no date inside, no picture to show. A
// comment segment keeps each seed's bytes (and photo) distinct.
func cutInHeader(t testing.TB, seed int) []byte {
	b := testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(seed)})
	sos := bytes.Index(b, []byte{0xFF, 0xDA})
	if sos < 200 {
		t.Fatalf("test JPEG has its scan at %d", sos)
	}
	com := fmt.Sprintf("file %d", seed)
	out := append([]byte{0xFF, 0xD8, 0xFF, 0xFE, 0, byte(len(com) + 2)}, com...)
	return append(out, b[2:sos-40]...)
}

func (l *lib) touch(t testing.TB, rel string, when time.Time) {
	t.Helper()
	if err := os.Chtimes(filepath.Join(l.root, filepath.FromSlash(rel)), when, when); err != nil {
		t.Fatal(err)
	}
}

// Files nothing inside dates take the best date they have — the file
// name, then the folders' names, then the modification time — and never
// the day they were copied when anything better exists. Damaged JPEGs are
// recorded as such.
func TestUndatedFilesTakeTheirBestDate(t *testing.T) {
	l := newLib(t)
	copied := time.Now() // every file below was "copied today"
	old := time.Date(2015, 3, 4, 5, 6, 7, 0, time.Local)
	files := map[string][]byte{
		"2019/2019-07-14 Lake/IMG_0001.JPG":           cutInHeader(t, 1),
		"WhatsApp/IMG-20180503-WA0001.jpg":            cutInHeader(t, 2),
		"Misc/broken.jpg":                             cutInHeader(t, 3),
		"Holidays 2018/beach.jpg":                     cutInHeader(t, 4),
		"Holidays 2018/pier.jpg":                      cutInHeader(t, 5),
		"2016/05/scan.jpg":                            testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: 6}), // whole, just undated
		"Misc/edited.jpg":                             cutInHeader(t, 7),
		"Misc/edited.xmp":                             []byte(sidecarTitle),
		"Trips/2018-12-30 to 2019-01-02/IMG_0002.JPG": cutInHeader(t, 8),
	}
	for rel, b := range files {
		l.write(t, rel, b)
		l.touch(t, rel, copied)
	}
	l.touch(t, "Misc/broken.jpg", old)
	l.touch(t, "Misc/edited.jpg", old)
	inside := time.Date(2018, 8, 1, 18, 30, 0, 0, time.Local)
	l.touch(t, "Holidays 2018/pier.jpg", inside)
	l.scan(t)

	wall := func(tm time.Time) string { return meta.FileTime(tm).Format(db.TimeLayout) }
	for _, tc := range []struct{ rel, taken, source string }{
		{"2019/2019-07-14 Lake/IMG_0001.JPG", "2019-07-14 00:00:00", "folder_name"},
		{"WhatsApp/IMG-20180503-WA0001.jpg", "2018-05-03 00:00:00", "file_name"},
		{"Misc/broken.jpg", wall(old), "file_time"},
		{"Holidays 2018/beach.jpg", "2018-01-01 00:00:00", "folder_name"},
		// The modification time falls inside the folder's year: it is the
		// more precise date.
		{"Holidays 2018/pier.jpg", wall(inside), "file_time"},
		{"2016/05/scan.jpg", "2016-05-01 00:00:00", "folder_name"},
		// A sidecar written today without a date of its own must not move
		// the photo to today.
		{"Misc/edited.jpg", wall(old), "file_time"},
		// Two dates in one folder name: no guess, the file time stays.
		{"Trips/2018-12-30 to 2019-01-02/IMG_0002.JPG", wall(copied), "file_time"},
	} {
		p := l.photo(t, tc.rel)
		if p.TakenLocal != tc.taken || p.TakenSource != tc.source {
			t.Errorf("%s: taken %s from %s, want %s from %s", tc.rel, p.TakenLocal, p.TakenSource, tc.taken, tc.source)
		}
	}

	// The damaged ones are listed with their problem; the whole one is not.
	probs, err := l.db.Problems(context.Background(), db.ProblemQuery{Reader: db.Reader{Kind: db.Owner}, Helpers: db.Helpers{HEIF: true, FFmpeg: true}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]db.Problem{}
	for _, p := range probs.Problems {
		got[p.Path] = p
	}
	for rel := range files {
		p, listed := got[rel]
		switch {
		case rel == "2016/05/scan.jpg" || strings.HasSuffix(rel, ".xmp"):
			if listed {
				t.Errorf("%s is listed as a problem: %+v", rel, p)
			}
		case !listed:
			t.Errorf("%s (cut off in its header) is not listed as a problem", rel)
		case p.Kind != db.ProblemDamaged || p.Preview || !strings.Contains(p.Fix, "Copy it again"):
			t.Errorf("%s: problem %+v, want damaged with a fix", rel, p)
		}
	}
}

const sidecarTitle = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Edited</rdf:li></rdf:Alt></dc:title>
</rdf:Description></rdf:RDF></x:xmpmeta>`

// A real camera JPEG cut off inside its picture data keeps the date its
// EXIF gives and is listed as incomplete; the same file whole, with bytes
// after its end (as some phones write), is fine.
func TestCutOffCameraJPEGIsIncomplete(t *testing.T) {
	l := newLib(t)
	src, err := os.ReadFile(corpus.Path(t, "exif-py/jpg/exif-org/canon-ixus.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	l.write(t, "Card/cut.jpg", src[:len(src)*6/10])
	l.write(t, "Card/whole.jpg", append(append([]byte{}, src...), "trailer after the end"...))
	l.scan(t)
	p := l.photo(t, "Card/cut.jpg")
	if p.TakenLocal != "2001-06-09 15:17:32" || p.TakenSource != "exif" {
		t.Errorf("cut.jpg taken %s from %s, want its EXIF date", p.TakenLocal, p.TakenSource)
	}
	list, err := l.db.Problems(context.Background(), db.ProblemQuery{Reader: db.Reader{Kind: db.Owner}})
	if err != nil {
		t.Fatal(err)
	}
	probs := list.Problems
	if len(probs) != 1 || probs[0].Path != "Card/cut.jpg" || probs[0].Kind != db.ProblemIncomplete || !probs[0].Preview {
		t.Fatalf("problems %+v, want only Card/cut.jpg, incomplete", probs)
	}
}
