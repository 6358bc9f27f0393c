package db

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
)

// The folder list's counts, and the places and camera lists, are kept
// between visits, and every kind of change shows at the next one: files
// gone missing (one at a time and a whole folder), photos made private,
// archived, moved or deleted, new photos.
func TestFolderCountsFollowChanges(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 1500, 4); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		for _, rd := range []Reader{{Kind: Owner}, {Kind: Viewer}} {
			hide := !rd.SeesPrivate()
			root, err := d.Folder(ctx, "", rd)
			if err != nil {
				t.Fatal(err)
			}
			var want int
			d.sql.QueryRow(`SELECT count(DISTINCT p.id) FROM photos p JOIN files f ON f.photo_id = p.id
				WHERE f.missing = 0 AND ` + visible(rd)).Scan(&want)
			if root.Folder.Total != want || want == 0 {
				t.Fatalf("%s, hidePrivate=%v: the library's folders hold %d photos, the photos say %d", step, hide, root.Folder.Total, want)
			}
			// A month folder, counted directly.
			var path string
			var n int
			d.sql.QueryRow(`SELECT d.path, count(DISTINCT p.id) FROM photos p JOIN files f ON f.photo_id = p.id JOIN folders d ON d.id = f.folder_id
				WHERE f.missing = 0 AND `+visible(rd)+` GROUP BY d.path ORDER BY d.path LIMIT 1 OFFSET 7`).Scan(&path, &n)
			v, err := d.Folder(ctx, path, rd)
			if err != nil {
				t.Fatal(err)
			}
			if v.Folder.Photos != n {
				t.Fatalf("%s, hidePrivate=%v: folder %s shows %d photos, holds %d", step, hide, path, v.Folder.Photos, n)
			}
			for _, at := range [][2]string{{"", ""}, {"PT", ""}, {"PT", "Lisbon"}} {
				_, got, err := d.Places(ctx, at[0], at[1], rd)
				if err != nil {
					t.Fatal(err)
				}
				_, want, err := d.countPlaces(ctx, at[0], at[1], rd)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) || len(want) == 0 {
					t.Fatalf("%s, hidePrivate=%v: places under %v %v\nwant %v", step, hide, at, got, want)
				}
			}
			cams, lenses, err := d.Cameras(ctx, rd)
			if err != nil {
				t.Fatal(err)
			}
			wantCams, wantLenses, err := d.countCameras(ctx, rd)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cams, wantCams) || !reflect.DeepEqual(lenses, wantLenses) || len(wantCams) == 0 {
				t.Fatalf("%s, hidePrivate=%v: cameras %v %v\nwant %v %v", step, hide, cams, lenses, wantCams, wantLenses)
			}
		}
	}
	exec := func(q string) {
		t.Helper()
		if _, err := d.sql.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	check("generated")
	check("visited again")
	var paths []string
	rows, _ := d.sql.Query(`SELECT path FROM files WHERE id % 9 = 0`)
	for rows.Next() {
		var p string
		rows.Scan(&p)
		paths = append(paths, p)
	}
	rows.Close()
	if _, err := d.MarkMissing(ctx, paths); err != nil {
		t.Fatal(err)
	}
	check("files gone missing")
	// A file row alone, its photo untouched (a stack losing one of its
	// files, or a file moved to another folder).
	exec(`UPDATE files SET missing = 1 WHERE id % 23 = 0`)
	check("file rows changed alone")
	exec(`UPDATE files SET folder_id = (SELECT id FROM folders WHERE path = '2001/01') WHERE id % 29 = 0`)
	check("files moved to another folder")
	var folder string
	d.sql.QueryRow(`SELECT path FROM folders WHERE path LIKE '2010/%' ORDER BY path LIMIT 1`).Scan(&folder)
	if _, err := d.MarkFolderMissing(ctx, folder); err != nil {
		t.Fatal(err)
	}
	check("a folder gone missing")
	for id := int64(1); id < 200; id += 3 {
		if err := d.SetFlag(ctx, id, "private", true); err != nil {
			t.Fatal(err)
		}
	}
	check("photos made private")
	exec(`UPDATE photos SET archived = 1 WHERE id % 13 = 0`)
	check("photos archived")
	exec(`UPDATE photos SET country_code = 'PT', country = 'Portugal', state = 'Lisbon', city = 'Sintra', model = 'X100V', lens = ''
		WHERE id % 11 = 0`)
	check("photos placed elsewhere, another camera")
	exec(`DELETE FROM photos WHERE id % 17 = 0`)
	check("photos deleted")
	if err := d.InsertSynthetic(ctx, 300, 5); err != nil {
		t.Fatal(err)
	}
	check("photos added")
	d.ReleaseMemory()
	check("after an idle release")
}
