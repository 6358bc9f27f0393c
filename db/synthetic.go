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

// InsertSynthetic fills an empty database with n generated photos (one
// file each, in year/month folders) with cameras, places, titles and
// search rows, in one transaction. Benchmarks and the load test use it;
// there are no image files behind the rows. It exists only in builds with
// the synthetic tag (tests, benchmarks, scripts/genlib, scripts/benchapi),
// never in the binary people run.
func (d *DB) InsertSynthetic(ctx context.Context, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Sub(start)
	return d.tx(ctx, func(tx *sql.Tx) error {
		folders := map[string]int64{}
		rootID, err := d.ensureFolder(ctx, tx, "")
		if err != nil {
			return err
		}
		folders[""] = rootID
		insPhoto, err := tx.PrepareContext(ctx, `INSERT INTO photos (uid, media_type, taken_at, taken_local, taken_source, title,
			make, model, lens, lat, lng, width, height, favorite, private, country_code, country, state, city, place_source,
			added_at, updated_at) VALUES (?, ?, ?, ?, 'exif', ?, ?, ?, ?, ?, ?, 4000, 3000, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insPhoto.Close()
		// The rows count as read by this program's readers: no image is
		// behind them for the background re-read to read.
		insFile, err := tx.PrepareContext(ctx, `INSERT INTO files (photo_id, folder_id, path, name, stem, size, mtime, hash, mime, kind,
			is_primary, indexed_at, reader) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 1, ?, `+strconv.Itoa(meta.ReaderVersion)+`)`)
		if err != nil {
			return err
		}
		defer insFile.Close()
		setPrimary, err := tx.PrepareContext(ctx, `UPDATE photos SET primary_file_id = ?, search_key = `+searchKey("taken_at", "id")+`
			WHERE id = ?`)
		if err != nil {
			return err
		}
		defer setPrimary.Close()
		var before int64 // photos already there keep their search rows
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM photos`).Scan(&before); err != nil {
			return err
		}
		now := d.stamp()
		for i := 0; i < n; i++ {
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
			res, err := insPhoto.ExecContext(ctx, NewUID(), media, formatTime(taken), formatTime(taken), title, cam[0], cam[1], cam[2],
				lat, lng, boolInt(rng.IntN(20) == 0), boolInt(rng.IntN(50) == 0), cc, country, state, city, psrc, now, now)
			if err != nil {
				return fmt.Errorf("insert photo: %w", err)
			}
			pid, _ := res.LastInsertId()
			dir := taken.Format("2006/01")
			fid, ok := folders[dir]
			if !ok {
				if fid, err = d.ensureFolder(ctx, tx, dir); err != nil {
					return err
				}
				folders[dir] = fid
			}
			name := fmt.Sprintf("IMG_%06d%s", i, ext)
			sum := sha1.Sum([]byte(fmt.Sprintf("%d/%d", seed, i)))
			res, err = insFile.ExecContext(ctx, pid, fid, dir+"/"+name, name, Stem(name), 2_000_000+rng.Int64N(8_000_000),
				hex.EncodeToString(sum[:]), mime, kind, now)
			if err != nil {
				return fmt.Errorf("insert file: %w", err)
			}
			fileID, _ := res.LastInsertId()
			if _, err := setPrimary.ExecContext(ctx, fileID, pid); err != nil {
				return err
			}
		}
		// Search rows go in last, in key order.
		if err := syntheticSearchRows(ctx, tx, before); err != nil {
			return fmt.Errorf("search rows: %w", err)
		}
		_, err = tx.ExecContext(ctx, `ANALYZE`)
		return err
	})
}

// syntheticSearchRows adds the full-text rows of the photos after id
// before, in key order (FTS5 flushes its pending data whenever a rowid
// arrives out of order), with the indexer's own row definition.
func syntheticSearchRows(ctx context.Context, tx *sql.Tx, before int64) error {
	_, err := tx.ExecContext(ctx, insertSearchRows(`p.id > ? ORDER BY p.search_key`), before)
	return err
}
