// Package trash runs the Trash: moving photos to it and back, and
// emptying it — by hand, or for photos trashed more than trash-days ago.
//
// Deleting is crash-safe. db.BeginDeletion journals every file of the
// photos to delete in one transaction; then each file is checked (the
// size and time the library knew, or the content hash of a sidecar
// Pinhole wrote: a file that changed since is another file and is kept),
// unlinked, its folder synced, and only then recorded as deleted. A
// photo's rows go with its last file. A crash anywhere leaves a journal
// that Run finishes on the next start (a file already gone counts as
// deleted), so a photo ends either still in the Trash or gone entirely,
// never half of it. The indexer reads the same journal: it neither
// reports these files missing nor stores a read of them from just before
// they went.
//
// With read-only originals nothing is ever deleted from disk: emptying
// removes the photos from the library (db.RemoveFromLibrary), which keeps
// them hidden for good, however their files are re-indexed, moved or
// copied.
package trash

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
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"pinhole/db"
)

// Options configure a Service.
type Options struct {
	// Originals is the absolute originals folder, SidecarDir DATA/sidecars
	// (where Pinhole's own copies of edits' sidecars are).
	Originals, SidecarDir string
	// ReadOnly: the originals are never written (--read-only). Emptying
	// the Trash then removes photos from the library and deletes nothing.
	ReadOnly bool
	// Days is trash-days: photos are emptied this many days after they
	// were moved to the Trash; 0 never empties it by itself.
	Days int
	// Now is the clock of the purge (tests move it); nil is time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Changed is told which photos were deleted, removed or put back in
	// the Trash by the background work (the web app refreshes); may be nil.
	Changed func(ids []int64)
	// Every is how often the purge looks for expired photos (0: an hour).
	Every time.Duration
	// Batch is how many journalled files one pass takes (0: 256).
	Batch int
	// BatchPause is slept between passes; tests slow a big deletion down
	// with it to stop the process in the middle.
	BatchPause time.Duration
}

// Service moves photos in and out of the Trash and empties it. It is safe
// for concurrent use.
type Service struct {
	db  *db.DB
	opt Options
	log *slog.Logger

	wake chan struct{}
	work sync.Mutex // one pass over the journal at a time

	mu      sync.Mutex
	problem string // why the last deletion left photos in the Trash
}

// New returns a Service; Run does its background work.
func New(d *db.DB, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Every <= 0 {
		opt.Every = time.Hour
	}
	if opt.Batch <= 0 {
		opt.Batch = 256
	}
	return &Service{db: d, opt: opt, log: opt.Logger, wake: make(chan struct{}, 1)}
}

// ReadOnlyReason is what the web app says about emptying the Trash while
// the originals are read-only: what happens instead, and how to allow
// deleting.
const ReadOnlyReason = "The photo folder is read-only, so emptying the Trash removes photos from the library " +
	"and leaves their files on disk (they stay hidden, wherever they move). To delete the files, start Pinhole with " +
	"--read-only=false (read-only = false in the config file) and, under systemd, allow writing to the folder " +
	"with the ReadWritePaths drop-in from the README."

// State is the Trash as the web app shows it.
type State struct {
	db.TrashSummary
	Days int `json:"trash_days"` // 0: never emptied by itself
	// DeletesFiles: emptying deletes the files from disk (writable
	// originals); otherwise it removes photos from the library, and
	// ReadOnly says how to allow deleting.
	DeletesFiles bool   `json:"deletes_files"`
	ReadOnly     string `json:"read_only,omitempty"`
	// Problem is why the last deletion could not delete some files (their
	// photos are back in the Trash).
	Problem string `json:"problem,omitempty"`
	Now     string `json:"now"` // the server's clock, for "days left"
}

// State reports what the Trash holds and what emptying it does.
func (s *Service) State(ctx context.Context) (State, error) {
	sum, err := s.db.Trash(ctx)
	if err != nil {
		return State{}, err
	}
	st := State{TrashSummary: sum, Days: s.opt.Days, DeletesFiles: !s.opt.ReadOnly,
		Now: s.opt.Now().UTC().Format(db.TimeLayout)}
	if s.opt.ReadOnly {
		st.ReadOnly = ReadOnlyReason
	}
	s.mu.Lock()
	st.Problem = s.problem
	s.mu.Unlock()
	return st, nil
}

// Trash moves photos to the Trash.
func (s *Service) Trash(ctx context.Context, ids []int64) (int, error) {
	return s.db.TrashPhotos(ctx, ids)
}

// Restore takes photos (nil: all) out of the Trash.
func (s *Service) Restore(ctx context.Context, ids []int64) (int, error) {
	return s.db.RestorePhotos(ctx, ids)
}

// Emptied says what emptying did: photos whose files are being deleted
// (in the background), or photos removed from the library.
type Emptied struct {
	Deleting int `json:"deleting"`
	Removed  int `json:"removed"`
}

// Empty deletes the photos of the Trash among ids (nil: all of it) for
// good. The files go in the background; the photos leave the Trash at once.
func (s *Service) Empty(ctx context.Context, ids []int64) (Emptied, error) {
	return s.empty(ctx, ids, "")
}

func (s *Service) empty(ctx context.Context, ids []int64, before string) (Emptied, error) {
	if s.opt.ReadOnly {
		n, err := s.db.RemoveFromLibrary(ctx, ids, before)
		if err == nil && n > 0 {
			s.log.Info("photos removed from the library (read-only originals: no file deleted)", "photos", n)
		}
		return Emptied{Removed: n}, err
	}
	n, err := s.db.BeginDeletion(ctx, ids, before)
	if err != nil {
		return Emptied{}, err
	}
	if n > 0 {
		s.log.Info("deleting photos from the Trash", "photos", n)
		s.poke()
	}
	return Emptied{Deleting: n}, nil
}

// Purge empties the photos trashed more than Days days ago (nothing when
// Days is 0).
func (s *Service) Purge(ctx context.Context) (Emptied, error) {
	if s.opt.Days <= 0 {
		return Emptied{}, nil
	}
	cutoff := s.opt.Now().Add(-time.Duration(s.opt.Days) * 24 * time.Hour).UTC().Format(db.TimeLayout)
	return s.empty(ctx, nil, cutoff)
}

func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// tombstoneAge is how long finished journal rows are kept: longer than a
// scan holds a file it read before storing it.
const tombstoneAge = time.Hour

// Run finishes a deletion a crash interrupted, then empties what is asked
// and purges expired photos every Every, until ctx ends.
func (s *Service) Run(ctx context.Context) {
	tick := time.NewTicker(s.opt.Every)
	defer tick.Stop()
	for {
		if err := s.Work(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("delete photos from the Trash", "err", err)
		}
		if _, err := s.Purge(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("purge the Trash", "err", err)
		} else if err := s.Work(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("delete photos from the Trash", "err", err)
		}
		if _, err := s.db.PruneDeletions(ctx, time.Now().Add(-tombstoneAge)); err != nil && ctx.Err() == nil {
			s.log.Warn("prune the deletion journal", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.wake:
		}
	}
}

// Work deletes every journalled file, a batch at a time, and finishes the
// photos whose files are all gone.
func (s *Service) Work(ctx context.Context) error {
	s.work.Lock()
	defer s.work.Unlock()
	var deleted, returned int
	for ctx.Err() == nil {
		batch, err := s.db.PendingDeletions(ctx, s.opt.Batch)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		results, synced := s.deleteBatch(batch)
		// The unlinks are durable before the journal says so: after a
		// power cut a file the journal calls deleted must not come back.
		for dir := range synced {
			if err := syncDir(dir); err != nil {
				s.log.Warn("sync folder after deleting", "folder", dir, "err", err)
			}
		}
		out, err := s.db.SettleDeletions(context.WithoutCancel(ctx), results)
		if err != nil {
			return err
		}
		deleted += len(out.Deleted)
		returned += len(out.Returned)
		if s.opt.Changed != nil && len(out.Deleted)+len(out.Returned) > 0 {
			s.opt.Changed(append(out.Deleted, out.Returned...))
		}
		if s.opt.BatchPause > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(s.opt.BatchPause):
			}
		}
	}
	if deleted+returned > 0 {
		s.log.Info("photos deleted from the Trash", "deleted", deleted, "kept_in_trash", returned)
	}
	return ctx.Err()
}

// deleteBatch deletes a batch of journalled files and says what became of
// each, with the folders to sync.
func (s *Service) deleteBatch(batch []db.Deletion) ([]db.DeletionResult, map[string]bool) {
	results := make([]db.DeletionResult, 0, len(batch))
	dirs := map[string]bool{}
	for i := 0; i < len(batch); {
		// A photo's files are judged together: when one of its folders
		// refuses writes, none of them is touched.
		j := i
		for j < len(batch) && batch[j].PhotoID == batch[i].PhotoID {
			j++
		}
		files := batch[i:j]
		refused := ""
		if s.opt.ReadOnly {
			refused = "the originals are read-only (--read-only)"
		}
		for _, e := range files {
			if refused != "" || e.Stale {
				break
			}
			if abs, err := s.abs(e); err == nil {
				if err := writableDir(filepath.Dir(abs)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					refused = err.Error()
				}
			}
		}
		for _, e := range files {
			state := db.DeletionFailed
			if refused == "" {
				state = s.deleteFile(e, dirs)
			}
			results = append(results, db.DeletionResult{ID: e.ID, State: state})
		}
		if refused != "" {
			s.setProblem("Some photos could not be deleted and are back in the Trash: " + refused + ".")
			s.log.Error("cannot delete a photo's files; it stays in the Trash", "photo", files[0].PhotoID, "err", refused)
		}
		i = j
	}
	return results, dirs
}

func (s *Service) setProblem(p string) {
	s.mu.Lock()
	s.problem = p
	s.mu.Unlock()
}

// abs is where a journalled file is on disk; a path that would leave its
// place (a damaged journal) is refused.
func (s *Service) abs(e db.Deletion) (string, error) {
	root := s.opt.Originals
	if e.Place == db.SidecarData {
		root = s.opt.SidecarDir
	}
	rel := filepath.FromSlash(e.Path)
	if root == "" || e.Path == "" || filepath.IsAbs(rel) || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("journalled path %q of %s is not inside it", e.Path, e.Place)
	}
	return filepath.Join(root, rel), nil
}

// deleteFile unlinks one journalled file if it is still the file the
// library knew, and says what became of it.
func (s *Service) deleteFile(e db.Deletion, dirs map[string]bool) string {
	if e.Stale {
		return db.DeletionKept
	}
	abs, err := s.abs(e)
	if err != nil {
		s.log.Error("journalled file", "err", err)
		return db.DeletionKept
	}
	fi, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return db.DeletionDeleted // gone already: deleted before a crash, or by someone else
	case err != nil:
		s.log.Warn("cannot look at a file to delete", "path", e.Path, "err", err)
		return db.DeletionFailed
	case fi.Mode()&fs.ModeSymlink != 0:
		// A link (followed by --follow-symlinks): the link goes; what it
		// points to is a file of its own.
	case !fi.Mode().IsRegular():
		return db.DeletionKept
	case e.Size >= 0 && (fi.Size() != e.Size || fi.ModTime().UnixNano() != e.MTime):
		s.log.Warn("a file changed since it was trashed; it is kept", "path", e.Path)
		return db.DeletionKept
	case e.Size < 0:
		if h, err := hashFile(abs); err != nil || h != e.Hash {
			return db.DeletionKept // not the sidecar Pinhole wrote
		}
	}
	if err := os.Remove(abs); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Error("cannot delete a file", "path", e.Path, "err", err)
		s.setProblem(fmt.Sprintf("Some photos could not be deleted and are back in the Trash: %v.", unwrapPath(err)))
		return db.DeletionFailed
	}
	dirs[filepath.Dir(abs)] = true
	return db.DeletionDeleted
}

// unwrapPath drops the path from an *os.PathError: the web app shows the
// reason, and a path of the server's disk is for the log.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writableDir reports whether files may be removed from dir: on a
// read-only mount (EROFS) or without write permission nothing is tried.
func writableDir(dir string) error {
	if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
		if errors.Is(err, syscall.ENOENT) {
			return fs.ErrNotExist
		}
		return fmt.Errorf("may not write to the folder %s: %w", filepath.Base(dir), err)
	}
	return nil
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha1.New()
	if _, err := io.Copy(h, io.LimitReader(f, 64<<20)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// syncDir makes the unlinks in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	defer f.Close()
	// Some file systems cannot sync a folder (EINVAL); there is nothing
	// more to do on them.
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
