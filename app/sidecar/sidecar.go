// Package sidecar writes users' edits — titles, descriptions, keywords,
// ratings, positions and corrected dates — to XMP sidecars that digiKam,
// Lightroom and exiftool read, so the work outlives Pinhole's database.
//
// Where: NAME.xmp beside the photo's file when the owner allows it
// (--write-sidecars and not --read-only) and the folder is writable;
// otherwise DATA/sidecars, mirroring the originals' folders (always: it is
// Pinhole's own data). The name is the photo's without its extension,
// IMG_1.xmp for IMG_1.JPG: Lightroom reads that name (for RAW files), and
// digiKam looks for it before its own IMG_1.JPG.xmp; it is also the name
// of a RAW + JPEG stack's one sidecar, as Pinhole's stacks are. When the
// photo already has a sidecar beside it under either name, that file is
// updated instead, keeping every property Pinhole does not own
// (meta.UpdateSidecar).
//
// Writes are atomic (a temporary file, fsync, rename, fsync of the
// folder): a crash leaves the old file or the new one, never half of one.
// The original photo is never opened for writing. What was written is
// recorded in the database (its hash), so the indexer knows Pinhole's own
// sidecar from another program's later change.
package sidecar

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"pinhole/app/meta"
	"pinhole/db"
)

// Store is what the writer needs of the database.
type Store interface {
	SidecarPhoto(ctx context.Context, id int64) (db.SidecarPhoto, error)
	RecordSidecarWrite(ctx context.Context, id int64, w db.SidecarWrite) error
	StaleSidecars(ctx context.Context, after int64, limit int) ([]int64, error)
	EditedPhotoIDs(ctx context.Context, after int64, limit int) ([]int64, error)
	CountEditedPhotos(ctx context.Context) (int, error)
}

// Options configure a Writer.
type Options struct {
	Originals string // the originals folder
	Dir       string // DATA/sidecars
	// Beside allows NAME.xmp beside the originals (--write-sidecars with
	// writable originals). A folder that refuses the write still gets
	// its sidecars in Dir.
	Beside bool
	// Creator is written as xmp:CreatorTool: "Pinhole 1.2".
	Creator string
	// Debounce is the quiet time after an edit before its sidecar is
	// written, so a burst of edits is written once (default 2 s).
	Debounce time.Duration
	// Sweep is how often edits not in a sidecar yet are looked for: a
	// full queue, a failed write, an edit made by another path (default
	// one minute).
	Sweep  time.Duration
	Logger *slog.Logger
	// Now is the clock for xmp:MetadataDate (tests move it).
	Now func() time.Time
}

// maxPending bounds the queue of photos waiting for their sidecar; beyond
// it the sweep finds them in the database instead.
const maxPending = 10000

// Writer writes sidecars, after each edit (Enqueue, Run) or for the whole
// library (Export). It is safe for concurrent use.
type Writer struct {
	store Store
	opt   Options
	log   *slog.Logger

	mu       sync.Mutex
	pending  map[int64]struct{}
	overflow bool
	lastEdit time.Time
	kick     chan struct{}
	warned   map[string]bool // folders already reported as refusing writes

	written, failed atomic.Int64
}

// New returns a Writer over store.
func New(store Store, opt Options) *Writer {
	if opt.Debounce <= 0 {
		opt.Debounce = 2 * time.Second
	}
	if opt.Sweep <= 0 {
		opt.Sweep = time.Minute
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Writer{store: store, opt: opt, log: opt.Logger, pending: map[int64]struct{}{},
		kick: make(chan struct{}, 1), warned: map[string]bool{}}
}

// Stats counts sidecars written and failed since start.
func (w *Writer) Stats() (written, failed int64) { return w.written.Load(), w.failed.Load() }

// Enqueue asks for the sidecars of photos a user just edited. It never
// blocks: past maxPending photos the next sweep finds the rest.
func (w *Writer) Enqueue(ids []int64) {
	w.mu.Lock()
	for _, id := range ids {
		if len(w.pending) >= maxPending {
			w.overflow = true
			break
		}
		w.pending[id] = struct{}{}
	}
	w.lastEdit = time.Now()
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run writes queued sidecars once edits have been quiet for the debounce
// time, and sweeps for edits not written yet at start (the server may have
// stopped before writing) and every Sweep. When ctx ends, what is queued is
// written before Run returns.
func (w *Writer) Run(ctx context.Context) {
	w.sweep(ctx)
	tick := time.NewTicker(w.opt.Sweep)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// Shutting down: the queued edits are written now, briefly.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			w.drain(fctx)
			cancel()
			return
		case <-w.kick:
			if !w.quiet(ctx) {
				continue // ctx ended: the case above writes the queue
			}
			w.drain(ctx)
		case <-tick.C:
			w.sweep(ctx)
		}
	}
}

// quiet waits until no edit came for the debounce time.
func (w *Writer) quiet(ctx context.Context) bool {
	for {
		w.mu.Lock()
		wait := w.opt.Debounce - time.Since(w.lastEdit)
		w.mu.Unlock()
		if wait <= 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
	}
}

// drain writes every queued photo's sidecar.
func (w *Writer) drain(ctx context.Context) {
	w.mu.Lock()
	ids := make([]int64, 0, len(w.pending))
	for id := range w.pending {
		ids = append(ids, id)
	}
	w.pending = map[int64]struct{}{}
	overflow := w.overflow
	w.overflow = false
	w.mu.Unlock()
	for _, id := range ids {
		if ctx.Err() != nil {
			return
		}
		w.writeLogged(ctx, id)
	}
	if overflow {
		w.sweep(ctx)
	}
}

// sweep writes the sidecars of every photo whose edits are not in one.
func (w *Writer) sweep(ctx context.Context) {
	var after int64
	for ctx.Err() == nil {
		ids, err := w.store.StaleSidecars(ctx, after, 200)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("list edits not in a sidecar", "err", err)
			}
			return
		}
		if len(ids) == 0 {
			return
		}
		for _, id := range ids {
			w.writeLogged(ctx, id)
		}
		after = ids[len(ids)-1]
	}
}

func (w *Writer) writeLogged(ctx context.Context, id int64) {
	res, err := w.Write(ctx, id)
	switch {
	case err != nil && ctx.Err() == nil:
		w.log.Warn("write sidecar", "photo", id, "err", err)
	case res.Path != "":
		w.log.Debug("sidecar written", "photo", id, "path", res.Path)
	}
}

// Written says where a photo's sidecar went.
type Written struct {
	Place string // db.SidecarBeside or db.SidecarData; "" when nothing was written
	Path  string // the file
}

// Write writes one photo's sidecar where it belongs and records it. A
// photo without edits, or without any file, gets none.
func (w *Writer) Write(ctx context.Context, id int64) (Written, error) {
	p, edits, ok, err := w.load(ctx, id)
	if err != nil || !ok {
		return Written{}, err
	}
	dir, name := path.Split(p.Primary)
	if w.opt.Beside && !p.PrimaryMissing {
		target := w.besideTarget(p, dir, name)
		err := w.writeFile(ctx, p, db.SidecarBeside, target, edits)
		if err == nil {
			w.written.Add(1)
			return Written{Place: db.SidecarBeside, Path: w.abs(db.SidecarBeside, target)}, nil
		}
		if !refused(err) {
			w.failed.Add(1)
			return Written{}, err
		}
		w.warnRefused(dir, err)
	}
	target := path.Join(dir, sidecarName(name))
	if err := w.writeFile(ctx, p, db.SidecarData, target, edits); err != nil {
		w.failed.Add(1)
		return Written{}, err
	}
	w.written.Add(1)
	return Written{Place: db.SidecarData, Path: w.abs(db.SidecarData, target)}, nil
}

// WriteTo writes one photo's sidecar into the folder tree under root,
// mirroring the originals, without recording it: an export for elsewhere.
func (w *Writer) WriteTo(ctx context.Context, id int64, root string) (string, error) {
	p, edits, ok, err := w.load(ctx, id)
	if err != nil || !ok {
		return "", err
	}
	dir, name := path.Split(p.Primary)
	dst := filepath.Join(root, filepath.FromSlash(path.Join(dir, sidecarName(name))))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("write sidecar: %w", err)
	}
	for attempt := 0; ; attempt++ {
		old, st, err := readOld(dst)
		if err != nil {
			return "", err
		}
		b, err := meta.UpdateSidecar(old, edits)
		if err != nil {
			return "", fmt.Errorf("%s: %w", dst, err)
		}
		err = replaceFile(dst, b, st)
		if errors.Is(err, errChanged) && attempt < 3 {
			continue
		}
		if err != nil {
			return "", err
		}
		return dst, nil
	}
}

// load reads a photo's edits; ok is false when it has nothing to write.
func (w *Writer) load(ctx context.Context, id int64) (db.SidecarPhoto, meta.SidecarEdits, bool, error) {
	p, err := w.store.SidecarPhoto(ctx, id)
	if err != nil {
		return p, meta.SidecarEdits{}, false, err
	}
	e := edits(p, w.opt.Now(), w.opt.Creator)
	return p, e, p.Primary != "" && len(e.Fields) > 0, nil
}

// edits turns a photo's stored edits into what a sidecar holds.
func edits(p db.SidecarPhoto, now time.Time, creator string) meta.SidecarEdits {
	e := meta.SidecarEdits{Fields: meta.EditedFields{}, Title: p.Title, Description: p.Description,
		Keywords: p.Keywords, Rating: p.Rating, MetadataDate: now, CreatorTool: creator}
	for _, f := range []string{meta.FieldTitle, meta.FieldDescription, meta.FieldKeywords, meta.FieldRating, meta.FieldTaken, meta.FieldLocation} {
		if p.Edited[f] {
			e.Fields[f] = true
		}
	}
	if t, err := time.Parse(db.TimeLayout, p.TakenLocal); err == nil {
		e.Taken = t
		if p.TakenOffset != nil {
			off := int(*p.TakenOffset) * 60
			e.Taken = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.FixedZone("", off))
			e.HasOffset = true
		}
	}
	if p.Lat != nil && p.Lng != nil {
		e.HasGPS, e.Lat, e.Lng = true, *p.Lat, *p.Lng
		if p.Alt != nil {
			e.HasAlt, e.Alt = true, *p.Alt
		}
	}
	return e
}

// sidecarName is the sidecar of a file: IMG_1.xmp for IMG_1.JPG.
func sidecarName(name string) string {
	return strings.TrimSuffix(name, path.Ext(name)) + ".xmp"
}

// besideTarget picks the sidecar beside the photo to update: one it
// already has (as digiKam looks, IMG_1.xmp before IMG_1.JPG.xmp), or a new
// IMG_1.xmp.
func (w *Writer) besideTarget(p db.SidecarPhoto, dir, name string) string {
	short, long := sidecarName(name), name+".xmp"
	for _, want := range []string{short, long} {
		for _, s := range p.Sidecars {
			if strings.EqualFold(path.Base(s), want) {
				return s
			}
		}
		// Not indexed yet (just written by another program)?
		if _, err := os.Lstat(w.abs(db.SidecarBeside, path.Join(dir, want))); err == nil {
			return path.Join(dir, want)
		}
	}
	return path.Join(dir, short)
}

func (w *Writer) abs(place, rel string) string {
	root := w.opt.Dir
	if place == db.SidecarBeside {
		root = w.opt.Originals
	}
	return filepath.Join(root, filepath.FromSlash(rel))
}

// writeFile merges edits into the sidecar at rel in place and records the
// write. The record goes first, marked unfinished, so the indexer knows
// the file as Pinhole's own the moment it appears; it is marked done once
// the file is in place, and a crash in between leaves it to the next
// sweep.
func (w *Writer) writeFile(ctx context.Context, p db.SidecarPhoto, place, rel string, e meta.SidecarEdits) error {
	dst := w.abs(place, rel)
	if place == db.SidecarData {
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("write sidecar: %w", err)
		}
	}
	for attempt := 0; ; attempt++ {
		old, st, err := readOld(dst)
		if err != nil {
			return err
		}
		b, err := meta.UpdateSidecar(old, e)
		if err != nil {
			// Another program's sidecar Pinhole cannot read is left as
			// it is; the edits go to DATA/sidecars.
			return fmt.Errorf("%s: %w: %w", dst, errRefused, err)
		}
		sum := sha1.Sum(b)
		rec := db.SidecarWrite{Place: place, Path: rel, Hash: hex.EncodeToString(sum[:]), EditedAt: "pending"}
		if err := w.store.RecordSidecarWrite(ctx, p.ID, rec); err != nil {
			return err
		}
		err = replaceFile(dst, b, st)
		if errors.Is(err, errChanged) && attempt < 3 {
			continue // another program wrote it meanwhile: merge again
		}
		if err != nil {
			return err
		}
		rec.EditedAt = p.EditedAt
		// The file is in place: record it even when shutdown began
		// meanwhile, or the next start writes it again for nothing.
		if err := w.store.RecordSidecarWrite(context.WithoutCancel(ctx), p.ID, rec); err != nil {
			return err
		}
		if last := p.Last; last != nil && last.Place == db.SidecarData && (place != last.Place || rel != last.Path) {
			// The photo's sidecar moved (the photo did, or it now goes
			// beside the original): the old copy in DATA is Pinhole's own.
			os.Remove(w.abs(db.SidecarData, last.Path))
		}
		return nil
	}
}

// errRefused marks a write that cannot happen beside the original: a
// read-only folder, or a sidecar there that Pinhole cannot parse.
var errRefused = errors.New("refused")

func refused(err error) bool {
	return errors.Is(err, errRefused) || errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

func (w *Writer) warnRefused(dir string, err error) {
	w.mu.Lock()
	first := !w.warned[dir] && len(w.warned) < 1000
	w.warned[dir] = true
	w.mu.Unlock()
	if first {
		w.log.Warn("cannot write a sidecar beside the originals; writing it in the data folder instead", "folder", dir, "err", err)
	}
}

// maxSidecar caps what is read of an existing sidecar.
const maxSidecar = 4 << 20

// readOld reads the sidecar at p if there is one.
func readOld(p string) ([]byte, os.FileInfo, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read sidecar: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("read sidecar: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: %w: not a regular file", p, errRefused)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSidecar+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read sidecar: %w", err)
	}
	if len(b) > maxSidecar {
		return nil, nil, fmt.Errorf("%s: %w: over %d MB", p, errRefused, maxSidecar>>20)
	}
	return b, st, nil
}

// errChanged: the file changed between reading and replacing it.
var errChanged = errors.New("sidecar changed while being written")

// tempSuffix names the temporary files of atomic writes; hidden (a dot
// first) so the indexer never sees one.
const tempSuffix = ".pinhole-tmp"

// replaceFile puts data at dst atomically: written to a temporary file in
// the same folder, synced, renamed over dst, and the folder synced. was is
// dst as it was read (nil: it did not exist); if it changed since, nothing
// is replaced and errChanged returned. A temporary file left by a crash is
// removed when the same sidecar is next written.
func replaceFile(dst string, data []byte, was os.FileInfo) error {
	dir := filepath.Dir(dst)
	tmp := filepath.Join(dir, "."+filepath.Base(dst)+tempSuffix)
	mode := os.FileMode(0o644)
	if was != nil {
		mode = was.Mode().Perm()
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		// Left by a crash, or another Pinhole process writing the same
		// sidecar right now: only an old one is taken over.
		if st, serr := os.Stat(tmp); serr == nil && time.Since(st.ModTime()) > time.Minute {
			os.Remove(tmp)
			f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		} else {
			return errChanged
		}
	}
	if err != nil {
		return fmt.Errorf("write sidecar: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write sidecar: %w", err)
	}
	now, err := os.Lstat(dst)
	switch {
	case was == nil && err == nil,
		was != nil && (err != nil || now.Size() != was.Size() || !now.ModTime().Equal(was.ModTime())):
		os.Remove(tmp)
		return errChanged
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write sidecar: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync folder: %w", err)
	}
	return nil
}

// ExportSummary reports an export.
type ExportSummary struct {
	Photos   int // photos with edits
	Beside   int // sidecars beside the originals
	Data     int // in the data folder (or in the --to folder)
	Skipped  int // edited photos without any file
	Failed   int
	Errors   []string // the first few failures
	Duration time.Duration
}

// Export writes the sidecar of every edited photo: where each belongs and
// recorded, or, with to set, into that folder tree without recording.
// progress is told how far it got.
func (w *Writer) Export(ctx context.Context, to string, progress func(done, total int)) (ExportSummary, error) {
	start := time.Now()
	var sum ExportSummary
	total, err := w.store.CountEditedPhotos(ctx)
	if err != nil {
		return sum, err
	}
	for _, root := range []string{w.opt.Dir, to} {
		if root != "" {
			removeTemps(root)
		}
	}
	done := 0
	var after int64
	for {
		ids, err := w.store.EditedPhotoIDs(ctx, after, 500)
		if err != nil {
			return sum, err
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				sum.Duration = time.Since(start)
				return sum, err
			}
			sum.Photos++
			var place, where string
			if to != "" {
				where, err = w.WriteTo(ctx, id, to)
				place = db.SidecarData
			} else {
				var res Written
				res, err = w.Write(ctx, id)
				place, where = res.Place, res.Path
			}
			switch {
			case err != nil:
				sum.Failed++
				if len(sum.Errors) < 10 {
					sum.Errors = append(sum.Errors, fmt.Sprintf("photo %d: %v", id, err))
				}
			case where == "":
				sum.Skipped++
			case place == db.SidecarBeside:
				sum.Beside++
			default:
				sum.Data++
			}
			done++
			if progress != nil {
				progress(done, max(total, done))
			}
		}
		after = ids[len(ids)-1]
	}
	sum.Duration = time.Since(start)
	return sum, nil
}

// removeTemps deletes temporary files a killed export left under root.
func removeTemps(root string) {
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(d.Name(), tempSuffix) {
			os.Remove(p)
		}
		return nil
	})
}
