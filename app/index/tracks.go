package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"pinhole/app/meta"
	"pinhole/db"
)

// indexTracks stores the GPX files a run found as tracks (not photos),
// reading only those whose size or time changed, and forgets the tracks
// of files that are gone: those of walked folders the walk did not see,
// and those the watcher saw vanish. A file that cannot be read as GPX is
// a problem entry naming why; one that breaks part way keeps the points
// before the break and says so.
func (ix *Indexer) indexTracks(ctx context.Context, sc scope, st *scanState) error {
	known, err := ix.db.TrackFiles(ctx)
	if err != nil {
		return err
	}
	byPath := make(map[string]db.TrackFile, len(known))
	for _, k := range known {
		byPath[k.Path] = k
	}
	seen := make(map[string]bool, len(st.tracks))
	for _, j := range st.tracks {
		if err := ctx.Err(); err != nil {
			return err
		}
		seen[j.rel] = true
		if k, ok := byPath[j.rel]; ok && !sc.full && k.Size == j.size && k.MTime == j.mtime {
			continue
		}
		ix.readTrack(ctx, j)
	}
	for _, k := range known {
		if seen[k.Path] {
			continue
		}
		gone := st.visited[parentDir(k.Path)]
		for _, f := range st.goneFolders {
			gone = gone || strings.HasPrefix(k.Path, f+"/")
		}
		for _, f := range st.goneTracks {
			gone = gone || k.Path == f
		}
		if gone {
			if err := ix.db.DeleteTrack(ctx, k.Path); err != nil {
				return err
			}
			ix.log.Info("track gone", "path", k.Path)
		}
	}
	return nil
}

// readTrack reads one GPX file and stores its track, or records why it
// could not.
func (ix *Indexer) readTrack(ctx context.Context, j job) {
	if j.size > meta.MaxGPXBytes {
		ix.trackProblem(ctx, j.rel, fmt.Sprintf("GPX track not read: the file is %d MB, over the %d MB a track may be", j.size>>20, meta.MaxGPXBytes>>20))
		return
	}
	f, err := os.Open(ix.abs(j.rel))
	if err != nil {
		ix.trackProblem(ctx, j.rel, "GPX track not read: "+err.Error())
		return
	}
	t, err := meta.ReadGPX(f)
	f.Close()
	if t == nil {
		ix.trackProblem(ctx, j.rel, "GPX track not read: "+err.Error())
		return
	}
	if t.Name == "" {
		b := baseName(j.rel)
		t.Name = b[:len(b)-len(".gpx")]
	}
	if _, perr := ix.db.PutTrack(ctx, j.rel, j.size, j.mtime, t); perr != nil {
		ix.log.Error("store track", "path", j.rel, "err", perr)
		ix.recordError(ctx, j.rel, "store track: "+perr.Error())
		return
	}
	if errors.Is(err, meta.ErrGPXTruncated) {
		ix.recordError(ctx, j.rel, "GPX track partly read: "+err.Error())
	}
	ix.log.Info("track indexed", "path", j.rel, "points", t.Points, "skipped_points", t.Skipped)
}

// trackProblem records a GPX file that gave no track, and drops the track
// an earlier version of the file gave.
func (ix *Indexer) trackProblem(ctx context.Context, rel, msg string) {
	ix.log.Warn("track not read", "path", rel, "err", msg)
	if err := ix.db.DeleteTrack(ctx, rel); err != nil {
		ix.log.Error("delete track", "path", rel, "err", err)
	}
	ix.recordError(ctx, rel, msg)
}

func baseName(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[i+1:]
	}
	return rel
}
