package meta

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
)

// corruptSeeds are corpus files of the container formats with the most
// parsing code; their damaged copies must be read without panics or hangs.
var corruptSeeds = []string{
	"exif-py/jpg/tests/87_OSError.jpg",
	"photoprism/assets/examples/iphone_7.heic",
	"exiftool-t/QuickTime.heic",
	"exif-py/avif/mountains.avif",
	"exiftool-t/PNG.png",
	"photoprism/internal/photoprism/testdata/norway-kjetil-moe.webp",
	"exiftool-t/CanonRaw.cr3",
	"exiftool-t/Nikon.nef",
	"exiftool-t/FujiFilm.raf",
	"exiftool-t/CanonRaw.crw",
	"exiftool-t/SigmaDP2.x3f",
	"exiftool-t/Minolta.mrw",
	"exiftool-t/Matroska.mkv",
	"exiftool-t/RIFF.avi",
	"photoprism/pkg/media/video/testdata/quicktime-hvc1.mov",
	"exif-py/jxl/test_0001.jxl",
}

// TestCorruptFiles feeds truncated and bit-flipped copies of corpus files
// to Read. Each must come back quickly with an Info or an error; a parser
// panic (recovered into an error) fails the test, since it is a bug here.
func TestCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(1))
	for _, rel := range corruptSeeds {
		orig, err := os.ReadFile(corpus.Path(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		ext := filepath.Ext(rel)
		var variants [][]byte
		for _, n := range []int{0, 1, 2, 7, 8, 12, 16, 31, 100, 1000, len(orig) / 2, len(orig) - 1} {
			if n <= len(orig) {
				variants = append(variants, orig[:n])
			}
		}
		for i := 0; i < 60; i++ {
			b := bytes.Clone(orig)
			// Most flips land in the first 4 KB, where the structure is.
			span := min(len(b), 4096)
			if i%4 == 3 {
				span = len(b)
			}
			for k := 0; k <= i%5; k++ {
				p := rng.Intn(span)
				b[p] ^= byte(1 << rng.Intn(8))
			}
			variants = append(variants, b)
		}
		for i, b := range variants {
			path := filepath.Join(dir, "v"+ext)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			info, err := readWithDeadline(path, 2*time.Second)
			if info == nil && err == nil {
				t.Errorf("%s variant %d: nil info and nil error", rel, i)
			}
			if err != nil && strings.Contains(err.Error(), "panic") {
				t.Errorf("%s variant %d: %v", rel, i, err)
			}
			if err != nil && strings.Contains(err.Error(), "took longer") {
				t.Fatalf("%s variant %d: %v", rel, i, err)
			}
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("%s variant %d: took %v", rel, i, d)
			}
		}
	}
}

// TestBrokenCorpusFiles reads the corpus files that are broken on purpose
// (goexif's corrupt samples); they must not stop a scan, nor make a reader
// panic.
func TestBrokenCorpusFiles(t *testing.T) {
	for _, rel := range []string{
		"goexif/exif/corrupt/huge_tag_exif.jpg",
		"goexif/exif/corrupt/infinite_loop_exif.jpg",
		"goexif/exif/corrupt/max_uint32_exif.jpg",
	} {
		info, err := readWithDeadline(corpus.Path(t, rel), 2*time.Second)
		if info == nil {
			t.Fatalf("%s: no info (err %v)", rel, err)
		}
		if errors.Is(err, ErrParserPanic) {
			t.Errorf("%s: a reader panicked (recovered, but a bug): %v", rel, err)
		}
		if info.MIME != "image/jpeg" || info.TakenSource == "" {
			t.Errorf("%s: MIME %q, taken source %q; want a listed JPEG with a fallback time", rel, info.MIME, info.TakenSource)
		}
	}
}

// readWithDeadline runs Read and fails loudly if a file makes it hang.
func readWithDeadline(path string, d time.Duration) (*Info, error) {
	type result struct {
		info *Info
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		i, err := Read(path)
		ch <- result{i, err}
	}()
	select {
	case r := <-ch:
		return r.info, r.err
	case <-time.After(d):
		return nil, fmt.Errorf("read %s: took longer than %v", path, d)
	}
}
