package watch

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

type recorder struct {
	mu    sync.Mutex
	paths []string
	at    map[string]time.Time
}

func (r *recorder) changed(_ context.Context, rels []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at == nil {
		r.at = map[string]time.Time{}
	}
	for _, p := range rels {
		r.paths = append(r.paths, p)
		r.at[p] = time.Now()
	}
}

// all returns a copy of every path reported so far, in order.
func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.paths...)
}

func (r *recorder) seen(p string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.at[p]
	return t, ok
}

func startWatcher(t *testing.T, root string, opt Options) (*Watcher, *recorder) {
	t.Helper()
	rec := &recorder{}
	opt.Root = root
	opt.Changed = rec.changed
	if opt.Debounce == 0 {
		opt.Debounce = 300 * time.Millisecond
	}
	if opt.Settle == 0 {
		opt.Settle = 200 * time.Millisecond
	}
	w := New(opt)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(5 * time.Second)
	for w.State().Mode == ModeOff && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return w, rec
}

func waitSeen(t *testing.T, rec *recorder, p string, within time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if at, ok := rec.seen(p); ok {
			return at
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s not reported within %s (got %v)", p, within, rec.all())
	return time.Time{}
}

func TestReportsNewFilesInNewFoldersAndIgnoresLitter(t *testing.T) {
	root := t.TempDir()
	w, rec := startWatcher(t, root, Options{})
	if m := w.State().Mode; m != ModeLive {
		t.Fatalf("mode %s, want live", m)
	}
	os.MkdirAll(filepath.Join(root, "a", "b"), 0o755)
	time.Sleep(100 * time.Millisecond) // the new folders get watches
	os.WriteFile(filepath.Join(root, "a", "b", "x.jpg"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(root, "@eaDir"), 0o755)
	os.WriteFile(filepath.Join(root, "@eaDir", "t.jpg"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(root, ".hidden.jpg"), []byte("x"), 0o644)
	waitSeen(t, rec, "a/b/x.jpg", 3*time.Second)
	time.Sleep(time.Second)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, p := range rec.paths {
		if p == "@eaDir" || p == "@eaDir/t.jpg" || p == ".hidden.jpg" {
			t.Errorf("ignored path reported: %s", p)
		}
	}
}

func TestWaitsUntilGrowingFileSettles(t *testing.T) {
	root := t.TempDir()
	_, rec := startWatcher(t, root, Options{})
	f, _ := os.Create(filepath.Join(root, "slow.jpg"))
	var last time.Time
	for i := 0; i < 5; i++ {
		f.Write(make([]byte, 1000))
		last = time.Now()
		time.Sleep(250 * time.Millisecond) // under the debounce: still one copy
	}
	f.Close()
	at := waitSeen(t, rec, "slow.jpg", 5*time.Second)
	if at.Before(last) {
		t.Fatalf("reported %s before the last write", last.Sub(at))
	}
	rec.mu.Lock()
	n := 0
	for _, p := range rec.paths {
		if p == "slow.jpg" {
			n++
		}
	}
	rec.mu.Unlock()
	if n != 1 {
		t.Fatalf("slow file reported %d times, want once", n)
	}
}

func TestFallsBackToPollingWhenOutOfWatches(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a", "b", "c", "d"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	w, _ := startWatcher(t, root, Options{MaxWatches: 2})
	deadline := time.Now().Add(3 * time.Second)
	for w.State().Mode != ModePolling && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	st := w.State()
	if st.Mode != ModePolling || st.Reason == "" {
		t.Fatalf("state %+v, want polling with a reason", st)
	}
}

func TestRootVanishingAndReturning(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "photos")
	os.MkdirAll(root, 0o755)
	rescans := make(chan struct{}, 10)
	w, rec := startWatcher(t, root, Options{Rescan: func(context.Context) { rescans <- struct{}{} }})
	os.RemoveAll(root)
	deadline := time.Now().Add(3 * time.Second)
	for w.State().Mode != ModeWaiting && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if w.State().Mode != ModeWaiting {
		t.Fatalf("mode %s after root removal, want waiting", w.State().Mode)
	}
	for len(rescans) > 0 {
		<-rescans
	}
	os.MkdirAll(root, 0o755)
	select {
	case <-rescans:
	case <-time.After(8 * time.Second):
		t.Fatal("no rescan after the root came back")
	}
	deadline = time.Now().Add(5 * time.Second)
	for w.State().Mode != ModeLive && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if st := w.State(); st.Mode != ModeLive {
		t.Fatalf("state %+v after the root came back, want live", st)
	}
	os.WriteFile(filepath.Join(root, "back.jpg"), []byte("x"), 0o644)
	waitSeen(t, rec, "back.jpg", 3*time.Second)
	// Once, and nothing from before the root vanished is reported again.
	if got := rec.all(); len(got) != 1 || got[0] != "back.jpg" {
		t.Fatalf("reported %q, want only back.jpg", got)
	}
}
