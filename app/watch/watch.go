// Package watch follows changes in the originals folder with fsnotify and
// reports the paths that changed, debounced and only once a file has stopped
// growing (copies over SMB arrive in slow chunks). fsnotify is not
// recursive, so every folder gets its own watch; when the kernel runs out of
// watches, or the folder is a network mount whose remote changes inotify
// cannot see, the watcher says so and the caller falls back to periodic
// rescans.
package watch

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"pinhole/app/index"
)

// Mode is how changes are being followed.
type Mode string

// Watcher modes.
const (
	ModeLive    Mode = "live"    // inotify watches on every folder
	ModePolling Mode = "polling" // periodic rescans only
	ModeWaiting Mode = "waiting" // the originals folder is gone; waiting for it
	ModeOff     Mode = "off"
)

// State is the watcher's condition for the status page.
type State struct {
	Mode    Mode   `json:"mode"`
	Watches int    `json:"watches"`
	Reason  string `json:"reason,omitempty" say:"true"`
	Pending int    `json:"pending"`
}

// Options configure a Watcher.
type Options struct {
	Root string
	// Debounce is the quiet time before a change is reported (--debounce;
	// required), Settle how long a file's size must hold before it is
	// reported (--settle-time; 0 reports it at once).
	Debounce time.Duration
	Settle   time.Duration
	Logger   *slog.Logger
	// Changed receives batches of changed paths relative to Root.
	Changed func(ctx context.Context, rels []string)
	// Rescan asks for a full rescan (after overflow or the root returning).
	Rescan func(ctx context.Context)
	// maxWatches caps watches for tests of the fallback; 0 = no cap.
	MaxWatches int
}

// Watcher follows the originals folder.
type Watcher struct {
	opt Options
	log *slog.Logger

	mu      sync.Mutex
	state   State
	fsw     *fsnotify.Watcher
	dirs    map[string]bool // watched folders, relative
	pending map[string]*pendingPath
}

type pendingPath struct {
	last    time.Time // last event
	checked time.Time // when size and mtime were last looked at
	size    int64
	mtime   time.Time
}

// New returns a Watcher; Run starts it.
func New(opt Options) *Watcher {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Debounce <= 0 {
		panic("watch.New: Options.Debounce must be positive (app passes --debounce)")
	}
	return &Watcher{opt: opt, log: opt.Logger, state: State{Mode: ModeOff}, pending: map[string]*pendingPath{}}
}

// State returns the current mode and counters.
func (w *Watcher) State() State {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.state
	s.Watches = len(w.dirs)
	s.Pending = len(w.pending)
	return s
}

func (w *Watcher) setMode(m Mode, reason string) {
	w.mu.Lock()
	changed := w.state.Mode != m || w.state.Reason != reason
	w.state.Mode, w.state.Reason = m, reason
	w.mu.Unlock()
	if changed {
		w.log.Info("watcher mode", "mode", m, "reason", reason)
	}
}

// Run follows changes until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	catchUp := false // the folder was away or watching broke: rescan once live again
	for ctx.Err() == nil {
		if _, err := os.Stat(w.opt.Root); err != nil {
			w.setMode(ModeWaiting, "originals folder unavailable: "+err.Error())
			catchUp = true
			if !sleep(ctx, 2*time.Second) {
				break
			}
			continue
		}
		if reason := networkMount(w.opt.Root); reason != "" {
			w.setMode(ModePolling, reason)
			return w.pollOnly(ctx)
		}
		err := w.runLive(ctx, catchUp)
		catchUp = true
		if ctx.Err() != nil {
			break
		}
		if errors.Is(err, errNoWatches) {
			return w.pollOnly(ctx)
		}
		if err != nil {
			w.log.Warn("watcher stopped, retrying", "err", err)
		}
		if !sleep(ctx, 2*time.Second) {
			break
		}
	}
	w.setMode(ModeOff, "")
	return nil
}

func (w *Watcher) pollOnly(ctx context.Context) error {
	<-ctx.Done()
	w.setMode(ModeOff, "")
	return nil
}

var errNoWatches = errors.New("out of inotify watches")

func (w *Watcher) runLive(ctx context.Context, catchUp bool) error {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		if isWatchLimit(err) {
			w.setMode(ModePolling, "cannot start inotify ("+err.Error()+"): raise fs.inotify.max_user_instances; rescanning periodically instead")
			return errNoWatches
		}
		return err
	}
	defer fsw.Close()
	w.mu.Lock()
	w.fsw = fsw
	w.dirs = map[string]bool{}
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.fsw = nil
		w.dirs = nil
		w.mu.Unlock()
	}()
	if err := w.addTree(""); err != nil {
		if errors.Is(err, errNoWatches) {
			w.setMode(ModePolling, "out of inotify watches: raise fs.inotify.max_user_watches (sysctl); rescanning periodically instead")
		}
		return err
	}
	w.setMode(ModeLive, "")
	if catchUp && w.opt.Rescan != nil {
		// Watches are in place, so nothing changing from now on is lost;
		// a rescan finds what changed while the folder was away.
		go w.opt.Rescan(ctx)
	}

	tick := time.NewTicker(w.opt.Debounce / 4)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fsw.Events:
			if !ok {
				return errors.New("watcher closed")
			}
			if err := w.handle(ev); err != nil {
				return err
			}
		case err, ok := <-fsw.Errors:
			if !ok {
				return errors.New("watcher closed")
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: only a rescan knows what changed.
				w.log.Warn("watch events overflowed; rescanning")
				if w.opt.Rescan != nil {
					go w.opt.Rescan(ctx)
				}
				continue
			}
			w.log.Warn("watch error", "err", err)
		case <-tick.C:
			if _, err := os.Stat(w.opt.Root); err != nil {
				w.setMode(ModeWaiting, "originals folder unavailable: "+err.Error())
				return err
			}
			if ready := w.ready(); len(ready) > 0 && w.opt.Changed != nil {
				w.opt.Changed(ctx, ready)
			}
		}
	}
}

func (w *Watcher) rel(abs string) (string, bool) {
	r, err := filepath.Rel(w.opt.Root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, "../") {
		return "", false
	}
	if r == "." {
		return "", true
	}
	return filepath.ToSlash(r), true
}

func (w *Watcher) handle(ev fsnotify.Event) error {
	rel, ok := w.rel(ev.Name)
	if !ok || rel == "" {
		return nil
	}
	if index.Ignored(w.opt.Root, rel) {
		return nil
	}
	if ev.Has(fsnotify.Create) {
		if st, err := os.Lstat(ev.Name); err == nil && st.IsDir() {
			// A new folder: watch it and everything already inside (a
			// folder moved in arrives complete, with no events of its own).
			if err := w.addTree(rel); err != nil {
				if errors.Is(err, errNoWatches) {
					w.setMode(ModePolling, "out of inotify watches: raise fs.inotify.max_user_watches (sysctl); rescanning periodically instead")
				}
				return err
			}
		}
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		w.mu.Lock()
		for d := range w.dirs {
			if d == rel || strings.HasPrefix(d, rel+"/") {
				delete(w.dirs, d)
			}
		}
		w.mu.Unlock()
	}
	w.touch(rel)
	return nil
}

// touch records an event on rel, restarting its quiet period.
func (w *Watcher) touch(rel string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.pending[rel]
	if p == nil {
		p = &pendingPath{}
		w.pending[rel] = p
	}
	p.last = time.Now()
}

// ready returns paths that have been quiet for the debounce time and whose
// size and modification time stayed the same across two looks at least the
// settle time apart: a file still being copied keeps growing.
func (w *Watcher) ready() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	var out []string
	for rel, p := range w.pending {
		if now.Sub(p.last) < w.opt.Debounce {
			continue
		}
		st, err := os.Stat(filepath.Join(w.opt.Root, filepath.FromSlash(rel)))
		if err == nil && !st.IsDir() {
			if p.checked.IsZero() || st.Size() != p.size || !st.ModTime().Equal(p.mtime) {
				p.size, p.mtime, p.checked = st.Size(), st.ModTime(), now
				continue
			}
			if now.Sub(p.checked) < w.opt.Settle {
				continue
			}
		}
		out = append(out, rel)
		delete(w.pending, rel)
	}
	return out
}

// addTree watches rel and every folder below it that is not ignored;
// unreadable folders are skipped.
func (w *Watcher) addTree(rel string) error {
	abs := w.opt.Root
	if rel != "" {
		abs = filepath.Join(w.opt.Root, filepath.FromSlash(rel))
	}
	if err := w.add(rel, abs); err != nil {
		return err
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		w.log.Warn("cannot read folder to watch", "folder", rel, "err", err)
		return nil
	}
	for _, e := range entries {
		if !e.IsDir() || index.SkipDir(e.Name()) {
			continue
		}
		child := path.Join(rel, e.Name())
		if index.Ignored(w.opt.Root, child) {
			continue
		}
		if err := w.addTree(child); err != nil {
			return err
		}
	}
	return nil
}

func (w *Watcher) add(rel, abs string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fsw == nil || w.dirs[rel] {
		return nil
	}
	if w.opt.MaxWatches > 0 && len(w.dirs) >= w.opt.MaxWatches {
		return errNoWatches
	}
	if err := w.fsw.Add(abs); err != nil {
		if isWatchLimit(err) {
			return errNoWatches
		}
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
			return nil // unreadable or vanished: skipped, not fatal
		}
		return err
	}
	w.dirs[rel] = true
	return nil
}

func isWatchLimit(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
