package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"pinhole/db"
)

// trashLibrary writes n stacks (a JPEG and its XMP sidecar) to trash and
// keep stacks to leave alone, indexes them with `pinhole index`, and
// moves the first n to the Trash. It returns each trashed photo's files.
func trashLibrary(t *testing.T, lib, data string, n, keep int) (trashed map[int64][]string, kept []string) {
	t.Helper()
	for i := 0; i < n+keep; i++ {
		dir := filepath.Join(lib, fmt.Sprintf("%03d", i/100))
		os.MkdirAll(dir, 0o755)
		name := fmt.Sprintf("IMG_%05d", i)
		if err := os.WriteFile(filepath.Join(dir, name+".JPG"), uniqueJPEG(t, i), 0o644); err != nil {
			t.Fatal(err)
		}
		xmp := fmt.Sprintf(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`+
			`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">shot %d</rdf:li></rdf:Alt></dc:title>`+
			`</rdf:Description></rdf:RDF></x:xmpmeta>`, i)
		if err := os.WriteFile(filepath.Join(dir, name+".xmp"), []byte(xmp), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(t, true, "index", "--originals", lib, "--data", data)
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	trashed = map[int64][]string{}
	var ids []int64
	for i := 0; i < n+keep; i++ {
		rel := fmt.Sprintf("%03d/IMG_%05d", i/100, i)
		p, err := d.PhotoByPath(ctx, rel+".JPG")
		if err != nil {
			t.Fatal(err)
		}
		if x, err := d.PhotoByPath(ctx, rel+".xmp"); err != nil || x.ID != p.ID {
			t.Fatalf("%s.xmp is not stacked with its JPEG: %v", rel, err)
		}
		if i < n {
			trashed[p.ID] = []string{rel + ".JPG", rel + ".xmp"}
			ids = append(ids, p.ID)
		} else {
			kept = append(kept, rel+".JPG", rel+".xmp")
		}
	}
	if m, err := d.TrashPhotos(ctx, ids); err != nil || m != n {
		t.Fatalf("trash %d photos: %d, %v", n, m, err)
	}
	return trashed, kept
}

// uniqueJPEG is a small JPEG of its own for every i: a block per bit of i.
func uniqueJPEG(t *testing.T, i int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 16))
	for bit := 0; bit < 16; bit++ {
		v := uint8(40)
		if i>>bit&1 == 1 {
			v = 220
		}
		for y := 0; y < 8; y++ {
			for x := 0; x < 8; x++ {
				img.SetGray((bit%8)*8+x, (bit/8)*8+y, color.Gray{Y: v})
			}
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestKilledWhileEmptyingTheTrash empties a big Trash in a `pinhole serve`
// and kills it with SIGKILL in the middle, several times. Files the
// journal does not name are never touched; after each restart the
// deletion resumes; at the end every trashed photo is gone with all its
// files and rows, every other photo is whole, and nothing was reported
// missing on the way.
func TestKilledWhileEmptyingTheTrash(t *testing.T) {
	n, keep := 1500, 60
	if testing.Short() {
		n = 400
	}
	lib, data := filepath.Join(t.TempDir(), "lib"), t.TempDir()
	trashed, kept := trashLibrary(t, lib, data, n, keep)
	addAdmin(t, data)
	dbPath := filepath.Join(data, "pinhole.db")
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(lib, filepath.FromSlash(rel)))
		return err == nil
	}
	// Slow the deletion down enough to stop it in the middle on a fast
	// machine: a pause between its batches of 256 files.
	t.Setenv("PINHOLE_TEST_TRASH_PAUSE", "40ms")
	args := []string{"--read-only=false", "--backup-interval", "0", "--debounce", "200ms", "--settle-time", "50ms"}
	rng := rand.New(rand.NewSource(7))
	var logs []string
	kills := 0
	for round := 0; round < 4; round++ {
		s := startServerData(t, lib, data, args...)
		if round == 0 {
			a := login(t, s, "admin", "correct horse battery")
			code, b := a.Send("POST", "/api/v1/trash/empty", map[string]any{"all": true})
			if code != 202 {
				t.Fatalf("empty: %d %s", code, b)
			}
			var e struct{ Deleting int }
			json.Unmarshal(b, &e)
			if e.Deleting != n {
				t.Fatalf("emptying journalled %d photos, want %d", e.Deleting, n)
			}
		}
		// Wait for this run to delete some files, then kill it at a
		// random moment.
		gone := func() int {
			n := 0
			for _, files := range trashed {
				for _, f := range files {
					if !exists(f) {
						n++
					}
				}
			}
			return n
		}
		before, start := gone(), time.Now()
		for gone() == before && time.Since(start) < 30*time.Second {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.Int63n(int64(60 * time.Millisecond))))
		s.cmd.Process.Signal(syscall.SIGKILL)
		s.cmd.Wait()
		logs = append(logs, s.log.String())

		// What the dead server left: a sound database, the kept photos
		// whole, and no file touched that the journal does not name.
		d, err := db.Open(context.Background(), dbPath)
		if err != nil {
			t.Fatalf("round %d: database does not open: %v", round, err)
		}
		if res, err := d.IntegrityCheck(context.Background()); err != nil || res != "ok" {
			t.Fatalf("round %d: integrity_check %q, %v", round, res, err)
		}
		pend, err := d.PendingDeletions(context.Background(), 1<<20)
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range kept {
			if !exists(f) {
				t.Fatalf("round %d: %s, not in the Trash, was deleted", round, f)
			}
		}
		if len(pend) == 0 {
			break // finished before the kill
		}
		kills++
		t.Logf("round %d: killed with %d files still to delete", round, len(pend))
	}
	if kills == 0 {
		t.Fatal("every run finished before it was killed; the test proves nothing")
	}

	// The last start finishes the deletion.
	s := startServerData(t, lib, data, args...)
	a := login(t, s, "admin", "correct horse battery")
	waitFor(t, "the deletion finished", 60*time.Second, func() bool {
		code, b := a.Send("GET", "/api/v1/trash", nil)
		var out struct {
			Photos []json.RawMessage `json:"photos"`
			Trash  db.TrashSummary   `json:"trash"`
		}
		return code == 200 && json.Unmarshal(b, &out) == nil && len(out.Photos) == 0 && out.Trash.Deleting == 0
	})
	// The watcher has seen the last unlinks.
	time.Sleep(time.Second)
	d := s.openDB(t)
	ctx := context.Background()
	for id, files := range trashed {
		for _, f := range files {
			if exists(f) {
				t.Errorf("photo %d: %s is still on disk", id, f)
			}
			if _, err := d.FileByPath(ctx, f); err == nil {
				t.Errorf("photo %d: %s is still in the database", id, f)
			}
		}
		if _, err := d.PhotoByID(ctx, id); err == nil {
			t.Errorf("photo %d is still in the database", id)
		}
	}
	for _, f := range kept {
		p, err := d.PhotoByPath(ctx, f)
		if err != nil || p.Missing || p.TrashedAt != "" || !exists(f) {
			t.Errorf("%s, never trashed: %+v %v", f, p, err)
		}
	}
	c, err := d.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.MissingFiles != 0 || c.Photos != keep || c.Files != 2*keep {
		t.Errorf("counts after: %+v, want %d photos of 2 files, none missing", c, keep)
	}
	if got := a.photos(true); len(got) != 0 {
		t.Errorf("%d photos listed as missing", len(got))
	}
	logs = append(logs, s.log.String())
	noisy := regexp.MustCompile(`missing=[1-9]`)
	for i, l := range logs {
		for _, line := range strings.Split(l, "\n") {
			if noisy.MatchString(line) {
				t.Errorf("run %d reported missing files: %s", i, line)
			}
		}
	}
	t.Logf("%d photos (%d files) deleted across %d SIGKILLs; %d photos kept whole", n, 2*n, kills, keep)
}

// trashState is GET /api/v1/trash.
type trashState struct {
	Photos []struct {
		ID        int64  `json:"id"`
		TrashedAt string `json:"trashed_at"`
	} `json:"photos"`
	Trash struct {
		Photos       int    `json:"photos"`
		Deleting     int    `json:"deleting"`
		DeletesFiles bool   `json:"deletes_files"`
		ReadOnly     string `json:"read_only"`
		Problem      string `json:"problem"`
	} `json:"trash"`
}

func (a *api) trash() trashState {
	a.T.Helper()
	code, b := a.Send("GET", "/api/v1/trash", nil)
	var st trashState
	if code != 200 || json.Unmarshal(b, &st) != nil {
		a.T.Fatalf("trash: %d %s", code, b)
	}
	return st
}

// With read-only originals (the default) emptying the Trash removes the
// photo from the library and deletes nothing; the photo stays out when
// its file is moved, copied or the library rescanned, and the Trash says
// how to allow deleting. On writable settings over a read-only mount
// (the systemd unit without ReadWritePaths) nothing is deleted either:
// the stack stays whole in the Trash and the Trash says why.
func TestTrashWithReadOnlyOriginals(t *testing.T) {
	t.Run("read-only", func(t *testing.T) {
		lib := t.TempDir()
		os.MkdirAll(filepath.Join(lib, "a"), 0o755)
		pic := uniqueJPEG(t, 1)
		os.WriteFile(filepath.Join(lib, "a", "IMG_1.JPG"), pic, 0o644)
		os.WriteFile(filepath.Join(lib, "a", "IMG_2.JPG"), uniqueJPEG(t, 2), 0o644)
		data := t.TempDir()
		addAdmin(t, data)
		s := startServerData(t, lib, data, "--backup-interval", "0", "--debounce", "200ms", "--settle-time", "50ms")
		a := login(t, s, "admin", "correct horse battery")
		waitFor(t, "2 photos indexed", 20*time.Second, func() bool { return len(a.photos(false)) == 2 })
		d := s.openDB(t)
		p, err := d.PhotoByPath(context.Background(), "a/IMG_1.JPG")
		if err != nil {
			t.Fatal(err)
		}
		if code, b := a.Send("POST", "/api/v1/trash", map[string]any{"photo_ids": []int64{p.ID}}); code != 200 {
			t.Fatalf("trash: %d %s", code, b)
		}
		st := a.trash()
		if st.Trash.DeletesFiles || !strings.Contains(st.Trash.ReadOnly, "--read-only=false") || !strings.Contains(st.Trash.ReadOnly, "ReadWritePaths") {
			t.Fatalf("the Trash does not say how to allow deleting: %+v", st.Trash)
		}
		code, b := a.Send("POST", "/api/v1/trash/empty", map[string]any{"all": true})
		if code != 200 || !strings.Contains(string(b), `"removed":1`) {
			t.Fatalf("empty: %d %s", code, b)
		}
		if _, err := os.Stat(filepath.Join(lib, "a", "IMG_1.JPG")); err != nil {
			t.Fatalf("a read-only server deleted the file: %v", err)
		}
		// Moved, then copied: the watcher indexes both; neither shows.
		os.MkdirAll(filepath.Join(lib, "b"), 0o755)
		if err := os.Rename(filepath.Join(lib, "a", "IMG_1.JPG"), filepath.Join(lib, "b", "moved.jpg")); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(lib, "copy.jpg"), pic, 0o644)
		waitFor(t, "the move and the copy indexed", 20*time.Second, func() bool {
			_, e1 := d.FileByPath(context.Background(), "b/moved.jpg")
			_, e2 := d.FileByPath(context.Background(), "copy.jpg")
			return e1 == nil && e2 == nil
		})
		a.Send("POST", "/api/v1/index/rescan", nil)
		time.Sleep(500 * time.Millisecond)
		if got := a.photos(false); len(got) != 1 {
			t.Fatalf("%d photos in the library after moving and copying the removed one, want 1", len(got))
		}
		if st := a.trash(); len(st.Photos) != 0 {
			t.Fatalf("the removed photo is back in the Trash: %+v", st)
		}
	})

	t.Run("writable settings, read-only mount", func(t *testing.T) {
		disk := t.TempDir()
		os.WriteFile(filepath.Join(disk, "IMG_3.JPG"), uniqueJPEG(t, 3), 0o644)
		os.WriteFile(filepath.Join(disk, "IMG_3.xmp"), []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"/>`), 0o644)
		mnt := filepath.Join(t.TempDir(), "photos")
		os.Mkdir(mnt, 0o755)
		if out, err := exec.Command("mount", "--bind", disk, mnt).CombinedOutput(); err != nil {
			t.Fatalf("this test needs root to bind-mount the originals: %v %s", err, out)
		}
		t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
		mustRun(t, "mount", "-o", "remount,bind,ro", mnt)
		data := t.TempDir()
		addAdmin(t, data)
		s := startServerData(t, mnt, data, "--read-only=false", "--backup-interval", "0", "--debounce", "200ms", "--settle-time", "50ms")
		a := login(t, s, "admin", "correct horse battery")
		waitFor(t, "the photo indexed", 20*time.Second, func() bool { return len(a.photos(false)) == 1 })
		d := s.openDB(t)
		p, _ := d.PhotoByPath(context.Background(), "IMG_3.JPG")
		a.Send("POST", "/api/v1/trash", map[string]any{"photo_ids": []int64{p.ID}})
		if code, b := a.Send("POST", "/api/v1/trash/empty", map[string]any{"all": true}); code != 202 {
			t.Fatalf("empty: %d %s", code, b)
		}
		var st trashState
		waitFor(t, "the photo back in the Trash", 20*time.Second, func() bool {
			st = a.trash()
			return len(st.Photos) == 1 && st.Trash.Deleting == 0
		})
		if !strings.Contains(st.Trash.Problem, "read-only file system") {
			t.Errorf("the Trash does not say why nothing was deleted: %q", st.Trash.Problem)
		}
		for _, f := range []string{"IMG_3.JPG", "IMG_3.xmp"} {
			if _, err := os.Stat(filepath.Join(disk, f)); err != nil {
				t.Errorf("%s: %v", f, err)
			}
			if fs, err := d.FileByPath(context.Background(), f); err != nil || fs.Missing {
				t.Errorf("%s is not whole in the library: %+v %v", f, fs, err)
			}
		}
	})
}
