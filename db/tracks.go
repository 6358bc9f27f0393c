package db

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"pinhole/app/meta"
)

// TrackFile is what the indexer needs to know of a stored track to tell
// whether its file changed.
type TrackFile struct {
	ID    int64
	Path  string
	Size  int64
	MTime int64
}

// TrackInfo is a GPX track as lists show it. Start and End are UTC
// (TimeLayout), "" for a track without times (a planned route); Bounds is
// [minLng, minLat, maxLng, maxLat] as the map's boxes are.
type TrackInfo struct {
	ID     int64      `json:"id"`
	Path   string     `json:"path"`
	Name   string     `json:"name"`
	Start  string     `json:"start,omitempty"`
	End    string     `json:"end,omitempty"`
	Points int        `json:"points"`
	Bounds [4]float64 `json:"bounds"`
}

// trackColumns are the columns scanTrackInfo reads.
const trackColumns = `id, path, name, start_at, end_at, points, min_lng, min_lat, max_lng, max_lat`

func scanTrackInfo(s scanner) (TrackInfo, error) {
	var t TrackInfo
	err := s.Scan(&t.ID, &t.Path, &t.Name, &t.Start, &t.End, &t.Points, &t.Bounds[0], &t.Bounds[1], &t.Bounds[2], &t.Bounds[3])
	return t, err
}

// TrackFiles lists every stored track's file.
func (d *DB) TrackFiles(ctx context.Context) ([]TrackFile, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id, path, size, mtime FROM tracks`)
	if err != nil {
		return nil, fmt.Errorf("list tracks: %w", err)
	}
	defer rows.Close()
	var out []TrackFile
	for rows.Next() {
		var f TrackFile
		if err := rows.Scan(&f.ID, &f.Path, &f.Size, &f.MTime); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// PutTrack stores the track read from the GPX file at rel (replacing what
// that file held before) and clears any problem recorded for the file.
func (d *DB) PutTrack(ctx context.Context, rel string, size, mtime int64, t *meta.Track) (int64, error) {
	if t == nil || t.Points == 0 {
		return 0, fmt.Errorf("track %s: no points: %w", rel, ErrInvalid)
	}
	minLat, minLng, maxLat, maxLng := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	var start, end time.Time
	for _, s := range t.Segments {
		for _, p := range s {
			minLat, maxLat = min(minLat, p.Lat), max(maxLat, p.Lat)
			minLng, maxLng = min(minLng, p.Lng), max(maxLng, p.Lng)
			if p.Time.IsZero() {
				continue
			}
			if start.IsZero() || p.Time.Before(start) {
				start = p.Time
			}
			if p.Time.After(end) {
				end = p.Time
			}
		}
	}
	var startS, endS string
	if !start.IsZero() {
		startS, endS = formatTime(start), formatTime(end)
	}
	var id int64
	err := d.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO tracks (path, size, mtime, name, start_at, end_at, points, min_lat, min_lng, max_lat, max_lng, geometry, indexed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, name = excluded.name,
				start_at = excluded.start_at, end_at = excluded.end_at, points = excluded.points,
				min_lat = excluded.min_lat, min_lng = excluded.min_lng, max_lat = excluded.max_lat, max_lng = excluded.max_lng,
				geometry = excluded.geometry, indexed_at = excluded.indexed_at
			RETURNING id`,
			rel, size, mtime, t.Name, startS, endS, t.Points, minLat, minLng, maxLat, maxLng, encodeTrack(t.Segments), d.stamp()).Scan(&id)
		if err != nil {
			return fmt.Errorf("store track %s: %w", rel, err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM index_errors WHERE path = ?`, rel)
		return err
	})
	return id, err
}

// DeleteTrack forgets the track of the GPX file at rel (gone, or no longer
// readable); a file without a track is no error.
func (d *DB) DeleteTrack(ctx context.Context, rel string) error {
	if _, err := d.sql.ExecContext(ctx, `DELETE FROM tracks WHERE path = ?`, rel); err != nil {
		return fmt.Errorf("delete track %s: %w", rel, err)
	}
	return nil
}

// Tracks lists every track, the longest ago first.
func (d *DB) Tracks(ctx context.Context) ([]TrackInfo, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT `+trackColumns+` FROM tracks ORDER BY start_at, path`)
	if err != nil {
		return nil, fmt.Errorf("list tracks: %w", err)
	}
	defer rows.Close()
	out := []TrackInfo{}
	for rows.Next() {
		t, err := scanTrackInfo(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Track loads one track with its lines.
func (d *DB) Track(ctx context.Context, id int64) (TrackInfo, [][]meta.TrackPoint, error) {
	var geo []byte
	var t TrackInfo
	err := d.sql.QueryRowContext(ctx, `SELECT `+trackColumns+`, geometry FROM tracks WHERE id = ?`, id).Scan(
		&t.ID, &t.Path, &t.Name, &t.Start, &t.End, &t.Points, &t.Bounds[0], &t.Bounds[1], &t.Bounds[2], &t.Bounds[3], &geo)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil, fmt.Errorf("track %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return t, nil, fmt.Errorf("load track %d: %w", id, err)
	}
	segs, err := decodeTrack(geo)
	if err != nil {
		return t, nil, fmt.Errorf("track %d: %w", id, err)
	}
	return t, segs, nil
}

// TracksAt lists the tracks whose time span holds the instant at (UTC,
// TimeLayout).
func (d *DB) TracksAt(ctx context.Context, at string) ([]TrackInfo, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT `+trackColumns+` FROM tracks
		WHERE start_at <> '' AND start_at <= ? AND end_at >= ? ORDER BY start_at, id`, at, at)
	if err != nil {
		return nil, fmt.Errorf("tracks at %s: %w", at, err)
	}
	defer rows.Close()
	var out []TrackInfo
	for rows.Next() {
		t, err := scanTrackInfo(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TrackPhotos lists the photos r may see (present, not archived) whose
// taken time lies in the track's span, in time order. A photo whose zone
// is unknown is compared by its wall-clock time (its taken_at holds that):
// the caller says so beside it.
func (d *DB) TrackPhotos(ctx context.Context, t TrackInfo, r Reader) ([]Photo, error) {
	if t.Start == "" {
		return []Photo{}, nil
	}
	rows, err := d.sql.QueryContext(ctx, `SELECT `+photoColumns+` FROM photos p `+photoJoins+`
		WHERE p.taken_at BETWEEN ? AND ? AND `+visible(r)+` ORDER BY p.taken_at, p.id LIMIT ?`,
		t.Start, t.End, MaxBatchPhotos)
	if err != nil {
		return nil, fmt.Errorf("photos along track %d: %w", t.ID, err)
	}
	defer rows.Close()
	out := []Photo{}
	for rows.Next() {
		p, err := scanPhoto(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// A track's lines are stored packed: the number of segments, then for
// each its number of points and the points, each latitude and longitude
// in millionths of a degree (11 cm) and the time in Unix milliseconds
// (noTime when the point had none). Little-endian; 16 bytes a point.
const noTime = math.MinInt64

func encodeTrack(segs [][]meta.TrackPoint) []byte {
	n := 4
	for _, s := range segs {
		n += 4 + 16*len(s)
	}
	b := make([]byte, 0, n)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(segs)))
	for _, s := range segs {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		for _, p := range s {
			b = binary.LittleEndian.AppendUint32(b, uint32(int32(math.Round(p.Lat*1e6))))
			b = binary.LittleEndian.AppendUint32(b, uint32(int32(math.Round(p.Lng*1e6))))
			ms := int64(noTime)
			if !p.Time.IsZero() {
				ms = p.Time.UnixMilli()
			}
			b = binary.LittleEndian.AppendUint64(b, uint64(ms))
		}
	}
	return b
}

func decodeTrack(b []byte) ([][]meta.TrackPoint, error) {
	bad := errors.New("stored track geometry is damaged")
	if len(b) < 4 {
		return nil, bad
	}
	ns := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if uint64(ns)*4 > uint64(len(b)) {
		return nil, bad
	}
	segs := make([][]meta.TrackPoint, 0, ns)
	for range ns {
		if len(b) < 4 {
			return nil, bad
		}
		n := binary.LittleEndian.Uint32(b)
		b = b[4:]
		if uint64(n)*16 > uint64(len(b)) {
			return nil, bad
		}
		s := make([]meta.TrackPoint, n)
		for i := range s {
			s[i].Lat = float64(int32(binary.LittleEndian.Uint32(b))) / 1e6
			s[i].Lng = float64(int32(binary.LittleEndian.Uint32(b[4:]))) / 1e6
			if ms := int64(binary.LittleEndian.Uint64(b[8:])); ms != noTime {
				s[i].Time = time.UnixMilli(ms).UTC()
			}
			b = b[16:]
		}
		segs = append(segs, s)
	}
	return segs, nil
}
