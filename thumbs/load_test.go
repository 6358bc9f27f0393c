package thumbs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"pinhole/app/testkit"
)

const loadFiles = 200

// 200 concurrent requests for uncached thumbnails of different 24 MP photos
// with a 64 MB decode budget all succeed within 160 MB peak RSS, and 100
// concurrent requests for one uncached thumbnail cause a single render. It
// runs in a fresh process so the peak (VmHWM) is this workload's alone.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	// Four distinct photos, linked under 200 names: the cache is keyed by
	// content hash, so each name with its own hash needs its own decode.
	var originals []string
	for i := 0; i < 4; i++ {
		originals = append(originals, testkit.JPEGFile(t, testkit.Photo{W: 6000, H: 4000, Seed: uint64(21 + i)}))
	}
	for i := 0; i < loadFiles; i++ {
		if err := os.Link(originals[i%len(originals)], filepath.Join(dir, fmt.Sprintf("photo%03d.jpg", i))); err != nil {
			t.Fatal(err)
		}
	}
	cmd := selfCommand(t, "-test.run=^$")
	cmd.Env = append(os.Environ(), "PINHOLE_THUMBS_CHILD=load", "PINHOLE_THUMBS_LOAD_DIR="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("load child: %v\n%s", err, stderr.String())
	}
	res := map[string]int64{}
	for _, f := range strings.Fields(string(out)) {
		k, v, ok := strings.Cut(f, "=")
		if ok {
			res[k], _ = strconv.ParseInt(v, 10, 64)
		}
	}
	t.Logf("child: %s", bytes.TrimSpace(out))
	if res["ok"] != loadFiles {
		t.Errorf("%d of %d distinct requests succeeded", res["ok"], loadFiles)
	}
	if res["renders"] != loadFiles {
		t.Errorf("%d renders for %d distinct thumbnails", res["renders"], loadFiles)
	}
	if hwm := res["hwm_kb"]; hwm == 0 || hwm > 160*1024 {
		t.Errorf("peak RSS %d MB, want ≤ 160 MB", hwm/1024)
	}
	if res["same_ok"] != 100 || res["same_renders"] != 1 {
		t.Errorf("100 identical requests: %d succeeded with %d renders, want 100 and 1", res["same_ok"], res["same_renders"])
	}
}

// loadChild is the measured process of TestLoad.
func loadChild() {
	dir := os.Getenv("PINHOLE_THUMBS_LOAD_DIR")
	cache, err := os.MkdirTemp("", "pinhole-load-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(cache)
	s, err := New(Config{CacheDir: cache, DecodeBudgetBytes: 64 << 20, HEIFConvert: "off", FFmpeg: "off"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer s.Close()
	<-s.ready
	fit, _ := ParseSize("fit_720")
	tile, _ := ParseSize("tile_224")
	run := func(n int, src func(i int) (Source, Size)) int {
		var ok sync.WaitGroup
		var mu sync.Mutex
		good := 0
		for i := 0; i < n; i++ {
			ok.Add(1)
			go func(i int) {
				defer ok.Done()
				s1, sz := src(i)
				r, err := s.Get(context.Background(), s1, sz)
				if err != nil || r.Path == "" {
					fmt.Fprintln(os.Stderr, "get:", err)
					return
				}
				mu.Lock()
				good++
				mu.Unlock()
			}(i)
		}
		ok.Wait()
		return good
	}
	good := run(loadFiles, func(i int) (Source, Size) {
		sz := fit
		if i%2 == 1 {
			sz = tile
		}
		return Source{Path: filepath.Join(dir, fmt.Sprintf("photo%03d.jpg", i)), Hash: hashOf(fmt.Sprint("load", i))}, sz
	})
	renders := s.Stats().Renders
	same := run(100, func(int) (Source, Size) {
		return Source{Path: filepath.Join(dir, "photo000.jpg"), Hash: hashOf("same")}, fit
	})
	fmt.Printf("ok=%d renders=%d same_ok=%d same_renders=%d hwm_kb=%d\n",
		good, renders, same, s.Stats().Renders-renders, peakRSSKB())
}

// peakRSSKB reads the process's peak resident set size from /proc.
func peakRSSKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
