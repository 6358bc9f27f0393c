package index

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"pinhole/app/testkit"
	"sync/atomic"
	"testing"
	"time"

	"pinhole/db"
)

// staleLibrary indexes n JPEGs and marks them read by an older reader.
func staleLibrary(t *testing.T, n int, busy func() bool) (*Indexer, *db.DB, []string) {
	t.Helper()
	root := t.TempDir()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	var paths []string
	for i := 0; i < n; i++ {
		rel := fmt.Sprintf("IMG_%d.jpg", i)
		b := append(testkit.JPEG(testkit.Photo{Seed: 1}), fmt.Sprintf("trailer %d", i)...)
		if err := os.WriteFile(filepath.Join(root, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, rel)
	}
	ix := New(d, Options{Root: root, Workers: 1, Busy: busy})
	if _, err := ix.Scan(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkStale(context.Background(), paths); err != nil {
		t.Fatal(err)
	}
	return ix, d, paths
}

func waitUntil(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The background re-read waits while a scan holds the library and while
// interactive queries run, says so in its status, and goes on after.
func TestRereadYieldsToScansAndQueries(t *testing.T) {
	var busy atomic.Bool
	busy.Store(true)
	ix, _, paths := staleLibrary(t, 5, busy.Load)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ix.RunReread(ctx) }()
	defer func() { stop(); <-done }()

	waitUntil(t, "the pass waiting for interactive work", 5*time.Second, func() bool { return ix.RereadStatus().Waiting == "interactive" })
	time.Sleep(300 * time.Millisecond)
	if s := ix.RereadStatus(); s.Reread != 0 || s.Pending != int64(len(paths)) || !s.Running {
		t.Fatalf("read while queries ran: %+v", s)
	}
	busy.Store(false)
	waitUntil(t, "the pass done once queries stopped", 10*time.Second, func() bool { s := ix.RereadStatus(); return !s.Running && s.Reread == 5 })

	// A scan holds the library: the next pass waits for it.
	ix.scan.Lock()
	if err := ix.db.MarkStale(context.Background(), paths[:2]); err != nil {
		t.Fatal(err)
	}
	ix.PokeReread()
	waitUntil(t, "the pass waiting for the scan", 5*time.Second, func() bool { return ix.RereadStatus().Waiting == "scan" })
	time.Sleep(300 * time.Millisecond)
	if s := ix.RereadStatus(); s.Reread != 5 {
		ix.scan.Unlock()
		t.Fatalf("read during a scan: %+v", s)
	}
	ix.scan.Unlock()
	waitUntil(t, "the pass done after the scan", 10*time.Second, func() bool { s := ix.RereadStatus(); return !s.Running && s.Reread == 7 })
	if s := ix.RereadStatus(); s.Pending != 0 || s.Waiting != "" {
		t.Errorf("status after the passes: %+v", s)
	}
}

// A server that is never idle still gets its files read: a batch waits
// for queries to stop at most rereadMaxYield (5 s).
func TestRereadGoesOnUnderEndlessQueries(t *testing.T) {
	ix, _, _ := staleLibrary(t, 3, func() bool { return true })
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ix.RunReread(ctx) }()
	defer func() { stop(); <-done }()
	start := time.Now()
	// 5× the 5 s cap, for a busy CI machine.
	waitUntil(t, "the pass under endless queries", 25*time.Second, func() bool { return ix.RereadStatus().Reread == 3 })
	if took := time.Since(start); took < rereadMaxYield-time.Second {
		t.Errorf("read after %s under endless queries; it should have yielded about %s first", took, rereadMaxYield)
	}
}

// A file a pass left to the scan (it changed on disk) is not stat'ed again
// by every later wake-up while nothing changed — a library whose files
// cannot be compared would otherwise be walked over and over — but an
// explicit poke still looks again.
func TestRereadDoesNotRevisitFilesLeftToScan(t *testing.T) {
	ix, _, paths := staleLibrary(t, 3, nil)
	f, err := os.OpenFile(filepath.Join(ix.opt.Root, paths[0]), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("more bytes")
	f.Close()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ix.RunReread(ctx) }()
	defer func() { stop(); <-done }()
	waitUntil(t, "the first pass", 10*time.Second, func() bool {
		s := ix.RereadStatus()
		return !s.Running && s.Reread == 2 && s.LeftToScan == 1
	})
	for i := 0; i < 3; i++ {
		ix.rereadWake() // as after a scan of some other folder
		time.Sleep(100 * time.Millisecond)
	}
	if s := ix.RereadStatus(); s.LeftToScan != 1 || s.Pending != 1 {
		t.Fatalf("wake-ups with nothing new looked at the changed file again: %+v", s)
	}
	ix.PokeReread()
	waitUntil(t, "the poked pass", 10*time.Second, func() bool { s := ix.RereadStatus(); return !s.Running && s.LeftToScan == 2 })
}

// benchLibrary writes n noisy 1000×750 JPEGs (0.57 MB each, so
// hashing costs what it costs on camera files of that size) and indexes
// them.
func benchLibrary(b *testing.B, n int) (*Indexer, *db.DB, []string) {
	b.Helper()
	root := b.TempDir()
	d, err := db.Open(context.Background(), filepath.Join(b.TempDir(), "pinhole.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	img := image.NewRGBA(image.Rect(0, 0, 1000, 750))
	rng := rand.New(rand.NewPCG(1, 2))
	var paths []string
	for i := 0; i < n; i++ {
		for p := range img.Pix {
			img.Pix[p] = byte(rng.Uint32())
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
			b.Fatal(err)
		}
		rel := fmt.Sprintf("2024/IMG_%04d.jpg", i)
		if err := os.MkdirAll(filepath.Join(root, "2024"), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, rel), buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, rel)
	}
	ix := New(d, Options{Root: root, Workers: 2})
	if _, err := ix.Scan(context.Background(), false); err != nil {
		b.Fatal(err)
	}
	return ix, d, paths
}

// BenchmarkRereadVsFullScan compares bringing a library's metadata up to
// date with the re-read (headers only) and with `index --full` (hash and
// read everything), per file:
//
//	go test -tags 'sqlite_fts5 synthetic' -run XXX -bench RereadVsFullScan -benchtime 3x ./app/index/
func BenchmarkRereadVsFullScan(b *testing.B) {
	const n = 200
	ix, d, paths := benchLibrary(b, n)
	ctx := context.Background()
	b.Run("reread", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			if err := d.MarkStale(ctx, paths); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if s, err := ix.Reread(ctx); err != nil || s.Reread != n {
				b.Fatalf("%+v %v", s, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/file")
	})
	b.Run("full_scan", func(b *testing.B) {
		for b.Loop() {
			if s, err := ix.Scan(ctx, true); err != nil || s.Indexed != n {
				b.Fatalf("%+v %v", s, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/file")
	})
}
