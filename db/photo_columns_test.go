package db

import (
	"context"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// internalPhotoColumns are the photos table's columns the API does not
// show as a Photo field, each with why. A new column goes either into
// db.Photo (with photoColumns and scanPhoto) or here.
var internalPhotoColumns = map[string]string{
	"edited":          "the fields a user changed; PhotoDetail shows them as a list",
	"primary_file_id": "the file shown for the photo; Photo carries its hash",
	"search_key":      "the full-text row's key (taken time and id), for search order",
	"motion_file_id":  "the file whose video is the photo's motion; Photo carries it as motion.hash",
	"edited_at":       "when a user last edited the photo, for the sidecar writer: the newer of Pinhole's edit and another program's sidecar wins",
	"removed":         "removed from the library for good (read-only originals): hidden from everyone, kept so its files stay ignored",
}

// photoFieldsWithoutColumn are db.Photo's JSON fields that are not
// columns of photos, each with where they come from.
var photoFieldsWithoutColumn = map[string]string{
	"hash":     "the primary file's content hash (files.hash)",
	"problem":  "CheckProblem, from the primary file's error and type",
	"motion":   "the motion file's hash and whether the video is inside the still (motion_file_id joined to files)",
	"playable": "web's markPlayable, from the video's codecs (files.meta or a remembered ffprobe answer)",
}

// TestPhotoColumnsMatchThePhotoStruct ties the photos table to db.Photo:
// every column is read into a Photo field of the same JSON name or is
// listed as internal, every column photoColumns reads exists, and every
// Photo field is a column or listed. Adding a metadata field end to end
// (docs/architecture.md) means a migration, a Photo field and its
// photoColumns/scanPhoto entries together; this fails, saying which is
// missing, when one is left out.
func TestPhotoColumnsMatchThePhotoStruct(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.sql.QueryContext(ctx, `SELECT name FROM pragma_table_info('photos')`)
	if err != nil {
		t.Fatal(err)
	}
	table := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		table[name] = true
	}
	rows.Close()
	if len(table) < 30 {
		t.Fatalf("the photos table has %d columns: %v", len(table), table)
	}

	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`\bp\.(\w+)`).FindAllStringSubmatch(photoColumns, -1) {
		read[m[1]] = true
	}
	fields := map[string]string{} // JSON name → Go field
	pt := reflect.TypeFor[Photo]()
	for i := range pt.NumField() {
		f := pt.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			t.Errorf("db.Photo.%s has no JSON name; give it the photos column's name", f.Name)
			continue
		}
		fields[name] = f.Name
	}

	for _, col := range sortedKeys(table) {
		_, internal := internalPhotoColumns[col]
		switch {
		case internal && read[col]:
			t.Errorf("photos.%s is read into db.Photo and also listed as internal: drop it from internalPhotoColumns", col)
		case !internal && !read[col]:
			t.Errorf("photos.%s is in no db.Photo field: add the field (JSON name %q), read it in photoColumns and scanPhoto "+
				"and document it in docs/api.md, or list it in internalPhotoColumns with why the API does not show it",
				col, col)
		}
	}
	for _, col := range sortedKeys(read) {
		if !table[col] {
			t.Errorf("photoColumns reads p.%s, which the photos table does not have: add it in a migration", col)
		}
		if _, ok := fields[col]; !ok {
			t.Errorf("photoColumns reads p.%s, but db.Photo has no field with JSON name %q: name the field after the column", col, col)
		}
	}
	for _, col := range sortedKeys(internalPhotoColumns) {
		if !table[col] {
			t.Errorf("internalPhotoColumns lists %q, which the photos table no longer has: drop it", col)
		}
	}
	for _, name := range sortedKeys(fields) {
		if _, ok := photoFieldsWithoutColumn[name]; !ok && !read[name] {
			t.Errorf("db.Photo.%s (JSON %q) is not read from a photos column: add the column in a migration and to photoColumns "+
				"and scanPhoto, or list it in photoFieldsWithoutColumn with where it comes from", fields[name], name)
		}
	}

	// photoColumns and scanPhoto agree: a photo reads back (a count
	// mismatch fails the Scan).
	if err := d.InsertSynthetic(ctx, 1, 1); err != nil {
		t.Fatal(err)
	}
	if p, err := d.PhotoByID(ctx, 1); err != nil || p.ID != 1 || p.Hash == "" {
		t.Errorf("reading a photo back: %+v, %v", p, err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
