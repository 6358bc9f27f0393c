package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"pinhole/app/meta"
)

func liveRec(path, hash string, kind meta.Kind, cid string) FileRecord {
	mime := map[meta.Kind]string{meta.KindImage: "image/heic", meta.KindVideo: "video/quicktime"}[kind]
	return FileRecord{Path: path, Size: 10, MTime: 1, Hash: hash, Kind: kind, MIME: mime, Reader: meta.ReaderVersion,
		Info: &meta.Info{Kind: kind, MIME: mime, ContentID: cid}}
}

// photoOf returns the photo a path belongs to, its media type and how many
// files it has.
func photoOf(t *testing.T, d *DB, rel string) (id int64, media string, files int) {
	t.Helper()
	err := d.sql.QueryRow(`SELECT p.id, p.media_type, (SELECT count(*) FROM files g WHERE g.photo_id = p.id)
		FROM files f JOIN photos p ON p.id = f.photo_id WHERE f.path = ?`, rel).Scan(&id, &media, &files)
	if err != nil {
		t.Fatalf("photo of %s: %v", rel, err)
	}
	return id, media, files
}

// An Apple Live Photo whose halves have different names pairs by the
// content identifier both carry, whichever half arrives first, in one
// batch or in two; a lone still and a lone movie only, in one folder.
func TestLivePhotoPairsByContentIdentifier(t *testing.T) {
	ctx := context.Background()
	const cid = "570F1469-09C7-4E50-9875-05F21D5BD166"
	for _, tc := range []struct {
		name    string
		batches [][]FileRecord
		paired  [][2]string // paths that must share a live photo
		apart   [][2]string // paths that must not
	}{
		{"still first, in two batches", [][]FileRecord{
			{liveRec("trip/IMG_5195.HEIC", "a", meta.KindImage, cid)},
			{liveRec("trip/IMG_5195 (Live).MOV", "b", meta.KindVideo, cid)}},
			[][2]string{{"trip/IMG_5195.HEIC", "trip/IMG_5195 (Live).MOV"}}, nil},
		{"movie first, in one batch", [][]FileRecord{{
			liveRec("trip/clip-1.mov", "b", meta.KindVideo, cid),
			liveRec("trip/photo-1.heic", "a", meta.KindImage, cid)}},
			[][2]string{{"trip/photo-1.heic", "trip/clip-1.mov"}}, nil},
		{"other identifiers stay apart", [][]FileRecord{{
			liveRec("trip/a.heic", "a", meta.KindImage, cid),
			liveRec("trip/b.mov", "b", meta.KindVideo, "11111111-2222-3333-4444-555555555555")}},
			nil, [][2]string{{"trip/a.heic", "trip/b.mov"}}},
		{"other folders stay apart", [][]FileRecord{{
			liveRec("trip/a.heic", "a", meta.KindImage, cid),
			liveRec("other/b.mov", "b", meta.KindVideo, cid)}},
			nil, [][2]string{{"trip/a.heic", "other/b.mov"}}},
		{"a photo that already moves keeps its movie", [][]FileRecord{
			{liveRec("trip/IMG_1.HEIC", "a", meta.KindImage, cid), liveRec("trip/IMG_1.MOV", "b", meta.KindVideo, cid)},
			{liveRec("trip/copy.mov", "c", meta.KindVideo, cid)}},
			[][2]string{{"trip/IMG_1.HEIC", "trip/IMG_1.MOV"}}, [][2]string{{"trip/IMG_1.HEIC", "trip/copy.mov"}}},
		{"an edited still does not join the original's photo", [][]FileRecord{
			{liveRec("trip/IMG_1.HEIC", "a", meta.KindImage, cid), liveRec("trip/IMG_1.MOV", "b", meta.KindVideo, cid)},
			{liveRec("trip/IMG_E1.HEIC", "c", meta.KindImage, cid)}},
			nil, [][2]string{{"trip/IMG_1.HEIC", "trip/IMG_E1.HEIC"}}},
		{"two stills never pair", [][]FileRecord{{
			liveRec("trip/a.heic", "a", meta.KindImage, cid), liveRec("trip/b.heic", "b", meta.KindImage, cid)}},
			nil, [][2]string{{"trip/a.heic", "trip/b.heic"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			for _, b := range tc.batches {
				if _, err := d.ApplyFiles(ctx, b, nil); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range tc.paired {
				a, media, n := photoOf(t, d, p[0])
				b, _, _ := photoOf(t, d, p[1])
				if a != b || media != "live" || n != 2 {
					t.Errorf("%s and %s: photos %d and %d, %s with %d files; want one live photo of 2 files", p[0], p[1], a, b, media, n)
				}
				var motion int64
				if err := d.sql.QueryRow(`SELECT COALESCE(motion_file_id, 0) FROM photos WHERE id = ?`, a).Scan(&motion); err != nil || motion == 0 {
					t.Errorf("%s: no motion file (%v)", p[0], err)
				}
			}
			for _, p := range tc.apart {
				if a, _, _ := photoOf(t, d, p[0]); a == func() int64 { b, _, _ := photoOf(t, d, p[1]); return b }() {
					t.Errorf("%s and %s were paired", p[0], p[1])
				}
			}
			var orphans int
			if err := d.sql.QueryRow(`SELECT count(*) FROM photos p WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.photo_id = p.id)`).Scan(&orphans); err != nil || orphans != 0 {
				t.Errorf("%d photos left without files (%v)", orphans, err)
			}
		})
	}
}

// Halves indexed by an older version (no identifiers read) pair when the
// background re-read reads them again.
func TestLivePhotoPairsOnReread(t *testing.T) {
	ctx := context.Background()
	const cid = "570F1469-09C7-4E50-9875-05F21D5BD166"
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// A pair by name, and a copy of its movie under another name.
	const cid2 = "11111111-2222-3333-4444-555555555555"
	old := []FileRecord{liveRec("trip/IMG_5195.HEIC", "a", meta.KindImage, ""), liveRec("trip/IMG_5195 (Live).MOV", "b", meta.KindVideo, ""),
		liveRec("trip/IMG_7.HEIC", "c", meta.KindImage, ""), liveRec("trip/IMG_7.MOV", "d", meta.KindVideo, ""), liveRec("trip/IMG_7 copy.MOV", "e", meta.KindVideo, "")}
	for i := range old {
		old[i].Reader = 1
	}
	if _, err := d.ApplyFiles(ctx, old, nil); err != nil {
		t.Fatal(err)
	}
	if a, media, _ := photoOf(t, d, old[0].Path); a == func() int64 { b, _, _ := photoOf(t, d, old[1].Path); return b }() || media != "image" {
		t.Fatalf("paired before their identifiers were read")
	}
	// The copy is read before the still: when the still's turn comes, a
	// lone movie with its identifier is there to (wrongly) pair with.
	reread := []FileRecord{liveRec(old[0].Path, "a", meta.KindImage, cid), liveRec(old[1].Path, "b", meta.KindVideo, cid),
		liveRec(old[4].Path, "e", meta.KindVideo, cid2), liveRec(old[2].Path, "c", meta.KindImage, cid2), liveRec(old[3].Path, "d", meta.KindVideo, cid2)}
	if _, _, err := d.RereadFiles(ctx, reread); err != nil {
		t.Fatal(err)
	}
	a, media, n := photoOf(t, d, old[0].Path)
	b, _, _ := photoOf(t, d, old[1].Path)
	if a != b || media != "live" || n != 2 {
		t.Errorf("after the re-read: photos %d and %d, %s with %d files; want one live photo", a, b, media, n)
	}
	// The pair by name keeps its one movie; the copy stays a video of its own.
	if p, media, n := photoOf(t, d, "trip/IMG_7.HEIC"); media != "live" || n != 2 {
		t.Errorf("IMG_7: %s with %d files, want live with 2", media, n)
	} else if c, media, _ := photoOf(t, d, "trip/IMG_7 copy.MOV"); c == p || media != "video" {
		t.Errorf("the copied movie joined the pair (%s)", media)
	}
}

// The partner is found through the content identifier index, not by
// reading every file's metadata: an iPhone library has one per photo.
func TestLivePhotoPairingUsesTheIndex(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.sql.QueryContext(ctx, "EXPLAIN QUERY PLAN "+livePartner, 1, "x", "video", 2, "image")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "files_content_id") {
		t.Errorf("the pairing query does not use files_content_id: %s", p)
	}
}
