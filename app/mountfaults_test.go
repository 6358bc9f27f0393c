package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/testkit"
)

// serveStatus is the part of the full /api/v1/status document these tests
// read.
type serveStatus struct {
	Status string `json:"status"`
	Counts struct {
		Photos       int `json:"photos"`
		Files        int `json:"files"`
		MissingFiles int `json:"missing_files"`
	} `json:"counts"`
	Index struct {
		RootProblem string `json:"root_problem"`
		Progress    struct {
			Running bool `json:"running"`
		} `json:"progress"`
	} `json:"index"`
	Watcher struct {
		Mode   string `json:"mode"`
		Reason string `json:"reason"`
	} `json:"watcher"`
}

func (a *api) status() serveStatus {
	a.T.Helper()
	code, b := a.Send("GET", "/api/v1/status", nil)
	var st serveStatus
	if code != 200 || json.Unmarshal(b, &st) != nil {
		a.T.Fatalf("status: %d %s", code, b)
	}
	return st
}

// photos lists every photo the admin sees (missing ones included when
// missing is set) and fails on duplicate hashes.
func (a *api) photos(missing bool) []string {
	a.T.Helper()
	q := "/api/v1/photos?limit=500"
	if missing {
		q += "&missing=true"
	}
	code, b := a.Send("GET", q, nil)
	var list photoList
	if code != 200 || json.Unmarshal(b, &list) != nil {
		a.T.Fatalf("photos: %d %s", code, b)
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range list.Photos {
		if seen[p.Hash] {
			a.T.Fatalf("photo %s is listed twice", p.Hash)
		}
		seen[p.Hash] = true
		out = append(out, p.Hash)
	}
	return out
}

func mustRun(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v %s", name, strings.Join(args, " "), err, out)
	}
}

func addAdmin(t *testing.T, data string) {
	t.Helper()
	cmd := exec.Command(binary, "users", "add", "admin", "--role", "admin", "--data", data)
	cmd.Stdin = strings.NewReader("correct horse battery\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("users add: %v %s", err, out)
	}
}

// TestOriginalsMountVanishesAndReturns unmounts the originals (a bind
// mount standing in for a USB disk or NAS share) under a running server,
// then removes the mount point too, then brings the disk back: while it is
// away nothing is marked missing and the status says why; once it is back
// the library is whole again without a duplicate, and a photo added to the
// disk meanwhile appears. Needs root for mount, as CI has.
func TestOriginalsMountVanishesAndReturns(t *testing.T) {
	disk := t.TempDir() // what the drive holds
	for i, rel := range []string{"2019/a.jpg", "2019/b.jpg", "2020/Trip/c.jpg", "2020/Trip/d.jpg", "e.jpg"} {
		p := filepath.Join(disk, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, testkit.JPEG(testkit.Photo{W: 64, H: 48, Seed: uint64(i + 1)}), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mnt := filepath.Join(t.TempDir(), "photos")
	os.Mkdir(mnt, 0o755)
	if out, err := exec.Command("mount", "--bind", disk, mnt).CombinedOutput(); err != nil {
		t.Fatalf("this test needs root to bind-mount the originals: %v %s", err, out)
	}
	mounted := true
	t.Cleanup(func() {
		if mounted {
			exec.Command("umount", "-l", mnt).Run()
		}
	})
	data := t.TempDir()
	addAdmin(t, data)
	s := startServerData(t, mnt, data, "--backup-interval", "0", "--debounce", "300ms", "--settle-time", "100ms", "--poll-interval", "1s")
	a := login(t, s, "admin", "correct horse battery")
	waitFor(t, "5 photos indexed", 20*time.Second, func() bool { return len(a.photos(false)) == 5 })
	waitFor(t, "live watching", 10*time.Second, func() bool { return a.status().Watcher.Mode == "live" })

	// The disk goes away; the empty mount point stays, as it does.
	mustRun(t, "umount", "-l", mnt)
	mounted = false
	var st serveStatus
	waitFor(t, "the status to explain the empty originals", 20*time.Second, func() bool {
		a.Send("POST", "/api/v1/index/rescan", nil)
		time.Sleep(300 * time.Millisecond)
		st = a.status()
		return st.Index.RootProblem != ""
	})
	if !strings.Contains(st.Index.RootProblem, "mounted") || st.Status != "degraded" {
		t.Errorf("status while unmounted: %q, root problem %q", st.Status, st.Index.RootProblem)
	}
	check := func(when string) {
		t.Helper()
		st := a.status()
		if st.Counts.MissingFiles != 0 || len(a.photos(true)) != 0 {
			t.Fatalf("%s: %d files marked missing", when, st.Counts.MissingFiles)
		}
		if n := len(a.photos(false)); n != 5 {
			t.Fatalf("%s: %d photos listed, want 5", when, n)
		}
	}
	time.Sleep(2 * time.Second) // let watcher events and scans settle
	check("unmounted")

	// The mount point itself goes (a desktop automounter removes it).
	if err := os.Remove(mnt); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the watcher to wait for the folder", 15*time.Second, func() bool {
		st = a.status()
		return st.Watcher.Mode == "waiting"
	})
	if !strings.Contains(st.Watcher.Reason, "unavailable") {
		t.Errorf("watcher reason while the folder is gone: %q", st.Watcher.Reason)
	}
	a.Send("POST", "/api/v1/index/rescan", nil)
	waitFor(t, "the root problem to name the missing folder", 10*time.Second, func() bool {
		st = a.status()
		return strings.Contains(st.Index.RootProblem, "unavailable")
	})
	time.Sleep(1500 * time.Millisecond) // a poll-interval rescan or two
	check("folder gone")

	// Meanwhile a photo was added to the disk elsewhere; the disk returns.
	if err := os.WriteFile(filepath.Join(disk, "2020", "Trip", "new.jpg"), testkit.JPEG(testkit.Photo{W: 64, H: 48, Seed: 9}), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(mnt, 0o755)
	mustRun(t, "mount", "--bind", disk, mnt)
	mounted = true
	waitFor(t, "the returned disk to be rescanned", 30*time.Second, func() bool {
		st = a.status()
		return st.Index.RootProblem == "" && st.Watcher.Mode == "live" && len(a.photos(false)) == 6
	})
	st = a.status()
	if st.Counts.Photos != 6 || st.Counts.Files != 6 || st.Counts.MissingFiles != 0 || st.Status != "ok" {
		t.Fatalf("after the disk returned: %+v", st)
	}
	// Live watching works again on the returned disk.
	if err := os.WriteFile(filepath.Join(mnt, "2019", "live.jpg"), testkit.JPEG(testkit.Photo{W: 64, H: 48, Seed: 10}), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a file added after the return to appear", 15*time.Second, func() bool { return len(a.photos(false)) == 7 })
	if strings.Contains(s.log.String(), "database is locked") {
		t.Error("the server logged \"database is locked\"")
	}
}

// TestInotifyLimitFallsBackToPolling runs the server with fewer inotify
// watches than the library has folders (PINHOLE_TEST_MAX_WATCHES, since
// the real sysctl is machine-wide): the status says it is polling and
// why, and the periodic rescan still picks up a new file.
func TestInotifyLimitFallsBackToPolling(t *testing.T) {
	orig := t.TempDir()
	for i := range 6 {
		p := filepath.Join(orig, fmt.Sprintf("folder%d", i), "photo.jpg")
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, testkit.JPEG(testkit.Photo{W: 48, H: 32, Seed: uint64(i + 20)}), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := t.TempDir()
	addAdmin(t, data)
	t.Setenv("PINHOLE_TEST_MAX_WATCHES", "3")
	s := startServerData(t, orig, data, "--backup-interval", "0", "--poll-interval", "1s")
	a := login(t, s, "admin", "correct horse battery")
	waitFor(t, "6 photos indexed", 20*time.Second, func() bool { return len(a.photos(false)) == 6 })
	var st serveStatus
	waitFor(t, "polling mode", 15*time.Second, func() bool {
		st = a.status()
		return st.Watcher.Mode == "polling"
	})
	if !strings.Contains(st.Watcher.Reason, "max_user_watches") || !strings.Contains(st.Watcher.Reason, "rescanning periodically") {
		t.Errorf("polling reason %q does not say why and what to do", st.Watcher.Reason)
	}
	if st.Index.RootProblem != "" {
		t.Errorf("root problem while polling: %q", st.Index.RootProblem)
	}
	// A new file in a folder and a new folder are found by the periodic
	// rescan (every poll interval), with no watch on them.
	os.WriteFile(filepath.Join(orig, "folder5", "second.jpg"), testkit.JPEG(testkit.Photo{W: 48, H: 32, Seed: 40}), 0o644)
	os.MkdirAll(filepath.Join(orig, "later"), 0o755)
	os.WriteFile(filepath.Join(orig, "later", "third.jpg"), testkit.JPEG(testkit.Photo{W: 48, H: 32, Seed: 41}), 0o644)
	took := waitFor(t, "new files found by polling", 10*time.Second, func() bool { return len(a.photos(false)) == 8 })
	t.Logf("new files appeared %v after being written while polling", took.Round(100*time.Millisecond))
	// And a deleted one is noticed the same way.
	os.Remove(filepath.Join(orig, "folder0", "photo.jpg"))
	waitFor(t, "a deleted file noticed by polling", 10*time.Second, func() bool { return len(a.photos(false)) == 7 })
}
