package transcode

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBenchTranscode measures a conversion as a Pi owner would feel it: a
// 1080p, 10 s, 30 fps iPhone-like HEVC clip with stereo AAC, converted
// with the service's defaults (the encoder it chooses, its threads, nice
// 10). It prints the speed as a multiple of real time and ffmpeg's peak
// memory. Run by scripts/bench-transcode.sh (PINHOLE_BENCH_TRANSCODE=1).
func TestBenchTranscode(t *testing.T) {
	if os.Getenv("PINHOLE_BENCH_TRANSCODE") == "" {
		t.Skip("a benchmark: scripts/bench-transcode.sh runs it")
	}
	ff := testFFmpeg(t)
	src := filepath.Join(t.TempDir(), "IMG_1080.MOV")
	make := exec.Command(ff, "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "10", "-ac", "2",
		"-pix_fmt", "yuv420p", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
		"-b:v", "12M", "-tag:v", "hvc1", "-c:a", "aac", "-f", "mov", src)
	if out, err := make.CombinedOutput(); err != nil {
		t.Fatalf("make the clip: %v: %s", err, out)
	}
	s := newService(t, func(c *Config) { c.Threads = 0 })
	start := time.Now()
	st, err := s.Open(context.Background(), source(t, src))
	if err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	b := readAll(t, st)
	r := s.LastRun()
	v, a, w, h, _ := probeOut(t, b)
	fmt.Printf("bench-transcode: 1080p 10 s HEVC → %s/%s %dx%d with %s, %d threads: %.2f s (%.2f× real time), first bytes after %.2f s, ffmpeg peak RSS %d MB, memory limit %d MB, output %.1f Mbit/s\n",
		v, a, w, h, r.Encoder, s.threads, r.Wall.Seconds(), r.Speed(), first.Seconds(), r.PeakRSS>>20,
		s.addressSpace(Source{Width: 1920, Height: 1080})>>20, float64(r.Bytes)*8/1e6/10)
}
