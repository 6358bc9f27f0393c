package sidecar_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pinhole/db"
)

// A batch edit of a selection reaches the sidecar writer, whose sidecars
// exiftool reads back; a full re-index and a move of the files keep every
// edited value, as they keep a single photo's edits.
func TestBatchEditsReachSidecarsAndSurviveReindexAndMoves(t *testing.T) {
	ctx := context.Background()
	l := newLib(t)
	names := []string{"IMG_1.JPG", "IMG_2.JPG", "IMG_3.JPG"}
	bin, err := exec.LookPath("exiftool")
	if err != nil {
		t.Fatal("exiftool is needed (scripts/deps.sh test installs it)")
	}
	// The camera wrote a time, a zone, a position, a title, a keyword and
	// a rating into each file: only the edits' marks keep a re-index from
	// putting those back.
	for i, n := range names {
		p := l.write(t, "2019/Trip/"+n, jpegBytes(t, 10+i))
		out, err := exec.Command(bin, "-q", "-overwrite_original", fmt.Sprintf("-EXIF:DateTimeOriginal=2019:07:14 2%d:00:00", i),
			"-EXIF:OffsetTimeOriginal=+01:00", "-GPSLatitude=48.85", "-GPSLatitudeRef=N", "-GPSLongitude=2.35", "-GPSLongitudeRef=E",
			"-XMP-dc:Title=From the camera", "-XMP-dc:Subject=camera", "-XMP-xmp:Rating=1", p).CombinedOutput()
		if err != nil {
			t.Fatalf("exiftool: %v: %s", err, out)
		}
	}
	l.write(t, "2019/Trip/IMG_9.JPG", jpegBytes(t, 9)) // not selected
	l.scan(t)
	var ids []int64
	for _, n := range names {
		d := l.photo(t, "2019/Trip/"+n)
		if d.Photo.Title != "From the camera" || d.Photo.Rating != 1 || d.Photo.TakenOffset == nil {
			t.Fatalf("%s as indexed: %+v", n, d.Photo)
		}
		ids = append(ids, d.Photo.ID)
	}
	other := comparable(t, l.photo(t, "2019/Trip/IMG_9.JPG"))

	var told []int64
	l.db.OnEdited(func(ids []int64) { told = append(told, ids...) })
	l.now = l.now.Add(time.Minute)
	_, err = l.db.BatchEditPhotos(ctx, ids, db.BatchEdit{
		Shift: 90 * time.Minute, SetZone: true, ZoneOffset: ptr(120),
		SetLocation: true, Lat: ptr(38.7139), Lng: ptr(-9.1334),
		KeywordsAdd: []string{"Lisbon", "tram"}, Title: ptr("Lisbon"), Rating: ptr(4),
	}, db.Reader{Kind: db.Owner})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(told, ids) {
		t.Fatalf("the sidecar hook was told %v, want %v", told, ids)
	}
	edited := map[int64]string{}
	for i, id := range ids {
		d := l.photo(t, "2019/Trip/"+names[i])
		edited[id] = comparable(t, d)
		// 2i:00 at +01:00, in zone +02:00 (same wall clock), 1 h 30 later.
		want := fmt.Sprintf("2019-07-14 2%d:30:00", i+1)
		if d.Photo.TakenLocal != want || d.Photo.TakenOffset == nil || *d.Photo.TakenOffset != 120 || d.Photo.Rating != 4 ||
			strings.Join(d.Keywords, ",") != "camera,Lisbon,tram" {
			t.Fatalf("%s after the batch: %+v", names[i], d.Photo)
		}
	}

	// The writer writes what the hook queued; exiftool reads it back.
	w := l.writer(false)
	l.now = l.now.Add(3 * time.Second)
	for i, id := range told {
		res, err := w.Write(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(l.data, "sidecars", "2019", "Trip", strings.TrimSuffix(names[i], ".JPG")+".xmp")
		if res.Path != want {
			t.Fatalf("sidecar at %s, want %s", res.Path, want)
		}
		got := exiftool(t, res.Path)
		taken := fmt.Sprintf("2019:07:14 2%d:30:00+02:00", i+1)
		for k, v := range map[string]any{"XMP-dc:Title": "Lisbon", "XMP-xmp:Rating": 4.0, "XMP-dc:Subject": []any{"camera", "Lisbon", "tram"},
			"XMP-exif:DateTimeOriginal": taken, "XMP-exif:GPSLatitude": 38.7139} {
			if g := got[k]; !equalJSON(g, v) {
				t.Errorf("%s %s: exiftool reads %#v, want %#v", names[i], k, g, v)
			}
		}
	}

	// A full re-index reads the files again: every edit stays.
	l.now = l.now.Add(time.Hour)
	if _, err := l.ix.Scan(ctx, true); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if got := comparable(t, l.photo(t, "2019/Trip/"+names[i])); got != edited[id] {
			t.Fatalf("%s after a full re-index:\n%s\nwant\n%s", names[i], got, edited[id])
		}
	}
	if got := comparable(t, l.photo(t, "2019/Trip/IMG_9.JPG")); got != other {
		t.Fatalf("the photo outside the batch changed:\n%s\n%s", other, got)
	}

	// The files move to another folder: the photos and their edits follow.
	if err := os.MkdirAll(filepath.Join(l.root, "2019", "Lisbon"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.Rename(filepath.Join(l.root, "2019", "Trip", n), filepath.Join(l.root, "2019", "Lisbon", n)); err != nil {
			t.Fatal(err)
		}
	}
	l.scan(t)
	for i, id := range ids {
		d := l.photo(t, "2019/Lisbon/"+names[i])
		if d.Photo.ID != id {
			t.Fatalf("%s is photo %d after the move, want %d", names[i], d.Photo.ID, id)
		}
		if got := comparable(t, d); got != edited[id] {
			t.Fatalf("%s after the move:\n%s\nwant\n%s", names[i], got, edited[id])
		}
	}
}

// equalJSON compares exiftool's JSON values (numbers as float64).
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x-y < 1e-7 && y-x < 1e-7
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}
