package app_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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
	for _, size := range []string{"fit_720", "tile_224"} {
		out := t.TempDir()
		cmd := exec.Command(binary, append([]string{"thumb", "--size", size, "--out", out}, files...)...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		start := time.Now()
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("pinhole thumb --size %s: %v\n%s", size, err, b)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		t.Logf("%s: peak RSS %.1f MB, %v CPU, %v wall for %d files of 24 MP", size, float64(ru.Maxrss)/1024, cpu.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), len(files))
		if ru.Maxrss > 64*1024 {
			t.Errorf("%s: peak RSS %.1f MB, want ≤ 64 MB", size, float64(ru.Maxrss)/1024)
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
