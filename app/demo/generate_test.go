package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/jpeg"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rwcarlsen/goexif/exif"

	"pinhole/app/demo"
)

// small is a library that takes a fraction of a second to write.
var small = demo.Options{Count: 24, MinMP: 0.04, MaxMP: 0.08, Seed: 7, Workers: 2}

// listFiles maps every file under dir, marker included, to its contents.
func listFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGenerateWritesTheLibrary(t *testing.T) {
	dir := t.TempDir()
	var calls [][2]int
	if err := demo.Generate(context.Background(), dir, small, func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}); err != nil {
		t.Fatal(err)
	}
	if len(calls) != small.Count || calls[len(calls)-1] != [2]int{small.Count, small.Count} {
		t.Errorf("progress calls %v, want 1..%d of %d", calls, small.Count, small.Count)
	}

	plan := demo.Plan(small)
	files := listFiles(t, dir)
	if len(files) != len(plan)+1 {
		t.Errorf("%d files in the folder, want %d photos and the marker", len(files), len(plan))
	}
	if _, ok := files[demo.MarkerName]; !ok {
		t.Errorf("no %s marker", demo.MarkerName)
	}
	for _, p := range plan {
		t.Run(p.Path, func(t *testing.T) {
			b, ok := files[p.Path]
			if !ok {
				t.Fatal("missing")
			}
			img, err := jpeg.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("not a JPEG: %v", err)
			}
			if sz := img.Bounds().Size(); sz.X != p.Exif.Width || sz.Y != p.Exif.Height {
				t.Errorf("pixels %v, EXIF says %dx%d", sz, p.Exif.Width, p.Exif.Height)
			}
			mp := float64(p.Exif.Width*p.Exif.Height) / 1e6
			// Sides are rounded to 16 pixels, which moves tiny pictures a lot.
			if mp < small.MinMP*0.7 || mp > small.MaxMP*1.3 {
				t.Errorf("%.3f MP, want %g–%g", mp, small.MinMP, small.MaxMP)
			}
			checkGoexif(t, b, &p.Exif)

			fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p.Path)))
			if err != nil {
				t.Fatal(err)
			}
			if !fi.ModTime().Equal(p.Exif.Taken) {
				t.Errorf("mtime %v, want the taken time %v", fi.ModTime(), p.Exif.Taken)
			}
		})
	}
	checkLibraryWithExiftool(t, dir, plan)
}

// checkLibraryWithExiftool reads the whole folder in one exiftool run and
// asks it to validate every file.
func checkLibraryWithExiftool(t *testing.T, dir string, plan []demo.Photo) {
	t.Helper()
	bin := exiftool(t)
	out, err := exec.Command(bin, "-json", "-n", "-G", "-r", "-validate", "-warning",
		"-EXIF:Make", "-EXIF:DateTimeOriginal", "-EXIF:Orientation", "-XMP:Title",
		"-Composite:GPSLatitude", "-Composite:GPSLongitude", "-ext", "jpg", dir).Output()
	if err != nil {
		t.Fatalf("exiftool: %v", err)
	}
	var res []map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	byPath := map[string]map[string]any{}
	for _, r := range res {
		rel, _ := filepath.Rel(dir, r["SourceFile"].(string))
		byPath[filepath.ToSlash(rel)] = r
	}
	for _, p := range plan {
		r := byPath[p.Path]
		if r == nil {
			t.Errorf("%s: exiftool did not read it", p.Path)
			continue
		}
		if v := r["ExifTool:Validate"]; v != "0 0 0" {
			t.Errorf("%s: exiftool -validate: %v %v", p.Path, v, r["ExifTool:Warning"])
		}
		if r["EXIF:Make"] != p.Exif.Make || r["EXIF:DateTimeOriginal"] != p.Exif.Taken.Format("2006:01:02 15:04:05") ||
			r["EXIF:Orientation"] != float64(p.Exif.Orientation) {
			t.Errorf("%s: exiftool read %v", p.Path, r)
		}
		if p.Exif.GPS != nil {
			lat, _ := r["Composite:GPSLatitude"].(float64)
			lng, _ := r["Composite:GPSLongitude"].(float64)
			if math.Abs(lat-p.Exif.GPS.Lat) > 1e-6 || math.Abs(lng-p.Exif.GPS.Lng) > 1e-6 {
				t.Errorf("%s: exiftool demo.GPS %v,%v, want %v,%v", p.Path, lat, lng, p.Exif.GPS.Lat, p.Exif.GPS.Lng)
			}
		}
		if p.XMP != nil && r["XMP:Title"] != p.XMP.Title {
			t.Errorf("%s: exiftool XMP:Title %v, want %q", p.Path, r["XMP:Title"], p.XMP.Title)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	one, three := small, small
	one.Workers, three.Workers = 1, 3
	other := small
	other.Seed++
	for dir, opt := range map[string]demo.Options{a: one, b: three, c: other} {
		if err := demo.Generate(context.Background(), dir, opt, nil); err != nil {
			t.Fatal(err)
		}
	}
	fa, fb, fc := listFiles(t, a), listFiles(t, b), listFiles(t, c)
	if len(fa) != len(fb) {
		t.Fatalf("%d files with 1 worker, %d with 3", len(fa), len(fb))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between runs with the same seed", name)
		}
	}
	same := 0
	for name, data := range fa {
		if bytes.Equal(data, fc[name]) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d files are identical with another seed", same)
	}
}

func TestGenerateSkipsAFinishedLibrary(t *testing.T) {
	dir := t.TempDir()
	if err := demo.Generate(context.Background(), dir, small, nil); err != nil {
		t.Fatal(err)
	}
	plan := demo.Plan(small)
	// Scribble over one photo, same size: a second call must not touch it.
	first := filepath.Join(dir, filepath.FromSlash(plan[0].Path))
	orig, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	scribbled := bytes.Repeat([]byte{'x'}, len(orig))
	if err := os.WriteFile(first, scribbled, 0o644); err != nil {
		t.Fatal(err)
	}
	var calls [][2]int
	start := time.Now()
	if err := demo.Generate(context.Background(), dir, small, func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("second call took %v", time.Since(start))
	if b, _ := os.ReadFile(first); !bytes.Equal(b, scribbled) {
		t.Error("second call rewrote a file of a finished library")
	}
	if len(calls) != 1 || calls[0] != [2]int{len(plan), len(plan)} {
		t.Errorf("progress calls %v, want one saying all done", calls)
	}

	// A missing file makes the set incomplete; the next call restores it.
	last := filepath.Join(dir, filepath.FromSlash(plan[len(plan)-1].Path))
	want, _ := os.ReadFile(last)
	if err := os.Remove(last); err != nil {
		t.Fatal(err)
	}
	if err := demo.Generate(context.Background(), dir, small, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(last); err != nil || !bytes.Equal(got, want) {
		t.Errorf("deleted file not restored as it was: %v", err)
	}

	// Other options are another library: it is written, not skipped.
	bigger := small
	bigger.Count++
	n := 0
	if err := demo.Generate(context.Background(), dir, bigger, func(int, int) { n++ }); err != nil {
		t.Fatal(err)
	}
	if n != bigger.Count {
		t.Errorf("library with other options: %d progress calls, want %d", n, bigger.Count)
	}
}

func TestGenerateStopsCleanlyWhenCancelled(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := small
	opt.Count = 60
	stoppedAt := 0
	err := demo.Generate(ctx, dir, opt, func(done, total int) {
		if done == 5 {
			cancel()
			stoppedAt = done
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate returned %v, want context.Canceled", err)
	}
	files := listFiles(t, dir)
	if _, ok := files[demo.MarkerName]; ok {
		t.Error("a cancelled run wrote the finished marker")
	}
	photos := 0
	for name, b := range files {
		if strings.HasSuffix(name, ".tmp") {
			t.Errorf("temporary file %s left behind", name)
			continue
		}
		if name == demo.PartialName {
			continue
		}
		photos++
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s is not a whole JPEG: %v", name, err)
		}
		if _, err := exif.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s has no EXIF: %v", name, err)
		}
	}
	if photos < stoppedAt || photos >= opt.Count {
		t.Errorf("%d photos written after cancelling at %d of %d", photos, stoppedAt, opt.Count)
	}

	// Resuming finishes the set, reusing what was there, and the result is
	// the same library a single run writes.
	before := map[string]os.FileInfo{}
	for name := range files {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		before[name] = fi
	}
	if err := demo.Generate(context.Background(), dir, opt, nil); err != nil {
		t.Fatal(err)
	}
	for name, fi := range before {
		if after, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err == nil && name != demo.PartialName && !os.SameFile(fi, after) {
			t.Errorf("%s was written again instead of kept", name)
		}
	}
	fresh := t.TempDir()
	if err := demo.Generate(context.Background(), fresh, opt, nil); err != nil {
		t.Fatal(err)
	}
	got, want := listFiles(t, dir), listFiles(t, fresh)
	if len(got) != len(want) {
		t.Errorf("resumed library has %d files, a fresh one %d", len(got), len(want))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s differs between a resumed and a fresh run", name)
		}
	}
}

func TestGenerateRejectsBadOptions(t *testing.T) {
	for name, opt := range map[string]demo.Options{
		"no photos":      {Count: 0, MinMP: 1, MaxMP: 2},
		"no pixels":      {Count: 1, MinMP: 0, MaxMP: 2},
		"inverted range": {Count: 1, MinMP: 3, MaxMP: 2},
		"quality 101":    {Count: 1, MinMP: 1, MaxMP: 2, Quality: 101},
	} {
		dir := filepath.Join(t.TempDir(), "lib")
		if err := demo.Generate(context.Background(), dir, opt, nil); err == nil {
			t.Errorf("%s: demo.Generate accepted it", name)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s: folder created for invalid options", name)
		}
	}
}

// TestPhotosCompressLikePhotos checks the point of the noise: benchmark
// libraries must weigh what real photos weigh at the same quality.
func TestPhotosCompressLikePhotos(t *testing.T) {
	opt := demo.Options{Count: 12, MinMP: 0.5, MaxMP: 0.5, Seed: 3}
	dir := t.TempDir()
	if err := demo.Generate(context.Background(), dir, opt, nil); err != nil {
		t.Fatal(err)
	}
	var bytesTotal, pixels float64
	for _, p := range demo.Plan(opt) {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p.Path)))
		if err != nil {
			t.Fatal(err)
		}
		bpp := float64(fi.Size()) / float64(p.Exif.Width*p.Exif.Height)
		if bpp < 0.12 || bpp > 0.8 {
			t.Errorf("%s: %.2f bytes per pixel", p.Path, bpp)
		}
		bytesTotal += float64(fi.Size())
		pixels += float64(p.Exif.Width * p.Exif.Height)
	}
	avg := bytesTotal / pixels
	t.Logf("%.3f bytes per pixel at quality 90", avg)
	if avg < 0.2 || avg > 0.6 {
		t.Errorf("average %.2f bytes per pixel, want a real photo's 0.2–0.6", avg)
	}
}
