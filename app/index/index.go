// Package index keeps the database in step with the originals folder: it
// walks the folder, skips files whose path, size and modification time are
// unchanged without reading them, hashes and reads the rest with a bounded
// pool of workers, and hands the results to one database writer. It never
// writes to the originals, and it refuses to mark files missing when the
// folder looks unmounted.
package index

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
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"pinhole/app/meta"
	"pinhole/db"
)

// Options configure an Indexer.
type Options struct {
	Root           string // absolute originals folder
	Workers        int
	FollowSymlinks bool // follow links that stay inside Root
	Logger         *slog.Logger
	// AfterBatch is called with the photos a batch changed (for places and
	// live updates). It runs on the writer goroutine and must be quick.
	AfterBatch func(photos []int64)
	// Busy, when set, reports interactive work in progress (searches, map
	// queries): the background re-read of stale metadata waits while it
	// does (reread.go).
	Busy func() bool
	// ParserPanic, when set, is told about every file whose metadata
	// reader panicked (recovered, and recorded as the file's error like any
	// other). Tests fail on it; the server only logs it as an error. It may
	// be called from several workers at once.
	ParserPanic func(rel string, err error)
}

// Summary reports one scan.
type Summary struct {
	Seen     int64         `json:"seen"`    // media files found on disk
	Indexed  int64         `json:"indexed"` // read and stored
	Skipped  int64         `json:"skipped"` // unchanged, not read
	Failed   int64         `json:"failed"`  // could not be read at all
	Missing  int64         `json:"missing"` // newly marked missing
	Photos   int           `json:"photos"`  // photos in the library afterwards
	Duration time.Duration `json:"duration_ns"`
	Bytes    int64         `json:"bytes"` // bytes hashed
	Started  time.Time     `json:"started"`
	Full     bool          `json:"full"`
	Warning  string        `json:"warning,omitempty" say:"true"`
}

// FilesPerSecond is the rate over files seen.
func (s Summary) FilesPerSecond() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Seen) / s.Duration.Seconds()
}

// Progress is a live view of a running scan.
type Progress struct {
	Running bool   `json:"running"`
	Phase   string `json:"phase,omitempty"` // walking, reading, idle
	Seen    int64  `json:"seen"`
	Indexed int64  `json:"indexed"`
	Skipped int64  `json:"skipped"`
	Failed  int64  `json:"failed"`
	Queued  int64  `json:"queued"`
	Current string `json:"current,omitempty"`
}

// Indexer scans the originals into the database. One scan runs at a time.
type Indexer struct {
	db   *db.DB
	opt  Options
	log  *slog.Logger
	scan sync.Mutex // one scan (or path batch) at a time

	// opened counts files whose content was read (hashed); tests use it
	// to prove unchanged files are skipped without reading, and that the
	// background re-read never hashes.
	opened atomic.Int64

	reread rereadState // the background re-read of stale metadata (reread.go)

	running                        atomic.Bool
	seen, indexed, skipped, failed atomic.Int64
	queued                         atomic.Int64
	current                        atomic.Value // string
	mu                             sync.Mutex
	last                           *Summary
	rootProblem                    string
	lastErr                        string
}

// New returns an Indexer for opt.Root.
func New(d *db.DB, opt Options) *Indexer {
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	ix := &Indexer{db: d, opt: opt, log: opt.Logger}
	ix.reread.wake = make(chan struct{}, 1)
	return ix
}

// Progress returns the live counters of the running scan.
func (ix *Indexer) Progress() Progress {
	p := Progress{
		Running: ix.running.Load(),
		Seen:    ix.seen.Load(), Indexed: ix.indexed.Load(), Skipped: ix.skipped.Load(),
		Failed: ix.failed.Load(), Queued: ix.queued.Load(),
	}
	if s, ok := ix.current.Load().(string); ok {
		p.Current = s
	}
	if p.Running {
		p.Phase = "reading"
	} else {
		p.Phase = "idle"
	}
	return p
}

// LastScan returns the last finished scan, if any.
func (ix *Indexer) LastScan() *Summary {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.last == nil {
		return nil
	}
	s := *ix.last
	return &s
}

// RootProblem says why the originals folder could not be used on the last
// scan (unmounted, unreadable, suddenly empty); "" when it was fine.
func (ix *Indexer) RootProblem() string {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.rootProblem
}

func (ix *Indexer) setRootProblem(s string) {
	ix.mu.Lock()
	ix.rootProblem = s
	ix.mu.Unlock()
}

// ErrRootUnavailable means the originals folder is missing or unreadable;
// nothing was changed in the database.
var ErrRootUnavailable = errors.New("originals folder unavailable")

// checkRoot verifies the originals folder is there and readable.
func (ix *Indexer) checkRoot() error {
	st, err := os.Stat(ix.opt.Root)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRootUnavailable, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%w: %s is not a folder", ErrRootUnavailable, ix.opt.Root)
	}
	f, err := os.Open(ix.opt.Root)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRootUnavailable, err)
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %v", ErrRootUnavailable, err)
	}
	return nil
}

// rootEmpty reports whether the originals folder has no entries at all, as
// an unmounted mount point looks.
func (ix *Indexer) rootEmpty() bool {
	f, err := os.Open(ix.opt.Root)
	if err != nil {
		return true
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	return errors.Is(err, io.EOF)
}

// job is one file to read.
type job struct {
	rel   string
	size  int64
	mtime int64
	stem  string // the stack key (takeoutLinks); "" for the file's own
}

// scanState is shared by one scan's walker, workers and writer.
type scanState struct {
	jobs        chan job
	results     chan db.FileRecord
	missing     []string        // files known to the database but gone
	goneFolders []string        // folders the watcher saw vanish
	visited     map[string]bool // folders walked
	unread      []string        // folders that could not be read: nothing below is marked missing
	tracks      []job           // GPX files found (tracks.go)
	goneTracks  []string        // GPX files the watcher saw vanish
	bytes       atomic.Int64
	newMiss     atomic.Int64
	writerErr   error
}

// Scan walks the whole originals folder. full re-reads every file even when
// unchanged (after a reader upgrade, or on request).
func (ix *Indexer) Scan(ctx context.Context, full bool) (Summary, error) {
	return ix.run(ctx, scope{full: full, root: true})
}

// Changed indexes paths (relative to the root) the watcher saw change:
// files are read when their size or time changed, folders are walked, and
// paths that no longer exist are marked missing.
func (ix *Indexer) Changed(ctx context.Context, rels []string) (Summary, error) {
	return ix.run(ctx, scope{paths: rels})
}

// scope is what one run covers: the whole root, one folder, or paths.
type scope struct {
	full   bool
	root   bool
	folder string
	paths  []string
}

func (ix *Indexer) run(ctx context.Context, sc scope) (Summary, error) {
	full, sub := sc.full, sc.folder
	ix.scan.Lock()
	defer ix.scan.Unlock()
	start := time.Now()
	sum := Summary{Started: start, Full: full}
	if err := ix.checkRoot(); err != nil {
		ix.setRootProblem(err.Error() + " — is the drive mounted? Nothing was marked missing.")
		return sum, err
	}
	ix.running.Store(true)
	ix.seen.Store(0)
	ix.indexed.Store(0)
	ix.skipped.Store(0)
	ix.failed.Store(0)
	defer func() {
		ix.running.Store(false)
		ix.current.Store("")
	}()

	st := &scanState{
		jobs:    make(chan job, 4*ix.opt.Workers),
		results: make(chan db.FileRecord, 4*ix.opt.Workers),
		visited: map[string]bool{},
	}
	var workers sync.WaitGroup
	for i := 0; i < ix.opt.Workers; i++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range st.jobs {
				if rec, ok := ix.read(ctx, j, st); ok {
					st.results <- rec
				}
				ix.queued.Add(-1)
			}
		}()
	}
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		st.writerErr = ix.write(ctx, st.results)
	}()

	var walkErr error
	if sc.paths != nil {
		walkErr = ix.feedPaths(ctx, sc.paths, st)
	} else {
		walkErr = ix.walk(ctx, sub, full, st)
	}
	close(st.jobs)
	workers.Wait()
	close(st.results)
	<-writerDone

	sum.Seen, sum.Indexed, sum.Skipped, sum.Failed = ix.seen.Load(), ix.indexed.Load(), ix.skipped.Load(), ix.failed.Load()
	sum.Bytes = st.bytes.Load()
	if walkErr == nil && ctx.Err() == nil {
		if err := ix.indexTracks(ctx, sc, st); err != nil {
			walkErr = err
		}
	}
	if walkErr == nil && st.writerErr == nil && ctx.Err() == nil {
		warn, err := ix.markMissing(ctx, sc, st)
		if err != nil {
			walkErr = err
		}
		sum.Warning = warn
	}
	sum.Missing = st.newMiss.Load()
	if c, err := ix.db.Counts(ctx); err == nil {
		sum.Photos = c.Photos
	}
	sum.Duration = time.Since(start)
	err := errors.Join(walkErr, st.writerErr)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	ix.mu.Lock()
	if sc.root {
		ix.last = &sum
	}
	ix.rootProblem = sum.Warning
	if err != nil {
		ix.lastErr = err.Error()
	}
	ix.mu.Unlock()
	// The scan may have read files a re-read pass left to it, or queued
	// files whose stored metadata did not decode.
	ix.rereadWake()
	ix.log.Info("scan finished", "folder", sub, "seen", sum.Seen, "indexed", sum.Indexed, "skipped", sum.Skipped,
		"failed", sum.Failed, "missing", sum.Missing, "duration", sum.Duration.Round(time.Millisecond), "warning", sum.Warning)
	return sum, err
}

// markMissing flags what the walk did not find, unless the folder looks
// unmounted or suddenly empty.
func (ix *Indexer) markMissing(ctx context.Context, sc scope, st *scanState) (string, error) {
	sub := sc.folder
	live, err := ix.db.CountLiveFiles(ctx)
	if err != nil {
		return "", err
	}
	if sc.root && ix.seen.Load() == 0 && live > 0 {
		return fmt.Sprintf("the originals folder %s is empty but the library has %d files — is the drive mounted? Nothing was marked missing.", ix.opt.Root, live), nil
	}
	if err := ix.checkRoot(); err != nil { // vanished during the walk
		return err.Error() + " — nothing was marked missing.", nil
	}
	if live > 0 && ix.rootEmpty() {
		return fmt.Sprintf("the originals folder %s is empty but the library has %d files — is the drive mounted? Nothing was marked missing.", ix.opt.Root, live), nil
	}
	under := func(p string) bool {
		for _, u := range st.unread {
			if p == u || strings.HasPrefix(p, u+"/") || u == "" {
				return true
			}
		}
		return false
	}
	var gone []string
	for _, p := range st.missing {
		if !under(path.Dir(p)) {
			gone = append(gone, p)
		}
	}
	n, err := ix.db.MarkMissing(ctx, gone)
	st.newMiss.Add(int64(n))
	if err != nil {
		return "", err
	}
	for _, f := range st.goneFolders {
		n, err := ix.db.MarkFolderMissing(ctx, f)
		st.newMiss.Add(int64(n))
		if err != nil {
			return "", err
		}
	}
	if sc.paths != nil {
		return "", nil
	}
	folders, err := ix.db.KnownFolders(ctx)
	if err != nil {
		return "", err
	}
	for _, f := range folders {
		inScope := sub == "" || f == sub || strings.HasPrefix(f, sub+"/")
		if !inScope || st.visited[f] || under(f) {
			continue
		}
		n, err := ix.db.MarkFolderMissing(ctx, f)
		st.newMiss.Add(int64(n))
		if err != nil {
			return "", err
		}
	}
	return "", nil
}

// feedPaths queues the files among rels that changed, walks the folders
// among them, and collects the paths that are gone.
func (ix *Indexer) feedPaths(ctx context.Context, rels []string, st *scanState) error {
	folders := map[string]*folderListing{} // folders of the files in rels
	queued := map[string]bool{}
	queue := func(rel string, info os.FileInfo, stem string) error {
		queued[rel] = true
		ix.queued.Add(1)
		select {
		case st.jobs <- job{rel: rel, size: info.Size(), mtime: info.ModTime().UnixNano(), stem: stem}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, rel := range rels {
		rel = strings.Trim(path.Clean("/"+filepath.ToSlash(rel)), "/")
		if rel == "" || rel == "." {
			continue
		}
		if Ignored(ix.opt.Root, rel) {
			continue
		}
		info, err := os.Stat(ix.abs(rel))
		if errors.Is(err, fs.ErrNotExist) && meta.IsGPX(rel) {
			st.goneTracks = append(st.goneTracks, rel)
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			if _, err := ix.db.FileByPath(ctx, rel); err == nil {
				st.missing = append(st.missing, rel)
			} else {
				st.goneFolders = append(st.goneFolders, rel)
			}
			continue
		}
		if err != nil {
			ix.recordError(ctx, rel, "cannot read: "+err.Error())
			continue
		}
		if info.IsDir() {
			if err := ix.walk(ctx, rel, false, st); err != nil {
				return err
			}
			continue
		}
		if !info.Mode().IsRegular() {
			continue
		}
		name := path.Base(rel)
		if meta.IsGPX(name) {
			st.tracks = append(st.tracks, job{rel: rel, size: info.Size(), mtime: info.ModTime().UnixNano()})
			continue
		}
		if _, _, ok := meta.Detect(name); !ok {
			continue
		}
		dir := parentDir(rel)
		fl := folders[dir]
		if fl == nil {
			fl = ix.listFolder(dir)
			folders[dir] = fl
		}
		k, kerr := ix.db.FileByPath(ctx, rel)
		stem, linked := fl.links[name]
		if meta.IsTakeoutJSON(name) && !linked {
			if kerr != nil {
				continue // not a photo's sidecar
			}
			stem = k.Stem
		} else if !linked {
			stem = db.Stem(name)
		}
		ix.seen.Add(1)
		if kerr == nil && !k.Missing && k.Hash != "" && k.Size == info.Size() && k.MTime == info.ModTime().UnixNano() && k.Stem == stem {
			ix.skipped.Add(1)
			continue
		}
		if err := queue(rel, info, stem); err != nil {
			return err
		}
	}
	// A Takeout JSON or edited copy may have arrived before the photo it
	// belongs with, and been stored apart (or left out): now that the
	// folder changed, files whose stack moved are read again.
	for dir, fl := range folders {
		if fl.links == nil {
			continue
		}
		known, err := ix.db.FolderFiles(ctx, dir)
		if err != nil {
			return err
		}
		byPath := make(map[string]db.FileStat, len(known))
		for _, k := range known {
			byPath[k.Path] = k
		}
		for name, stem := range fl.links {
			rel := path.Join(dir, name)
			k, isKnown := byPath[rel]
			if queued[rel] || isKnown && (k.Missing || k.Stem == stem) || Ignored(ix.opt.Root, rel) {
				continue
			}
			info, err := os.Stat(ix.abs(rel))
			if err != nil || !info.Mode().IsRegular() {
				continue
			}
			ix.seen.Add(1)
			if err := queue(rel, info, stem); err != nil {
				return err
			}
		}
	}
	return nil
}

// folderListing is what feedPaths needs of a folder: its Takeout links.
type folderListing struct {
	links map[string]string
}

func (ix *Indexer) listFolder(dir string) *folderListing {
	entries, err := os.ReadDir(ix.abs(dir))
	if err != nil {
		return &folderListing{}
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return &folderListing{links: takeoutLinks(names)}
}

// parentDir is the folder of a relative path, "" for the root.
func parentDir(rel string) string {
	if d := path.Dir(rel); d != "." {
		return d
	}
	return ""
}

// walk visits folders depth-first, queueing changed files and collecting
// vanished ones.
func (ix *Indexer) walk(ctx context.Context, sub string, full bool, st *scanState) error {
	var ignores ignoreStack
	// Patterns from .pinholeignore files above the starting folder apply too.
	if sub != "" {
		if Ignored(ix.opt.Root, sub) {
			return nil
		}
		parts := strings.Split(sub, "/")
		cur := ""
		if r := readIgnore(ix.opt.Root, ""); r != nil {
			ignores = append(ignores, r)
		}
		for _, p := range parts[:len(parts)-1] {
			cur = path.Join(cur, p)
			if r := readIgnore(ix.abs(cur), cur); r != nil {
				ignores = append(ignores, r)
			}
		}
	}
	return ix.walkDir(ctx, sub, full, st, ignores, 0)
}

const maxDepth = 64

func (ix *Indexer) abs(rel string) string {
	if rel == "" {
		return ix.opt.Root
	}
	return filepath.Join(ix.opt.Root, filepath.FromSlash(rel))
}

func (ix *Indexer) walkDir(ctx context.Context, rel string, full bool, st *scanState, ignores ignoreStack, depth int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if depth > maxDepth {
		ix.recordError(ctx, rel, "folder nested too deeply (over 64 levels); skipped")
		st.unread = append(st.unread, rel)
		return nil
	}
	absDir := ix.abs(rel)
	entries, err := os.ReadDir(absDir)
	if err != nil {
		// An unreadable sub-folder is skipped, not fatal, and nothing in it
		// is marked missing.
		ix.log.Warn("cannot read folder", "folder", rel, "err", err)
		ix.recordError(ctx, rel, "cannot read folder: "+err.Error())
		st.unread = append(st.unread, rel)
		return nil
	}
	st.visited[rel] = true
	if r := readIgnore(absDir, rel); r != nil {
		ignores = append(ignores, r)
	}
	known, err := ix.db.FolderFiles(ctx, rel)
	if err != nil {
		return err
	}
	byPath := make(map[string]db.FileStat, len(known))
	for _, k := range known {
		byPath[k.Path] = k
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	links := takeoutLinks(names)
	var subdirs []string
	for _, e := range entries {
		name := e.Name()
		childRel := path.Join(rel, name)
		typ := e.Type()
		if typ&fs.ModeSymlink != 0 {
			if !ix.opt.FollowSymlinks {
				continue
			}
			target, ok := ix.insideRoot(childRel)
			if !ok {
				continue
			}
			st, err := os.Stat(target)
			if err != nil {
				continue
			}
			typ = st.Mode().Type()
		}
		if typ.IsDir() {
			if SkipDir(name) || ignores.match(childRel) {
				continue
			}
			subdirs = append(subdirs, childRel)
			continue
		}
		if !typ.IsRegular() || SkipFile(name) || ignores.match(childRel) {
			continue
		}
		if meta.IsGPX(name) {
			if info, err := os.Stat(ix.abs(childRel)); err == nil {
				st.tracks = append(st.tracks, job{rel: childRel, size: info.Size(), mtime: info.ModTime().UnixNano()})
			}
			continue
		}
		if _, _, ok := meta.Detect(name); !ok {
			continue
		}
		k, isKnown := byPath[childRel]
		stem, linked := links[name]
		if meta.IsTakeoutJSON(name) && !linked {
			if !isKnown {
				continue // not a photo's sidecar: an album's metadata.json, say
			}
			stem = k.Stem // its photo is gone; it stays as it was
		} else if !linked {
			stem = db.Stem(name)
		}
		info, err := os.Stat(ix.abs(childRel))
		if err != nil {
			continue // vanished between listing and stat
		}
		ix.seen.Add(1)
		delete(byPath, childRel)
		if !full && isKnown && !k.Missing && k.Hash != "" && k.Size == info.Size() && k.MTime == info.ModTime().UnixNano() && k.Stem == stem {
			ix.skipped.Add(1)
			continue
		}
		ix.queued.Add(1)
		select {
		case st.jobs <- job{rel: childRel, size: info.Size(), mtime: info.ModTime().UnixNano(), stem: stem}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for p, k := range byPath {
		if !k.Missing {
			st.missing = append(st.missing, p)
		}
	}
	sort.Strings(subdirs)
	for _, d := range subdirs {
		if err := ix.walkDir(ctx, d, full, st, ignores, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// insideRoot resolves a symlink and reports whether it stays inside the
// originals folder; links pointing outside are never followed.
func (ix *Indexer) insideRoot(rel string) (string, bool) {
	target, err := filepath.EvalSymlinks(ix.abs(rel))
	if err != nil {
		return "", false
	}
	root, err := filepath.EvalSymlinks(ix.opt.Root)
	if err != nil {
		return "", false
	}
	if target != root && !strings.HasPrefix(target, root+string(filepath.Separator)) {
		return "", false
	}
	return target, true
}

func (ix *Indexer) recordError(ctx context.Context, rel, msg string) {
	if err := ix.db.RecordIndexError(ctx, rel, msg); err != nil {
		ix.log.Error("record index error", "path", rel, "err", err)
	}
}

// read hashes one file and reads its metadata. Metadata errors are kept on
// the record (the file is still listed); only an unreadable file fails.
func (ix *Indexer) read(ctx context.Context, j job, st *scanState) (rec db.FileRecord, ok bool) {
	if ctx.Err() != nil {
		return rec, false
	}
	ix.current.Store(j.rel)
	chk := &jpegCheck{}
	hash, n, err := ix.hashFile(ix.abs(j.rel), chk)
	if err != nil {
		ix.failed.Add(1)
		ix.recordError(ctx, j.rel, "cannot read file: "+err.Error())
		return rec, false
	}
	st.bytes.Add(n)
	rec = ix.readMeta(j.rel, j.mtime, chk.Problem())
	rec.Size, rec.Hash, rec.Stem = n, hash, j.stem
	ix.indexed.Add(1)
	return rec, true
}

// readMeta reads a file's metadata (its headers, not all its bytes) into a
// record without size or hash. damage is what the byte check found in the
// file's content; it goes before the reader's error.
func (ix *Indexer) readMeta(rel string, mtime int64, damage string) db.FileRecord {
	abs := ix.abs(rel)
	kind, mime, _ := meta.Detect(path.Base(rel))
	rec := db.FileRecord{Path: rel, MTime: mtime, Kind: kind, MIME: mime, Reader: meta.ReaderVersion}
	var info *meta.Info
	var err error
	if kind == meta.KindSidecar {
		info, err = meta.ReadSidecar(abs)
	} else {
		info, err = meta.Read(abs)
	}
	rec.Err = fileProblem(damage, err)
	if errors.Is(err, meta.ErrParserPanic) {
		ix.log.Error("metadata reader panicked: a bug in Pinhole, not in the file", "path", rel, "err", err)
		if ix.opt.ParserPanic != nil {
			ix.opt.ParserPanic(rel, err)
		}
	}
	if info == nil {
		info = &meta.Info{}
	}
	if info.MIME != "" {
		rec.MIME = info.MIME
	} else {
		info.MIME = mime
	}
	if info.Kind != "" {
		rec.Kind = info.Kind
	} else {
		info.Kind = kind
	}
	if kind != meta.KindSidecar {
		fallbackTaken(info, rel, time.Unix(0, mtime))
	}
	rec.Info = info
	return rec
}

// hashFile streams the file through SHA-1 with a small buffer, so memory is
// flat whatever the file size; check sees the same bytes.
func (ix *Indexer) hashFile(abs string, check io.Writer) (string, int64, error) {
	f, err := os.Open(abs)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	ix.opened.Add(1)
	h := sha1.New()
	buf := make([]byte, 256<<10)
	n, err := io.CopyBuffer(io.MultiWriter(h, check), f, buf)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// write stores results in batches on one goroutine, so SQLite sees a single
// writer and few commits.
func (ix *Indexer) write(ctx context.Context, results <-chan db.FileRecord) error {
	const maxBatch = 128
	var batch []db.FileRecord
	var firstErr error
	exists := func(rel string) bool {
		_, err := os.Lstat(ix.abs(rel))
		return err == nil
	}
	flush := func() {
		if len(batch) == 0 {
			return
		}
		photos, err := ix.db.ApplyFiles(context.WithoutCancel(ctx), batch, exists)
		if err != nil {
			// One bad record must not lose the batch: retry one by one.
			ix.log.Warn("batch failed, retrying files one by one", "err", err)
			photos = photos[:0]
			for _, r := range batch {
				ps, err := ix.db.ApplyFiles(context.WithoutCancel(ctx), []db.FileRecord{r}, exists)
				if err != nil {
					ix.failed.Add(1)
					ix.indexed.Add(-1)
					ix.recordError(context.WithoutCancel(ctx), r.Path, "store: "+err.Error())
					if firstErr == nil && !isRecordError(err) {
						firstErr = err
					}
					continue
				}
				photos = append(photos, ps...)
			}
		}
		if ix.opt.AfterBatch != nil && len(photos) > 0 {
			ix.opt.AfterBatch(photos)
		}
		batch = batch[:0]
	}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r, ok := <-results:
			if !ok {
				flush()
				return firstErr
			}
			batch = append(batch, r)
			if len(batch) >= maxBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// isRecordError reports whether a store error concerns only that record
// (bad data) rather than the database (disk full, locked).
func isRecordError(err error) bool {
	return !db.IsBusy(err) && !strings.Contains(err.Error(), "disk") && !strings.Contains(err.Error(), "readonly")
}
