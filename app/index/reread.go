package index

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"pinhole/app/meta"
	"pinhole/db"
)

// The background re-read: when a newer Pinhole's readers return more or
// better metadata (meta.ReaderVersion went up), the files an older reader
// read are read again — their headers only, never hashed, since their
// bytes did not change — and their photos merged again, keeping user
// edits. A parser fix so reaches a library without `index --full`, as the
// thumbnail cache and the places dataset already renew themselves.
//
// A file whose path, size and modification time still match the database
// is read again; one that changed is left to the normal scan, which hashes
// and reads it anyway. The pass goes in small batches, waits while a scan
// runs (it takes the scan lock per batch) and while interactive queries
// run, and rests as long as each batch took, so it never takes more than
// about half of one core.

const (
	// rereadBatch files are read and stored per transaction.
	rereadBatch = 32
	// rereadMaxYield bounds how long a batch waits for interactive work
	// to stop, so a busy server still gets its files read, slowly.
	rereadMaxYield = 5 * time.Second
	// rereadEvery is how often a pass looks for stale files when nothing
	// asked (files queued because their stored metadata did not decode,
	// files the scan read while a pass was waiting).
	rereadEvery = 5 * time.Minute
)

// RereadStatus is the background re-read's part of /api/v1/status.
type RereadStatus struct {
	// ReaderVersion is this program's meta.ReaderVersion.
	ReaderVersion int `json:"reader_version"`
	// Running: a pass is under way; Waiting says what it waits for
	// ("scan", "interactive"), empty while it reads.
	Running bool   `json:"running"`
	Waiting string `json:"waiting,omitempty"`
	// Pending is how many files an older reader read, still to be read
	// again (as of the start of the last pass, less those done since).
	Pending int64 `json:"pending"`
	// Reread counts files read again since start; LeftToScan those
	// skipped because they changed on disk (the next scan reads them);
	// Failed those whose batch could not be stored.
	Reread     int64 `json:"reread"`
	LeftToScan int64 `json:"left_to_scan"`
	Failed     int64 `json:"failed"`
	// BadMeta counts stored metadata that could not be decoded since
	// start; each such file is queued for reading again.
	BadMeta   int64  `json:"bad_meta"`
	LastError string `json:"last_error,omitempty"`
}

// rereadState is the re-read's live state, shared with Status.
type rereadState struct {
	pass    sync.Mutex // one pass at a time
	wake    chan struct{}
	force   atomic.Bool // a pass was asked for whatever the count
	running atomic.Bool
	waiting atomic.Value // string
	pending atomic.Int64
	done    atomic.Int64
	left    atomic.Int64
	failed  atomic.Int64
	mu      sync.Mutex
	lastErr string
}

// RereadSummary reports one pass.
type RereadSummary struct {
	Reread     int // read again and stored
	LeftToScan int // changed on disk: left to the scan
	Failed     int // batches that could not be stored, in files
}

// RereadStatus returns the re-read's live counters.
func (ix *Indexer) RereadStatus() RereadStatus {
	r := &ix.reread
	s := RereadStatus{
		ReaderVersion: meta.ReaderVersion,
		Running:       r.running.Load(),
		Pending:       max(r.pending.Load(), 0),
		Reread:        r.done.Load(),
		LeftToScan:    r.left.Load(),
		Failed:        r.failed.Load(),
		BadMeta:       ix.db.BadMetaCount(),
	}
	if w, ok := r.waiting.Load().(string); ok {
		s.Waiting = w
	}
	r.mu.Lock()
	s.LastError = r.lastErr
	r.mu.Unlock()
	return s
}

// PokeReread asks the background re-read for a pass soon, e.g. when
// stored metadata was found undecodable and its file queued.
func (ix *Indexer) PokeReread() {
	ix.reread.force.Store(true)
	ix.rereadWake()
}

func (ix *Indexer) rereadWake() {
	select {
	case ix.reread.wake <- struct{}{}:
	default:
	}
}

// RunReread re-reads stale files in the background until ctx ends: a pass
// at once, then whenever poked, and after a scan or every few minutes when
// the number of stale files changed since the last pass. Files a pass
// left to the scan are not looked at again until then: a library whose
// files cannot be compared (a synthetic one, a folder nobody may read)
// would otherwise be stat'ed over and over.
func (ix *Indexer) RunReread(ctx context.Context) {
	tick := time.NewTicker(rereadEvery)
	defer tick.Stop()
	left := int64(-1) // stale files after the last pass
	for {
		n, err := ix.db.CountStaleFiles(ctx, meta.ReaderVersion)
		if ix.reread.force.Swap(false) || (err == nil && n != left) {
			if sum, err := ix.rereadPass(ctx, true); err != nil && ctx.Err() == nil {
				ix.log.Warn("read stale metadata again", "err", err)
			} else if sum.Reread > 0 || sum.LeftToScan > 0 {
				ix.log.Info("metadata read again with the newer reader", "files", sum.Reread,
					"left_to_scan", sum.LeftToScan, "reader_version", meta.ReaderVersion)
			}
			left = ix.reread.pending.Load()
		}
		select {
		case <-ctx.Done():
			return
		case <-ix.reread.wake:
		case <-tick.C:
		}
	}
}

// Reread runs one pass at full speed (for `pinhole index` and tests):
// every file an older reader read whose bytes did not change is read
// again and stored.
func (ix *Indexer) Reread(ctx context.Context) (RereadSummary, error) {
	return ix.rereadPass(ctx, false)
}

func (ix *Indexer) rereadPass(ctx context.Context, paced bool) (RereadSummary, error) {
	var sum RereadSummary
	r := &ix.reread
	r.pass.Lock()
	defer r.pass.Unlock()
	if err := ix.checkRoot(); err != nil {
		return sum, nil // an unmounted folder: nothing can be compared; the scan says why
	}
	n, err := ix.db.CountStaleFiles(ctx, meta.ReaderVersion)
	if err != nil || n == 0 {
		r.pending.Store(0)
		return sum, ix.rereadErr(err)
	}
	r.pending.Store(n)
	r.running.Store(true)
	defer func() {
		r.running.Store(false)
		r.waiting.Store("")
	}()
	var cur db.StaleCursor
	for {
		if err := ix.rereadTurn(ctx, paced); err != nil {
			return sum, err
		}
		start := time.Now()
		batch, err := ix.db.StaleFiles(ctx, meta.ReaderVersion, cur, rereadBatch)
		if err == nil && len(batch) == 0 {
			// Done; what is left changed on disk and waits for the scan.
			n, err = ix.db.CountStaleFiles(ctx, meta.ReaderVersion)
			if err == nil {
				r.pending.Store(n)
			}
		}
		if err != nil || len(batch) == 0 {
			ix.scan.Unlock()
			return sum, ix.rereadErr(err)
		}
		last := batch[len(batch)-1]
		cur = db.StaleCursor{Reader: last.Reader, ID: last.ID}
		recs := make([]db.FileRecord, 0, len(batch))
		left := 0
		for _, f := range batch {
			rec, ok := ix.rereadFile(f)
			if !ok {
				left++
				continue
			}
			recs = append(recs, rec)
		}
		photos, stored, err := ix.db.RereadFiles(context.WithoutCancel(ctx), recs)
		if err != nil {
			// The cursor has moved on: these files wait for the next pass.
			sum.Failed += len(recs)
			r.failed.Add(int64(len(recs)))
			ix.rereadErr(err)
		} else {
			left += len(recs) - stored // changed between the stat and the write
			sum.Reread += stored
			r.done.Add(int64(stored))
			// Still under the scan lock: AfterBatch never runs beside a
			// scan's writer, as its callers expect one caller at a time.
			if ix.opt.AfterBatch != nil && len(photos) > 0 {
				ix.opt.AfterBatch(photos)
			}
		}
		ix.scan.Unlock()
		sum.LeftToScan += left
		r.left.Add(int64(left))
		r.pending.Add(-int64(len(batch)))
		if paced {
			// Rest as long as the batch took: at most half a core.
			if err := sleep(ctx, max(time.Since(start), 10*time.Millisecond)); err != nil {
				return sum, err
			}
		}
	}
}

// rereadFile reads one stale file's metadata again, or reports false when
// the file changed on disk (or is gone) since the database saw it: the scan
// will hash and read it.
func (ix *Indexer) rereadFile(f db.StaleFile) (db.FileRecord, bool) {
	same := func() bool {
		st, err := os.Stat(ix.abs(f.Path))
		return err == nil && st.Mode().IsRegular() && st.Size() == f.Size && st.ModTime().UnixNano() == f.MTime
	}
	if !same() {
		return db.FileRecord{}, false
	}
	rec := ix.readMeta(f.Path, f.MTime, byteProblem(f.Err))
	if !same() { // written to while being read
		return db.FileRecord{}, false
	}
	rec.Size, rec.Hash = f.Size, f.Hash
	return rec, true
}

// rereadTurn takes the scan lock for one batch. It waits while a scan
// holds it, and — when paced — while interactive queries run, for at most
// rereadMaxYield. The caller unlocks.
func (ix *Indexer) rereadTurn(ctx context.Context, paced bool) error {
	r := &ix.reread
	defer r.waiting.Store("")
	yielded := time.Duration(0)
	const step = 100 * time.Millisecond
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if ix.scan.TryLock() {
			if !paced || ix.opt.Busy == nil || yielded >= rereadMaxYield || !ix.opt.Busy() {
				return nil
			}
			ix.scan.Unlock()
			r.waiting.Store("interactive")
			yielded += step
		} else {
			r.waiting.Store("scan")
		}
		if err := sleep(ctx, step); err != nil {
			return err
		}
	}
}

func (ix *Indexer) rereadErr(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	ix.reread.mu.Lock()
	ix.reread.lastErr = err.Error()
	ix.reread.mu.Unlock()
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
