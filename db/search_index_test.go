package db

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// searchRows reads every full-text row, in rowid order.
func searchRows(t *testing.T, d *DB) []string {
	t.Helper()
	rows, err := d.sql.Query(`SELECT rowid, title, description, keywords, names, camera, place FROM photos_fts ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		var cols [6]string
		if err := rows.Scan(&id, &cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5]); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %q", id, cols))
	}
	return out
}

// TestSyntheticSearchRowsAreTheIndexers: the synthetic library builds its
// search rows with the indexer's own definition. Photos with everything a
// row holds (title, description, keywords, several files, names with
// dashes, underscores and dots, camera, place) get the same rows from the
// synthetic generator's bulk insert as from syncSearch, which indexing
// and edits call; the generator's own copy had drifted (no description,
// no keywords, only the primary file, dashes kept).
func TestSyntheticSearchRowsAreTheIndexers(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 120, 9); err != nil {
		t.Fatal(err)
	}
	// Give some photos what the generator does not: descriptions,
	// keywords, a sidecar, dashed names.
	desc, kws := "Grandma's 80th birthday, in the garden", []string{"family", "Birthday-party"}
	for id := int64(1); id <= 120; id += 7 {
		if err := d.EditPhoto(ctx, id, PhotoEdit{Description: &desc, Keywords: &kws}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`UPDATE files SET path = replace(path, 'IMG_', 'IMG-2019-WA') WHERE id % 3 = 0`,
		`INSERT INTO files (photo_id, folder_id, path, name, stem, size, mtime, hash, mime, kind, is_primary, indexed_at)
			SELECT photo_id, folder_id, path || '.xmp', name || '.xmp', stem, 100, 0, hash || 'x', 'application/rdf+xml', 'sidecar', 0, indexed_at
			FROM files WHERE id % 5 = 0`,
	} {
		if _, err := d.sql.Exec(q); err != nil {
			t.Fatal(err)
		}
	}

	// The indexer's rows: syncSearch for every photo.
	err = d.tx(ctx, func(tx *sql.Tx) error {
		for id := int64(1); id <= 120; id++ {
			if err := d.syncSearch(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	indexed := searchRows(t, d)

	// The generator's rows for the same photos.
	if _, err := d.sql.Exec(`DELETE FROM photos_fts`); err != nil {
		t.Fatal(err)
	}
	if err := d.tx(ctx, func(tx *sql.Tx) error { return syntheticSearchRows(ctx, tx, 0) }); err != nil {
		t.Fatal(err)
	}
	synthetic := searchRows(t, d)

	if len(indexed) != 120 || len(synthetic) != len(indexed) {
		t.Fatalf("%d indexed rows, %d synthetic ones, want 120 each", len(indexed), len(synthetic))
	}
	differ := 0
	for i := range indexed {
		if indexed[i] != synthetic[i] {
			if differ++; differ <= 3 {
				t.Errorf("row %d:\n indexer   %s\n synthetic %s", i, indexed[i], synthetic[i])
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d search rows differ", differ, len(indexed))
	}
	all := strings.Join(indexed, "\n")
	for _, want := range []string{"Birthday-party", "garden", "IMG 2019 WA", "xmp"} {
		if !strings.Contains(all, want) {
			t.Errorf("no search row holds %q; the test's photos lack what it checks", want)
		}
	}
}
