//go:build synthetic

package db

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"pinhole/app/meta"
)

// syntheticPlaces and syntheticCameras give generated libraries realistic
// spreads for filters.
var syntheticPlaces = []struct {
	cc, country, state, city string
	lat, lng                 float64
}{
	{"PT", "Portugal", "Lisbon", "Lisbon", 38.72, -9.14}, {"PT", "Portugal", "Porto", "Porto", 41.15, -8.61},
	{"ES", "Spain", "Madrid", "Madrid", 40.42, -3.70}, {"ES", "Spain", "Catalonia", "Barcelona", 41.39, 2.17},
	{"FR", "France", "Île-de-France", "Paris", 48.86, 2.35}, {"DE", "Germany", "Berlin", "Berlin", 52.52, 13.40},
	{"IT", "Italy", "Lazio", "Rome", 41.90, 12.50}, {"GB", "United Kingdom", "England", "London", 51.51, -0.13},
	{"US", "United States", "California", "San Francisco", 37.77, -122.42}, {"US", "United States", "New York", "New York City", 40.71, -74.01},
	{"JP", "Japan", "Tokyo", "Tokyo", 35.68, 139.69}, {"AU", "Australia", "New South Wales", "Sydney", -33.87, 151.21},
}

var syntheticCameras = [][3]string{
	{"Canon", "Canon EOS 5D Mark III", "EF24-105mm f/4L IS USM"}, {"FUJIFILM", "X-T2", "XF23mmF2 R WR"},
	{"Apple", "iPhone 12", "iPhone 12 back dual wide camera 4.2mm f/1.6"}, {"SONY", "ILCE-7M3", "FE 28-70mm F3.5-5.6 OSS"},
	{"NIKON CORPORATION", "NIKON D750", "24.0-120.0 mm f/4.0"}, {"samsung", "SM-G991B", ""}, {"Google", "Pixel 7", ""},
}

var syntheticWords = strings.Fields("beach sunset tram castle river market dinner birthday garden snow mountain harbour " +
	"bridge museum concert picnic forest lake cathedral bicycle train airport festival kitchen")

// InsertSynthetic fills a database with n generated photos (one file each,
// in year/month folders) with cameras, places, titles and search rows.
// Benchmarks and the load test use it; there are no image files behind the
// rows (SyntheticFiles can make empty stand-ins). It exists only in builds
// with the synthetic tag (tests, benchmarks, scripts/genlib,
// scripts/benchapi), never in the binary people run.
//
// Rows go in by transactions of syntheticBatch photos with ids, primary
// file and search key computed here, so a million photos take minutes, not
// most of an hour. Into an empty database, a large library is written
// without the photos' and files' secondary indexes, which are built once
// at the end from sorted data instead of being updated row by row in
// random order. Search rows go in last, in key order.
func (d *DB) InsertSynthetic(ctx context.Context, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Sub(start)
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A large page cache for this connection while it writes; the pool's
	// usual size afterwards.
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -4000`)
	var before, filesBefore int64 // photos already there keep their search rows
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM photos`).Scan(&before); err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM files`).Scan(&filesBefore); err != nil {
		return err
	}
	var indexes []string
	if before == 0 && filesBefore == 0 && n >= 50_000 {
		if indexes, err = dropIndexes(ctx, conn); err != nil {
			return err
		}
	}
	folders := map[string]int64{}
	now := d.stamp()
	for done := 0; done < n; {
		batch := min(syntheticBatch, n-done)
		err := connTx(ctx, conn, func(tx *sql.Tx) error {
			if len(folders) == 0 {
				rootID, err := d.ensureFolder(ctx, tx, "")
				if err != nil {
					return err
				}
				folders[""] = rootID
			}
			insPhoto, err := tx.PrepareContext(ctx, `INSERT INTO photos (id, uid, media_type, taken_at, taken_local, taken_source, title,
				make, model, lens, lat, lng, width, height, favorite, private, country_code, country, state, city, place_source,
				primary_file_id, search_key, added_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 'exif', ?, ?, ?, ?, ?, ?, 4000, 3000, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer insPhoto.Close()
			// The rows count as read by this program's readers: no image is
			// behind them for the background re-read to read.
			insFile, err := tx.PrepareContext(ctx, `INSERT INTO files (id, photo_id, folder_id, path, name, stem, size, mtime, hash, mime, kind,
				is_primary, indexed_at, reader) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, `+strconv.Itoa(meta.ReaderVersion)+`)`)
			if err != nil {
				return err
			}
			defer insFile.Close()
			for i := done; i < done+batch; i++ {
				pid, fid := before+int64(i)+1, filesBefore+int64(i)+1
				taken := start.Add(time.Duration(rng.Int64N(int64(span))))
				cam := syntheticCameras[rng.IntN(len(syntheticCameras))]
				title := ""
				if rng.IntN(4) == 0 {
					title = syntheticWords[rng.IntN(len(syntheticWords))] + " " + syntheticWords[rng.IntN(len(syntheticWords))]
				}
				var lat, lng sql.NullFloat64
				var cc, country, state, city, psrc string
				if rng.IntN(10) < 6 {
					pl := syntheticPlaces[rng.IntN(len(syntheticPlaces))]
					lat = sql.NullFloat64{Float64: pl.lat + rng.Float64()*0.1 - 0.05, Valid: true}
					lng = sql.NullFloat64{Float64: pl.lng + rng.Float64()*0.1 - 0.05, Valid: true}
					cc, country, state, city, psrc = pl.cc, pl.country, pl.state, pl.city, "offline"
				}
				media, ext, mime, kind := "image", ".JPG", "image/jpeg", "image"
				if rng.IntN(30) == 0 {
					media, ext, mime, kind = "video", ".MP4", "video/mp4", "video"
				}
				if _, err := insPhoto.ExecContext(ctx, pid, NewUID(), media, formatTime(taken), formatTime(taken), title, cam[0], cam[1], cam[2],
					lat, lng, boolInt(rng.IntN(20) == 0), boolInt(rng.IntN(50) == 0), cc, country, state, city, psrc,
					fid, goSearchKey(taken, pid), now, now); err != nil {
					return fmt.Errorf("insert photo: %w", err)
				}
				dir := taken.Format("2006/01")
				folderID, ok := folders[dir]
				if !ok {
					if folderID, err = d.ensureFolder(ctx, tx, dir); err != nil {
						return err
					}
					folders[dir] = folderID
				}
				name := fmt.Sprintf("IMG_%06d%s", before+int64(i), ext)
				sum := sha1.Sum([]byte(fmt.Sprintf("%d/%d", seed, i)))
				// The file's time is the photo's, to the second, as a
				// camera card copied with its times kept would have it.
				if _, err := insFile.ExecContext(ctx, fid, pid, folderID, dir+"/"+name, name, Stem(name), 2_000_000+rng.Int64N(8_000_000),
					taken.Truncate(time.Second).UnixNano(), hex.EncodeToString(sum[:]), mime, kind, now); err != nil {
					return fmt.Errorf("insert file: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += batch
	}
	if len(indexes) > 0 {
		if err := connTx(ctx, conn, func(tx *sql.Tx) error {
			for _, ix := range indexes {
				if _, err := tx.ExecContext(ctx, ix); err != nil {
					return fmt.Errorf("rebuild index: %w", err)
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	err = connTx(ctx, conn, func(tx *sql.Tx) error {
		// Search rows go in last, in key order: FTS5 flushes its pending
		// data whenever a rowid arrives out of order.
		if err := syntheticSearchRows(ctx, tx, before); err != nil {
			return fmt.Errorf("search rows: %w", err)
		}
		_, err := tx.ExecContext(ctx, `ANALYZE`)
		return err
	})
	d.vocab.changed()
	return err
}

// syntheticBatch is how many generated photos one transaction writes.
const syntheticBatch = 50_000

// goSearchKey is searchKey computed in Go, for rows written without SQL
// computing it.
func goSearchKey(taken time.Time, id int64) int64 {
	sec := min(max(taken.Unix(), searchMinSec), searchMaxSec)
	return (sec-searchMinSec)<<searchIDBits | id
}

// dropIndexes drops the photos' and files' own indexes (not the ones
// behind UNIQUE constraints) and returns the statements that make them
// again.
func dropIndexes(ctx context.Context, conn *sql.Conn) ([]string, error) {
	rows, err := conn.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND tbl_name IN ('photos', 'files') AND sql IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	var names, stmts []string
	for rows.Next() {
		var name, stmt string
		if err := rows.Scan(&name, &stmt); err != nil {
			rows.Close()
			return nil, err
		}
		names, stmts = append(names, name), append(stmts, stmt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := conn.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return nil, err
		}
	}
	return stmts, nil
}

// connTx runs fn in a transaction on one connection.
func connTx(ctx context.Context, conn *sql.Conn, fn func(tx *sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// SyntheticFiles calls fn with the path, size and modification time (unix
// nanoseconds) of every file row, in path order, so a folder tree that
// matches a generated library can be made (scripts/genlib -tree).
func (d *DB) SyntheticFiles(ctx context.Context, fn func(path string, size, mtime int64) error) error {
	rows, err := d.sql.QueryContext(ctx, `SELECT path, size, mtime FROM files ORDER BY path`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var size, mtime int64
		if err := rows.Scan(&p, &size, &mtime); err != nil {
			return err
		}
		if err := fn(p, size, mtime); err != nil {
			return err
		}
	}
	return rows.Err()
}

// syntheticSearchRows adds the full-text rows of the photos after id
// before, in key order (FTS5 flushes its pending data whenever a rowid
// arrives out of order), with the indexer's own row definition.
func syntheticSearchRows(ctx context.Context, tx *sql.Tx, before int64) error {
	_, err := tx.ExecContext(ctx, insertSearchRows(`p.id > ? ORDER BY p.search_key`), before)
	return err
}
