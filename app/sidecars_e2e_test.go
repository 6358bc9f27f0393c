package app_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"pinhole/app/testkit"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"pinhole/db"
)

func sha1File(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// exiftoolTags reads a file's tags, group-qualified, numbers as numbers.
func exiftoolTags(t *testing.T, path string) map[string]any {
	t.Helper()
	bin, err := exec.LookPath("exiftool")
	if err != nil {
		t.Fatal("exiftool is needed (scripts/deps.sh test installs it)")
	}
	out, err := exec.Command(bin, "-j", "-G1", "-n", path).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	var v []map[string]any
	if err := json.Unmarshal(out, &v); err != nil || len(v) != 1 {
		t.Fatalf("exiftool: %v %s", err, out)
	}
	return v[0]
}

type photoDetail struct {
	Photo map[string]any `json:"photo"`
	Files []struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"files"`
	Edited []string `json:"edited"`
}

func (a *api) detail(id int64) photoDetail {
	a.T.Helper()
	code, b := a.Send("GET", fmt.Sprintf("/api/v1/photos/%d", id), nil)
	var d photoDetail
	if code != 200 || json.Unmarshal(b, &d) != nil {
		a.T.Fatalf("photo %d: %d %s", id, code, b)
	}
	// The place of a new position is resolved in the background, when
	// the resolver is next woken: not part of what an edit or a sidecar
	// decides.
	for _, k := range []string{"updated_at", "city", "state", "country", "country_code", "place_source"} {
		delete(d.Photo, k)
	}
	return d
}

// An edit made in the web app reaches an XMP sidecar exiftool reads: beside
// the photo with --write-sidecars on a writable tree, in DATA/sidecars
// otherwise. The photo file is never written, and indexing Pinhole's own
// sidecar changes nothing.
func TestEditsReachSidecarsThroughTheServer(t *testing.T) {
	for _, beside := range []bool{true, false} {
		t.Run(fmt.Sprintf("beside=%v", beside), func(t *testing.T) {
			lib := t.TempDir()
			orig := filepath.Join(lib, "2019", "Paris", "IMG_1.jpg")
			os.MkdirAll(filepath.Dir(orig), 0o755)
			if err := os.WriteFile(orig, testkit.JPEG(testkit.Photo{Seed: uint64(1), W: 64, H: 48}), 0o644); err != nil {
				t.Fatal(err)
			}
			hash := sha1File(t, orig)
			data := t.TempDir()
			addAdmin(t, data)
			args := []string{"--backup-interval", "0", "--debounce", "300ms", "--settle-time", "100ms"}
			if beside {
				args = append(args, "--write-sidecars", "--read-only=false")
			}
			s := startServerData(t, lib, data, args...)
			a := login(t, s, "admin", "correct horse battery")
			var ids []string
			waitFor(t, "the photo indexed", 20*time.Second, func() bool { ids = a.photos(false); return len(ids) == 1 })
			_, b := a.Send("GET", "/api/v1/photos?limit=5", nil)
			var list photoList
			json.Unmarshal(b, &list)
			id := list.Photos[0].ID

			code, b := a.Send("PATCH", fmt.Sprintf("/api/v1/photos/%d", id), map[string]any{
				"title": "Night at the tower", "description": "Summer trip", "keywords": []string{"paris", "tower"},
				"taken_local": "2019-07-14 21:05:30", "taken_offset": 120, "lat": 48.8583701, "lng": 2.2944813,
			})
			if code != 200 {
				t.Fatalf("edit: %d %s", code, b)
			}
			edited := a.detail(id)

			side := filepath.Join(lib, "2019", "Paris", "IMG_1.xmp")
			other := filepath.Join(data, "sidecars", "2019", "Paris", "IMG_1.xmp")
			if !beside {
				side, other = other, side
			}
			waitFor(t, "the sidecar written", 15*time.Second, func() bool {
				b, err := os.ReadFile(side)
				return err == nil && bytes.Contains(b, []byte("Night at the tower"))
			})
			got := exiftoolTags(t, side)
			for k, w := range map[string]any{
				"XMP-dc:Title": "Night at the tower", "XMP-dc:Description": "Summer trip", "XMP-dc:Subject": []any{"paris", "tower"},
				"XMP-exif:DateTimeOriginal": "2019:07:14 21:05:30+02:00", "XMP-photoshop:DateCreated": "2019:07:14 21:05:30+02:00",
				"XMP-exif:GPSLatitude": 48.8583701, "XMP-exif:GPSLongitude": 2.2944813,
			} {
				if wf, ok := w.(float64); ok {
					if gf, _ := got[k].(float64); math.Abs(gf-wf) > 1e-7 {
						t.Errorf("%s = %v, want %v", k, got[k], w)
					}
				} else if !reflect.DeepEqual(got[k], w) {
					t.Errorf("%s = %#v, want %#v", k, got[k], w)
				}
			}
			if tool, _ := got["XMP-xmp:CreatorTool"].(string); !strings.HasPrefix(tool, "Pinhole ") {
				t.Errorf("CreatorTool %q", tool)
			}
			if _, err := os.Stat(other); err == nil {
				t.Errorf("a sidecar was also written to %s", other)
			}
			if sha1File(t, orig) != hash {
				t.Fatal("the original photo was modified")
			}
			if beside {
				// The watcher indexes the new sidecar into the stack;
				// the photo stays as the user left it.
				waitFor(t, "the sidecar indexed", 15*time.Second, func() bool { return len(a.detail(id).Files) == 2 })
				a.Send("POST", "/api/v1/index/rescan", nil)
				time.Sleep(time.Second)
			}
			after := a.detail(id)
			if !reflect.DeepEqual(after.Photo, edited.Photo) || !reflect.DeepEqual(after.Edited, edited.Edited) {
				t.Fatalf("indexing Pinhole's sidecar changed the photo:\n%v\n%v", edited.Photo, after.Photo)
			}
		})
	}
}

// `pinhole sidecars export` writes every edited photo's sidecar with a
// summary; killed at random moments it never leaves a partial sidecar, and
// a run after the kills completes the set.
func TestSidecarsExportSurvivesKills(t *testing.T) {
	ctx := context.Background()
	lib := filepath.Join(t.TempDir(), "lib")
	data := t.TempDir()
	n := 400
	if testing.Short() {
		n = 120
	}
	for i := 0; i < n; i++ {
		p := filepath.Join(lib, fmt.Sprintf("f%02d", i%20), fmt.Sprintf("IMG_%04d.jpg", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		// A trailer keeps every file's content (and so its photo) apart.
		if err := os.WriteFile(p, append(testkit.JPEG(testkit.Photo{Seed: uint64(i), W: 8, H: 8}), fmt.Sprintf("photo-%d", i)...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(t, true, "index", "--originals", lib, "--data", data)
	d, err := db.Open(ctx, filepath.Join(data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("A long description, so a sidecar takes a while to write. ", 40)
	for id := int64(1); id <= int64(n); id++ {
		title := fmt.Sprintf("Photo %d", id)
		if err := d.EditPhoto(ctx, id, db.PhotoEdit{Title: &title, Description: &long, Keywords: &[]string{"k1", "k2"}}); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()

	start := time.Now()
	out := run(t, true, "sidecars", "export", "--originals", lib, "--data", data)
	full := time.Since(start)
	if !strings.Contains(out, fmt.Sprintf("sidecars of %d edited photos: 0 beside the originals, %d in ", n, n)) {
		t.Fatalf("summary: %s", out)
	}
	dir := filepath.Join(data, "sidecars")
	checkSidecars(t, dir, n)

	rng := rand.New(rand.NewSource(3))
	killed := 0
	for i := 0; i < 12 && killed < 5; i++ {
		cmd := exec.Command(binary, "sidecars", "export", "--originals", lib, "--data", data, "--log-level", "error")
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int63n(int64(full))))
		cmd.Process.Signal(syscall.SIGKILL)
		if err := cmd.Wait(); err == nil {
			continue // finished first
		} else if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("export failed on its own: %v\n%s", err, log.String())
		}
		killed++
		// Every sidecar is whole after the kill: exiftool and the XML
		// parser read each; at most a hidden temporary file is left.
		checkSidecars(t, dir, n)
	}
	t.Logf("%d kills of an export of %d sidecars taking %s", killed, n, full.Round(time.Millisecond))
	run(t, true, "sidecars", "export", "--originals", lib, "--data", data)
	checkSidecars(t, dir, n)
	var temps []string
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && !strings.HasSuffix(p, ".xmp") {
			temps = append(temps, p)
		}
		return nil
	})
	if len(temps) != 0 {
		t.Fatalf("files other than sidecars left after a complete export: %v", temps)
	}
}

// checkSidecars asserts every .xmp under dir is complete, and that there
// are n of them.
func checkSidecars(t *testing.T, dir string, n int) {
	t.Helper()
	var files []string
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".xmp") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != n {
		t.Fatalf("%d sidecars, want %d", len(files), n)
	}
	// exiftool on all of them at once: a cut file has no title or fails.
	bin, err := exec.LookPath("exiftool")
	if err != nil {
		t.Fatal("exiftool is needed")
	}
	out, err := exec.Command(bin, append([]string{"-j", "-XMP-dc:Title", "-XMP-pinhole:all"}, files...)...).Output()
	if err != nil {
		t.Fatalf("exiftool: %v", err)
	}
	var tags []map[string]any
	if err := json.Unmarshal(out, &tags); err != nil {
		t.Fatal(err)
	}
	for _, tg := range tags {
		if title, _ := tg["Title"].(string); !strings.HasPrefix(title, "Photo ") {
			t.Fatalf("%v: a sidecar without its title (cut?)", tg["SourceFile"])
		}
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if !bytes.HasSuffix(bytes.TrimSpace(b), []byte(`<?xpacket end="w"?>`)) {
			t.Fatalf("%s is cut short", f)
		}
	}
}
