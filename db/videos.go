package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"pinhole/app/meta"
)

// VideoCodecs is what the database knows about a video file's streams:
// the codecs its container names, from the metadata the indexer read or,
// when that has none, from an ffprobe run remembered by
// RememberVideoCodecs.
type VideoCodecs struct {
	MIME          string
	Video, Audio  string // as the container or ffprobe names them; Audio "" for none
	Duration      float64
	Width, Height int // as stored, before rotation
	// Known is false when neither the metadata nor a remembered probe
	// names a video codec: the caller has to ask ffprobe.
	Known bool
}

// maxCodecLookups bounds one VideoCodecs call (a page of photos).
const maxCodecLookups = 1000

// VideoCodecs returns the codecs of the video files with these content
// hashes that are present (not missing); hashes of other files are left
// out of the map. The stored metadata is decoded with the meta package's
// own Info type, so it reads whatever that type writes.
func (d *DB) VideoCodecs(ctx context.Context, hashes []string) (map[string]VideoCodecs, error) {
	out := map[string]VideoCodecs{}
	if len(hashes) == 0 {
		return out, nil
	}
	if len(hashes) > maxCodecLookups {
		return nil, fmt.Errorf("%d video lookups at once: %w", len(hashes), ErrInvalid)
	}
	args := make([]any, len(hashes))
	for i, h := range hashes {
		args[i] = h
	}
	rows, err := d.sql.QueryContext(ctx, `
		SELECT f.hash, f.mime, f.meta, COALESCE(v.video, ''), COALESCE(v.audio, ''), COALESCE(v.duration, 0)
		FROM files f LEFT JOIN video_probes v ON v.hash = f.hash
		WHERE f.kind = 'video' AND f.missing = 0 AND f.hash IN (?`+strings.Repeat(",?", len(hashes)-1)+`)
		ORDER BY f.is_primary DESC, f.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("video codecs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hash, mime, blob, pv, pa string
		var pd float64
		if err := rows.Scan(&hash, &mime, &blob, &pv, &pa, &pd); err != nil {
			return nil, fmt.Errorf("video codecs: %w", err)
		}
		if _, seen := out[hash]; seen {
			continue
		}
		var in meta.Info
		// A blob that does not decode counts as one without codecs: the
		// probe answers instead.
		_ = json.Unmarshal([]byte(blob), &in)
		vc := VideoCodecs{MIME: mime, Video: in.VideoCodec, Audio: in.AudioCodec, Duration: in.Duration,
			Width: in.Width, Height: in.Height}
		if vc.MIME == "" {
			vc.MIME = in.MIME
		}
		if vc.Video == "" && pv != "" {
			vc.Video, vc.Audio = pv, pa
			if vc.Duration <= 0 {
				vc.Duration = pd
			}
		}
		vc.Known = vc.Video != ""
		out[hash] = vc
	}
	return out, rows.Err()
}

// RememberVideoCodecs stores what ffprobe found for a video's content, so
// VideoCodecs knows it next time.
func (d *DB) RememberVideoCodecs(ctx context.Context, hash string, v VideoCodecs) error {
	if hash == "" || v.Video == "" {
		return fmt.Errorf("remember video codecs: no hash or video codec: %w", ErrInvalid)
	}
	_, err := d.sql.ExecContext(ctx, `
		INSERT INTO video_probes (hash, video, audio, duration, probed_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(hash) DO UPDATE SET video = excluded.video, audio = excluded.audio,
			duration = excluded.duration, probed_at = excluded.probed_at`,
		hash, v.Video, v.Audio, max(v.Duration, 0), d.stamp())
	if err != nil {
		return fmt.Errorf("remember video codecs: %w", err)
	}
	return nil
}
