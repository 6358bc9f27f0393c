package index_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"pinhole/app/testkit"
	"testing"
	"time"

	"pinhole/app/demo"
	"pinhole/db"
)

// takeoutJSON is a Google Takeout photo sidecar as Google writes it.
func takeoutJSON(title string, taken int64, lat, lng float64, exifLat, exifLng float64, desc string, fav bool) []byte {
	return []byte(fmt.Sprintf(`{
  "title": %q,
  "description": %q,
  "imageViews": "3",
  "creationTime": {"timestamp": "1700000000", "formatted": "14 Nov 2023, 22:13:20 UTC"},
  "photoTakenTime": {"timestamp": "%d", "formatted": "whatever"},
  "geoData": {"latitude": %g, "longitude": %g, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0},
  "geoDataExif": {"latitude": %g, "longitude": %g, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0},
  "favorited": %v,
  "url": "https://photos.google.com/photo/AF1Qip"
}`, title, desc, taken, lat, lng, exifLat, exifLng, fav))
}

func pngBytes(t testing.TB, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for i := range img.Pix {
		img.Pix[i] = uint8(seed*31 + i)
	}
	img.Set(0, 0, color.RGBA{uint8(seed), 1, 2, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exifJPEG is a JPEG whose EXIF records a zoned capture time and a position.
func exifJPEG(t testing.TB, seed int, taken time.Time, lat, lng float64) []byte {
	t.Helper()
	seg, err := (&demo.Exif{Make: "Canon", Model: "EOS", Taken: taken, WithOffset: true, GPS: &demo.GPS{Lat: lat, Lng: lng}}).Segment()
	if err != nil {
		t.Fatal(err)
	}
	b, err := testkit.InsertSegments(testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(seed)}), seg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// takeoutPhoto is what a photo of the tree must become.
type takeoutPhoto struct {
	file     string  // a file of the photo
	taken    string  // taken_local; the offset is 0 (UTC) unless zoned
	offset   int64   // minutes
	source   string  // taken_source
	lat, lng float64 // 0, 0: no position
	desc     string
	fav      bool
	files    int    // files in the stack
	primary  string // name of the primary file, when it matters
}

// A Takeout-shaped tree — pictures without EXIF beside JSON sidecars in
// every naming form Google uses, cut long names, (1) copies, an edited
// copy, an album folder with its metadata.json — indexes to the dates,
// places, captions and stars of the JSON, and no JSON is ever a photo.
func TestTakeoutTree(t *testing.T) {
	ctx := context.Background()
	l := newLib(t)
	y := "Takeout/Google Photos/Photos from 2019/"
	alb := "Takeout/Google Photos/Holidays/"
	const (
		t1 = 1563131130 // 2019-07-14 19:05:30 UTC
		t2 = 1546300800 // 2019-01-01 00:00:00 UTC
		t3 = 1580000000 // 2020-01-26 00:53:20 UTC
	)
	// The original of the edited copy is indexed first, so it is the
	// older file: the edited copy must still be what the photo shows.
	l.write(t, y+"IMG_1004.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(8)}))
	l.scan(t)
	l.write(t, y+"IMG_1001.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(1)}))
	l.write(t, y+"IMG_1001.jpg.json", takeoutJSON("IMG_1001.jpg", t1, 48.8583701, 2.2944813, 0, 0, "Eiffel tower", true))
	l.write(t, y+"IMG_1002.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(2)}))
	l.write(t, y+"IMG_1002.jpg.supplemental-metadata.json", takeoutJSON("IMG_1002.jpg", t2, 0, 0, -33.8568, 151.2153, "", false))
	l.write(t, y+"PXL_20230405_1234567890.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(3)}))
	l.write(t, y+"PXL_20230405_1234567890.jpg.supplemental-metad.json", takeoutJSON("PXL_20230405_1234567890.jpg", t3, 51.5007, -0.1246, 0, 0, "cut suffix", false))
	l.write(t, y+"Screenshot_20200102-030405_Messages1.png", pngBytes(t, 4))
	l.write(t, y+"Screenshot_20200102-030405_Messages1.png.suppl.json", takeoutJSON("Screenshot_20200102-030405_Messages1.png", t1+60, 0, 0, 0, 0, "shortest cut", false))
	long := "A very long holiday photo name from the beach at sunset.jpg"
	l.write(t, y+long, testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(5)}))
	l.write(t, y+"A very long holiday photo name from the beach .json", takeoutJSON(long, t1+120, 40.4168, -3.7038, 0, 0, "long name", false))
	l.write(t, y+"IMG_1003.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(6)}))
	l.write(t, y+"IMG_1003.jpg.json", takeoutJSON("IMG_1003.jpg", t2+3600, 0, 0, 0, 0, "first of the name", false))
	l.write(t, y+"IMG_1003(1).jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(7)}))
	l.write(t, y+"IMG_1003.jpg(1).json", takeoutJSON("IMG_1003.jpg", t2+7200, 0, 0, 0, 0, "second of the name", true))
	l.write(t, y+"IMG_1004-edited.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(9)}))
	l.write(t, y+"IMG_1004.jpg.supplemental-metadata.json", takeoutJSON("IMG_1004.jpg", t3+60, 35.6586, 139.7454, 0, 0, "edited in Google Photos", false))
	zoned := time.Date(2018, 5, 6, 7, 8, 9, 0, time.FixedZone("", 2*3600))
	l.write(t, y+"IMG_1005.jpg", exifJPEG(t, 10, zoned, 41.9, 12.5))
	l.write(t, y+"IMG_1005.jpg.json", takeoutJSON("IMG_1005.jpg", t1, 1.5, 1.5, 0, 0, "the camera knew better", false))
	l.write(t, y+"IMG_9999.jpg.json", takeoutJSON("IMG_9999.jpg", t1, 1, 1, 0, 0, "its photo was not exported", false))
	l.write(t, alb+"metadata.json", []byte(`{"title":"Holidays","description":"","access":"protected","date":{"timestamp":"1563131130","formatted":"x"}}`))
	l.write(t, alb+"IMG_2001.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(11)}))
	l.write(t, alb+"IMG_2001.jpg.json", takeoutJSON("IMG_2001.jpg", t2+60, 0, 0, 0, 0, "in an album", false))

	sum := l.scan(t)
	if sum.Failed != 0 {
		t.Fatalf("scan: %+v", sum)
	}
	want := []takeoutPhoto{
		{file: y + "IMG_1001.jpg", taken: "2019-07-14 19:05:30", source: "takeout", lat: 48.8583701, lng: 2.2944813, desc: "Eiffel tower", fav: true, files: 2},
		{file: y + "IMG_1002.jpg", taken: "2019-01-01 00:00:00", source: "takeout", lat: -33.8568, lng: 151.2153, files: 2},
		{file: y + "PXL_20230405_1234567890.jpg", taken: "2020-01-26 00:53:20", source: "takeout", lat: 51.5007, lng: -0.1246, desc: "cut suffix", files: 2},
		{file: y + "Screenshot_20200102-030405_Messages1.png", taken: "2019-07-14 19:06:30", source: "takeout", desc: "shortest cut", files: 2},
		{file: y + long, taken: "2019-07-14 19:07:30", source: "takeout", lat: 40.4168, lng: -3.7038, desc: "long name", files: 2},
		{file: y + "IMG_1003.jpg", taken: "2019-01-01 01:00:00", source: "takeout", desc: "first of the name", files: 2},
		{file: y + "IMG_1003(1).jpg", taken: "2019-01-01 02:00:00", source: "takeout", desc: "second of the name", fav: true, files: 2},
		{file: y + "IMG_1004.jpg", taken: "2020-01-26 00:54:20", source: "takeout", lat: 35.6586, lng: 139.7454, desc: "edited in Google Photos", files: 3, primary: "IMG_1004-edited.jpg"},
		{file: y + "IMG_1005.jpg", taken: "2018-05-06 07:08:09", offset: 120, source: "exif", lat: 41.9, lng: 12.5, desc: "the camera knew better", files: 2},
		{file: alb + "IMG_2001.jpg", taken: "2019-01-01 00:01:00", source: "takeout", desc: "in an album", files: 2},
	}
	for _, w := range want {
		p := l.photo(t, w.file)
		det, err := l.db.PhotoDetail(ctx, p.ID, db.Reader{Kind: db.Owner})
		if err != nil {
			t.Fatal(err)
		}
		got := takeoutPhoto{file: w.file, taken: p.TakenLocal, source: p.TakenSource, desc: p.Description, fav: p.Favorite, files: len(det.Files)}
		if p.TakenOffset != nil {
			got.offset = *p.TakenOffset
		} else {
			got.offset = -1
		}
		if p.Lat != nil {
			got.lat, got.lng = *p.Lat, *p.Lng
		}
		for _, f := range det.Files {
			if f.Primary {
				got.primary = f.Name
				if f.Kind == "sidecar" {
					t.Errorf("%s: a sidecar is the photo's primary file", w.file)
				}
			}
		}
		if w.primary == "" {
			w.primary = got.primary
		}
		if math.Abs(got.lat-w.lat) < 1e-9 && math.Abs(got.lng-w.lng) < 1e-9 {
			got.lat, got.lng = w.lat, w.lng
		}
		if got != w {
			t.Errorf("%s:\n got %+v\nwant %+v", w.file, got, w)
		}
	}
	if sum.Photos != len(want) {
		t.Errorf("%d photos, want %d: every JSON belongs to a photo, none is one", sum.Photos, len(want))
	}
	for _, rel := range []string{alb + "metadata.json", y + "IMG_9999.jpg.json"} {
		if _, err := l.db.FileByPath(ctx, rel); err == nil {
			t.Errorf("%s was indexed; it describes no photo here", rel)
		}
	}

	// The star is applied once: a user who takes it off keeps it off
	// through full re-reads.
	p := l.photo(t, y+"IMG_1001.jpg")
	if err := l.db.SetFlag(ctx, p.ID, "favorite", false); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ix.Scan(ctx, true); err != nil {
		t.Fatal(err)
	}
	if l.photo(t, y+"IMG_1001.jpg").Favorite {
		t.Error("a full re-read put back the star the user took off")
	}
	if !l.photo(t, y+"IMG_1003(1).jpg").Favorite {
		t.Error("a re-read lost a star")
	}
}

// Files of a Takeout folder arrive in any order (an archive being
// unpacked while the watcher reports paths): a JSON before its photo, an
// edited copy before its original. The photo ends up whole either way.
func TestTakeoutFilesInAnyOrder(t *testing.T) {
	ctx := context.Background()
	l := newLib(t)
	dir := "Takeout/Google Photos/Photos from 2020/"
	changed := func(rels ...string) {
		t.Helper()
		for i := range rels {
			rels[i] = dir + rels[i]
		}
		if _, err := l.ix.Changed(ctx, rels); err != nil {
			t.Fatal(err)
		}
	}
	// The JSON first: nothing to describe yet, so nothing is indexed.
	l.write(t, dir+"IMG_7.jpg.supplemental-metadata.json", takeoutJSON("IMG_7.jpg", 1563131130, 45.4, 9.2, 0, 0, "Milan", true))
	changed("IMG_7.jpg.supplemental-metadata.json")
	if c, _ := l.db.Counts(ctx); c.Files != 0 {
		t.Fatalf("a JSON without its photo was indexed: %+v", c)
	}
	// The edited copy next: a photo of its own for now.
	l.write(t, dir+"IMG_7-edited.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(70)}))
	changed("IMG_7-edited.jpg")
	// Then the original: the JSON, the original and the edited copy
	// become one photo, dated and placed by the JSON.
	l.write(t, dir+"IMG_7.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(71)}))
	changed("IMG_7.jpg")
	p := l.photo(t, dir+"IMG_7.jpg")
	for _, rel := range []string{"IMG_7-edited.jpg", "IMG_7.jpg.supplemental-metadata.json"} {
		if q := l.photo(t, dir+rel); q.ID != p.ID {
			t.Errorf("%s is photo %d, IMG_7.jpg photo %d", rel, q.ID, p.ID)
		}
	}
	c, _ := l.db.Counts(ctx)
	if c.Photos != 1 || p.TakenLocal != "2019-07-14 19:05:30" || p.Description != "Milan" || !p.Favorite || p.Lat == nil {
		t.Fatalf("photos %d; the photo: %+v", c.Photos, p)
	}
	det, _ := l.db.PhotoDetail(ctx, p.ID, db.Reader{Kind: db.Owner})
	for _, f := range det.Files {
		if f.Primary && f.Name != "IMG_7-edited.jpg" {
			t.Errorf("primary %s, want the edited copy", f.Name)
		}
	}
	// A later full scan changes nothing.
	before := p
	if _, err := l.ix.Scan(ctx, false); err != nil {
		t.Fatal(err)
	}
	after := l.photo(t, dir+"IMG_7.jpg")
	before.UpdatedAt, after.UpdatedAt = "", ""
	if b, a := mustJSON(t, before), mustJSON(t, after); b != a {
		t.Errorf("a rescan changed the photo:\n%+v\n%+v", before, after)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A folder without JSON files is not slowed or changed: a name ending in
// "-edited" is an ordinary photo there.
func TestEditedNameWithoutTakeoutIsItsOwnPhoto(t *testing.T) {
	l := newLib(t)
	l.write(t, "a/beach.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(1)}))
	l.write(t, "a/beach-edited.jpg", testkit.JPEG(testkit.Photo{W: 24, H: 16, Seed: uint64(2)}))
	if s := l.scan(t); s.Photos != 2 {
		t.Fatalf("%d photos, want 2", s.Photos)
	}
	if p, q := l.photo(t, "a/beach.jpg"), l.photo(t, "a/beach-edited.jpg"); p.ID == q.ID {
		t.Fatal("stacked without a Takeout JSON")
	}
}
