package db

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSpaces: the timeline's month counts, the world map and the
// first timeline page of a 100k-photo library, for an admin (the kept
// counts and cells, exact for them), a user in a library without private
// spaces (the same, after the check that finds no space photo hidden from
// them), and a user while 10% of the photos are in another user's space
// (the kept answers would be wrong for them, so the photos are counted).
//
//	go test -tags 'sqlite_fts5 synthetic' -run '^$' -bench BenchmarkSpaces -benchtime 20x ./db/
func BenchmarkSpaces(b *testing.B) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "pinhole-spaces-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	d, err := Open(ctx, filepath.Join(dir, "pinhole.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 100_000, 1); err != nil {
		b.Fatal(err)
	}
	admin, user := ReaderOf(RoleAdmin, 1), ReaderOf(RoleUser, 2)
	world := BBox{-180, -85, 180, 85}
	run := func(name string, r Reader) {
		b.Run(name+"/months", func(b *testing.B) {
			for b.Loop() {
				if _, err := d.MonthCounts(ctx, PhotoQuery{Reader: r}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/geo-world", func(b *testing.B) {
			for b.Loop() {
				if _, err := d.GeoClusters(ctx, PhotoQuery{Reader: r, BBox: &world}, GeoGrid{Zoom: 2}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/timeline-page", func(b *testing.B) {
			for b.Loop() {
				if _, err := d.SearchPhotos(ctx, PhotoQuery{Reader: r, Limit: 200}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("admin", admin)
	run("user-no-spaces", user)
	if _, err := d.sql.ExecContext(ctx, `UPDATE photos SET owner_user = 3 WHERE id % 10 = 0`); err != nil {
		b.Fatal(err)
	}
	run("admin-10pct-spaces", admin)
	run("user-10pct-spaces", user)
}
