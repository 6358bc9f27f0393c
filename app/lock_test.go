package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"pinhole/app/testkit"
	"pinhole/db"
)

// fileState is what must not change about a database file while a
// refused command runs: which file it is and every byte in it.
type fileState struct {
	ino  uint64
	sum  [32]byte
	size int64
}

func stateOf(t *testing.T, p string) fileState {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(p), err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{ino: st.Sys().(*syscall.Stat_t).Ino, sum: sha256.Sum256(b), size: int64(len(b))}
}

// dbFiles are the database and its WAL companions.
func dbFiles(data string) []string {
	p := filepath.Join(data, "pinhole.db")
	return []string{p, p + "-wal", p + "-shm"}
}

// stop ends the server and waits for it.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("server did not stop within 10 s of SIGINT\n%s", s.log.String())
	}
}

// runIn runs the pinhole binary with stdin and returns its output and
// whether it succeeded.
func runIn(t *testing.T, stdin string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// TestRestoreRefusesWhileServing: `pinhole restore` used to probe the
// database with BEGIN EXCLUSIVE, which succeeds against an idle server in
// WAL mode, and then swapped the file and deleted -wal/-shm under it. Now
// it refuses, naming the server, and leaves every byte alone; so do the
// other commands that must not run beside a server. Backups and account
// changes still work beside it, and once the server stops, restore works.
func TestRestoreRefusesWhileServing(t *testing.T) {
	lib := t.TempDir()
	for i := 1; i <= 2; i++ {
		os.WriteFile(filepath.Join(lib, fmt.Sprintf("IMG_%d.jpg", i)), testkit.JPEG(testkit.Photo{W: 48, H: 32, Seed: uint64(i)}), 0o644)
	}
	data := t.TempDir()
	s := startServerData(t, lib, data, "--backup-interval", "0")
	pid := fmt.Sprintf("pinhole serve (pid %d)", s.cmd.Process.Pid)
	d := s.openDB(t)
	waitFor(t, "initial scan", 10*time.Second, func() bool {
		c, err := d.Counts(context.Background())
		return err == nil && c.Photos == 2
	})
	d.Close()

	// A snapshot beside the server is fine.
	backup := filepath.Join(t.TempDir(), "b.db")
	if out, ok := runIn(t, "", "backup", "--data", data, "--out", backup); !ok {
		t.Fatalf("backup beside a running server failed:\n%s", out)
	}

	// Wait until the server is idle: the files stop changing.
	var before []fileState
	waitFor(t, "an idle server", 10*time.Second, func() bool {
		var now []fileState
		for _, p := range dbFiles(data) {
			now = append(now, stateOf(t, p))
		}
		same := fmt.Sprint(now) == fmt.Sprint(before)
		before = now
		time.Sleep(300 * time.Millisecond)
		return same
	})

	for _, args := range [][]string{
		{"restore", "--data", data, backup},
		{"index", "--data", data, "--originals", lib},
		{"places", "update", "--data", data, "--originals", lib},
		{"serve", "--data", data, "--originals", lib, "--listen", freeAddr(t)},
	} {
		out, ok := runIn(t, "", args...)
		if ok {
			t.Errorf("pinhole %s succeeded beside a running server:\n%s", args[0], out)
		} else if !strings.Contains(out, pid+" is using "+data) {
			t.Errorf("pinhole %s: the refusal does not name %s:\n%s", args[0], pid, out)
		}
	}
	if out, _ := runIn(t, "", "restore", "--data", data, backup); !strings.Contains(out, "stop it before restoring") {
		t.Errorf("restore does not say what to do:\n%s", out)
	}
	for i, p := range dbFiles(data) {
		if got := stateOf(t, p); got != before[i] {
			t.Errorf("%s changed while restore was refused: %+v, was %+v", filepath.Base(p), got, before[i])
		}
	}

	// Accounts can be managed beside the server (that is how a forgotten
	// password is reset on a running service).
	if out, ok := runIn(t, "a long password\n", "users", "add", "later", "--data", data); !ok {
		t.Fatalf("users add beside a running server: %s", out)
	}

	s.stop(t)
	out, ok := runIn(t, "", "restore", "--data", data, backup)
	if !ok || !strings.Contains(out, "restored") || !strings.Contains(out, "2 photos") {
		t.Fatalf("restore after the server stopped: %s", out)
	}
	d2, err := db.Open(context.Background(), filepath.Join(data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if _, err := d2.UserByName(context.Background(), "later"); err == nil {
		t.Error("the restored database has the account added after the backup: it was not replaced")
	}
}

// TestRestoreWaitsForOtherDatabaseUsers: a command that may run beside a
// server (users, backup, thumbs) holds the database lock shared; while one
// runs, restore refuses, naming it. This test holds that lock itself, as
// such a command would.
func TestRestoreWaitsForOtherDatabaseUsers(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	d, err := db.Open(ctx, filepath.Join(data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	backup := filepath.Join(t.TempDir(), "b.db")
	run(t, true, "backup", "--data", data, "--out", backup)

	f, err := os.OpenFile(filepath.Join(data, "pinhole.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	out := run(t, false, "restore", "--data", data, backup)
	if want := fmt.Sprintf("(pid %d) is using %s", os.Getpid(), data); !strings.Contains(out, want) {
		t.Errorf("restore refused without naming the holder (%q):\n%s", want, out)
	}
	// Commands that only share the lock still run.
	run(t, true, "backup", "--data", data, "--out", filepath.Join(t.TempDir(), "c.db"))
	f.Close()
	if out := run(t, true, "restore", "--data", data, backup); !bytes.Contains([]byte(out), []byte("restored")) {
		t.Fatalf("restore once the lock was released: %s", out)
	}
}
