package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
)

// api is a logged-in API client (bearer token) of a test server.
type api struct{ *testkit.Client }

func login(t *testing.T, s *server, user, pass string) *api {
	t.Helper()
	return &api{testkit.Login(t, "http://"+s.addr, user, pass)}
}

type photoList struct {
	Photos []struct {
		ID   int64  `json:"id"`
		Hash string `json:"hash"`
	} `json:"photos"`
}

// mountTmpfs mounts a small tmpfs (a disk that can fill up) for the test.
// It needs root, as CI has; the test fails rather than skips without it.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("this test needs root to mount a small tmpfs as a full disk: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file until the disk is full and returns its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return p
			}
			t.Fatal(err)
		}
	}
}

// TestFullDataDisk fills the disk holding the database and caches: the
// server keeps serving, thumbnails are rendered without caching, writes fail
// with a clear error, and everything works again once space returns.
func TestFullDataDisk(t *testing.T) {
	orig := t.TempDir()
	for _, rel := range []string{"exif-py/jpg/Canon_40D.jpg", "exif-py/jpg/Fujifilm_FinePix_E500.jpg", "exif-py/jpg/Nikon_D70.jpg", "exif-py/jpg/Sony_HDR-HC3.jpg"} {
		b, err := os.ReadFile(corpus.Path(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(orig, filepath.Base(rel)), b, 0o644)
	}
	data := mountTmpfs(t, "6m")
	cmd := exec.Command(binary, "users", "add", "admin", "--role", "admin", "--data", data)
	cmd.Stdin = strings.NewReader("correct horse battery\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("users add: %v %s", err, out)
	}
	s := startServerData(t, orig, data, "--backup-interval", "0")
	a := login(t, s, "admin", "correct horse battery")
	var list photoList
	waitFor(t, "photos indexed", 10*time.Second, func() bool {
		_, b := a.Send("GET", "/api/v1/photos", nil)
		json.Unmarshal(b, &list)
		return len(list.Photos) == 4
	})

	filler := fill(t, data)
	for _, p := range list.Photos {
		resp, err := http.Get(fmt.Sprintf("%s/api/v1/t/%s/%s/fit_720", a.Base, p.Hash, a.ThumbToken))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("thumbnail on a full disk: %s", resp.Status)
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("thumbnail on a full disk is not a JPEG: %v", err)
		}
	}
	// Writes fail with a clear error once SQLite cannot grow its files
	// (the first few may still fit in space the WAL already has); the
	// server stays up.
	refused := false
	for i := 0; i < 400 && !refused; i++ {
		code, body := a.Send("PATCH", fmt.Sprintf("/api/v1/photos/%d", list.Photos[i%4].ID),
			map[string]any{"description": fmt.Sprintf("%d %s", i, strings.Repeat("full disk ", 45))})
		switch {
		case code == http.StatusInsufficientStorage && strings.Contains(string(body), "disk is full"):
			refused = true
		case code != 200:
			t.Fatalf("edit %d on a full disk: %d %s", i, code, body)
		}
	}
	if !refused {
		t.Fatal("400 edits on a full disk all succeeded: the disk was not full")
	}
	if code, _ := a.Send("GET", "/healthz", nil); code != 200 {
		t.Fatalf("healthz on a full disk: %d", code)
	}
	// Space returns: writes work again without a restart.
	os.Remove(filler)
	code, body := a.Send("PATCH", fmt.Sprintf("/api/v1/photos/%d", list.Photos[0].ID), map[string]any{"title": "Saved after the disk was freed"})
	if code != 200 {
		t.Fatalf("edit after freeing space: %d %s", code, body)
	}
	code, body = a.Send("GET", fmt.Sprintf("/api/v1/photos/%d", list.Photos[0].ID), nil)
	if code != 200 || !strings.Contains(string(body), "Saved after the disk was freed") {
		t.Fatalf("edit not kept: %d %s", code, body)
	}
}

// TestBackupWhileServing takes backups while the server indexes and
// answers requests: no "database is locked" anywhere.
func TestBackupWhileServing(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib")
	run(t, true, "demo", "--out", lib, "--count", "80", "--megapixels", "0.3-0.6")
	data := t.TempDir()
	cmd := exec.Command(binary, "users", "add", "admin", "--role", "admin", "--data", data)
	cmd.Stdin = strings.NewReader("correct horse battery\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("users add: %v %s", err, out)
	}
	s := startServerData(t, lib, data, "--backup-interval", "0")
	a := login(t, s, "admin", "correct horse battery")
	for i := 0; i < 5; i++ {
		out := run(t, true, "backup", "--data", data, "--out", filepath.Join(t.TempDir(), fmt.Sprintf("b%d.db", i)))
		if !strings.Contains(out, "backup written") {
			t.Fatalf("backup %d: %s", i, out)
		}
		// 202 started, 409 one is already running.
		if code, b := a.Send("POST", "/api/v1/index/rescan", nil); code != 202 && code != 409 {
			t.Fatalf("rescan during backup: %d %s", code, b)
		}
		if code, b := a.Send("GET", "/api/v1/photos", nil); code != 200 {
			t.Fatalf("photos during backup: %d %s", code, b)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if strings.Contains(s.log.String(), "database is locked") {
		t.Fatalf("server logged 'database is locked':\n%s", s.log.String())
	}
}
