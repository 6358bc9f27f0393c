package app_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pinhole/app/testkit"
	"pinhole/db"
)

// binary is the pinhole binary built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pinhole-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "pinhole")
	// testhooks: the binary reads PINHOLE_TEST_MAX_WATCHES (mountfaults_test.go).
	cmd := exec.Command("go", "build", "-tags", "sqlite_fts5 testhooks", "-o", binary, "pinhole")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build pinhole:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// server is a running `pinhole serve` child process.
type server struct {
	addr, data, originals string
	cmd                   *exec.Cmd
	log                   *logBuffer
}

// logBuffer collects a child's output; exec copies into it on its own
// goroutine while tests read it, so it is locked.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startServer(t *testing.T, originals string, extra ...string) *server {
	t.Helper()
	return startServerData(t, originals, t.TempDir(), extra...)
}

// startServerData starts `pinhole serve` on a given data folder.
func startServerData(t *testing.T, originals, data string, extra ...string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), data: data, originals: originals, log: &logBuffer{}}
	args := append([]string{"serve", "--originals", originals, "--data", s.data, "--listen", s.addr, "--log-level", "debug"}, extra...)
	s.cmd = exec.Command(binary, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- s.cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			t.Error("server did not stop within 10 s of SIGINT")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + s.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not answer /healthz; log:\n%s", s.log.String())
	return nil
}

// openDB opens the server's database file alongside it (WAL allows a
// second process to read and write).
func (s *server) openDB(t *testing.T) *db.DB {
	t.Helper()
	var d *db.DB
	var err error
	for i := 0; i < 100; i++ {
		if _, err = os.Stat(filepath.Join(s.data, "pinhole.db")); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	d, err = db.Open(context.Background(), filepath.Join(s.data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// waitFor polls cond until it holds or the deadline passes, and returns how
// long it took.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s", what, within)
	return 0
}

func TestLiveSync(t *testing.T) {
	ctx := context.Background()
	orig := t.TempDir()
	os.MkdirAll(filepath.Join(orig, "2024"), 0o755)
	os.WriteFile(filepath.Join(orig, "2024", "IMG_0001.jpg"), testkit.JPEG(testkit.Photo{W: 64, H: 48, Seed: 1}), 0o644)
	s := startServer(t, orig)
	d := s.openDB(t)
	waitFor(t, "initial scan", 10*time.Second, func() bool {
		_, err := d.FileByPath(ctx, "2024/IMG_0001.jpg")
		return err == nil
	})
	// Give the watcher a moment to register its watches after the first scan.
	time.Sleep(500 * time.Millisecond)

	// 1. A photo copied in, in one go, into a folder created now.
	os.MkdirAll(filepath.Join(orig, "2024", "trip"), 0o755)
	os.WriteFile(filepath.Join(orig, "2024", "trip", "IMG_0002.jpg"), testkit.JPEG(testkit.Photo{W: 64, H: 48, Seed: 2}), 0o644)
	took := waitFor(t, "copied photo indexed", 5*time.Second, func() bool {
		_, err := d.FileByPath(ctx, "2024/trip/IMG_0002.jpg")
		return err == nil
	})
	t.Logf("copied photo in the database %s after its last write", took.Round(time.Millisecond))

	// 2. A photo written slowly in chunks (an SMB copy): indexed once
	// complete, with the hash of the whole file.
	big := testkit.JPEG(testkit.Photo{W: 640, H: 480, Seed: 3})
	f, err := os.Create(filepath.Join(orig, "2024", "IMG_0003.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := len(big)/6 + 1
	for off := 0; off < len(big); off += chunk {
		f.Write(big[off:min(off+chunk, len(big))])
		time.Sleep(700 * time.Millisecond)
	}
	f.Close()
	sum := sha1.Sum(big)
	want := hex.EncodeToString(sum[:])
	took = waitFor(t, "slowly written photo indexed complete", 5*time.Second, func() bool {
		fs, err := d.FileByPath(ctx, "2024/IMG_0003.jpg")
		return err == nil && fs.Hash == want
	})
	t.Logf("slowly written photo in the database %s after its last write", took.Round(time.Millisecond))
	p3, _ := d.PhotoByPath(ctx, "2024/IMG_0003.jpg")
	if p3.Width != 640 {
		t.Errorf("slow photo indexed with width %d, want 640 (read before complete?)", p3.Width)
	}

	// 3. Rename keeps the photo id and favorite flag.
	p, err := d.PhotoByPath(ctx, "2024/trip/IMG_0002.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetFlag(ctx, p.ID, "favorite", true); err != nil {
		t.Fatal(err)
	}
	os.Rename(filepath.Join(orig, "2024", "trip", "IMG_0002.jpg"), filepath.Join(orig, "2024", "trip", "beach.jpg"))
	waitFor(t, "renamed photo", 5*time.Second, func() bool {
		q, err := d.PhotoByPath(ctx, "2024/trip/beach.jpg")
		return err == nil && q.ID == p.ID && q.Favorite && !q.Missing
	})

	// 4. A deleted file is marked missing.
	os.Remove(filepath.Join(orig, "2024", "IMG_0001.jpg"))
	waitFor(t, "deleted file marked missing", 5*time.Second, func() bool {
		fs, err := d.FileByPath(ctx, "2024/IMG_0001.jpg")
		return err == nil && fs.Missing
	})

	// 5. The whole root removed (an unmounted share): nothing else is marked
	// missing, and the status says why.
	os.RemoveAll(orig)
	time.Sleep(6 * time.Second)
	c, err := d.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.MissingFiles != 1 {
		t.Fatalf("after removing the root: %d missing files, want only the 1 deleted before", c.MissingFiles)
	}
	for _, rel := range []string{"2024/trip/beach.jpg", "2024/IMG_0003.jpg"} {
		if fs, err := d.FileByPath(ctx, rel); err != nil || fs.Missing {
			t.Errorf("%s marked missing after unmount (err %v)", rel, err)
		}
	}
	if !strings.Contains(s.log.String(), "unavailable") {
		t.Errorf("server log does not mention the unavailable originals folder")
	}
}
