package app_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pinhole/app/testkit"
)

// `pinhole thumb` over a batch of 24 MP JPEGs, progressive ones (libjpeg
// would hold 72 MB of coefficients for each) among baseline ones, stays
// within 64 MB of peak RSS for the sizes the grid and the viewer ask for,
// and writes every thumbnail.
func TestThumbCommandMemory(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, p := range []string{
		testkit.ProgressiveFile(t, testkit.Photo{W: 6000, H: 4000, Seed: 21}),
		testkit.JPEGFile(t, testkit.Photo{W: 6000, H: 4000, Seed: 22}),
		testkit.ProgressiveFile(t, testkit.Photo{W: 6000, H: 4000, Seed: 23}),
	} {
		f := filepath.Join(dir, fmt.Sprintf("photo%d.jpg", i))
		if err := os.Symlink(p, f); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// GNU time reports the command's own peak: the kernel counts, in the
	// peak of a child this test process starts itself, the memory the
	// test process had when the child was created (Go starts children
	// with vfork), which after the other tests is far above 64 MB.
	gnuTime, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		t.Fatal("GNU time is not installed: scripts/deps.sh test (apt-get install time)")
	}
	for _, size := range []string{"fit_720", "tile_224"} {
		out := t.TempDir()
		report := filepath.Join(t.TempDir(), "time")
		cmd := exec.Command(gnuTime, append([]string{"-o", report, "-f", "%M %U %S %e", binary, "thumb", "--size", size, "--out", out}, files...)...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("pinhole thumb --size %s: %v\n%s", size, err, b)
		}
		r, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		var rssKB int64
		var user, sys, wall float64
		if _, err := fmt.Sscan(string(r), &rssKB, &user, &sys, &wall); err != nil || rssKB == 0 {
			t.Fatalf("GNU time reported %q: %v", r, err)
		}
		t.Logf("%s: peak RSS %.1f MB, %.2fs CPU, %.2fs wall for %d files of 24 MP", size, float64(rssKB)/1024, user+sys, wall, len(files))
		if rssKB > 64*1024 {
			t.Errorf("%s: peak RSS %.1f MB, want ≤ 64 MB", size, float64(rssKB)/1024)
		}
		for i := range files {
			p := filepath.Join(out, fmt.Sprintf("photo%d_%s.jpg", i, size))
			if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
				t.Errorf("no thumbnail %s (%v); output:\n%s", p, err, b)
			} else if !strings.Contains(string(b), p) {
				t.Errorf("the command did not print %s:\n%s", p, b)
			}
		}
	}
}
