package thumbs

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
)

// mutateSources are small corpus files of every kind Render reads itself
// (no helper programs): JPEG, PNG, WebP, TIFF and TIFF-, ISOBMFF- and
// RAF-based RAWs, and a HEIC (JPEG-item search only).
var mutateSources = []string{
	"exiftool-t/Nikon.jpg",
	"exiftool-t/Apple.jpg",
	"exiftool-t/Canon1DmkIII.jpg",
	"photoprism/internal/photoprism/testdata/rotate/6.png",
	"photoprism/internal/photoprism/testdata/norway-kjetil-moe.webp",
	"exif-py/tiff/Arbitro.tiff",
	"exiftool-t/Nikon.nef",
	"exiftool-t/Panasonic.rw2",
	"exiftool-t/DNG.dng",
	"exiftool-t/FujiFilm.raf",
	"exiftool-t/CanonRaw.cr3",
	"exiftool-t/PhaseOne.iiq",
	"exiftool-t/QuickTime.heic",
	"photoprism/assets/examples/canon_eos_6d.dng",
}

// mutate returns a damaged copy of b: the kinds of damage SD cards, broken
// transfers and hostile files produce.
func mutate(b []byte, r *rand.Rand) ([]byte, string) {
	out := bytes.Clone(b)
	switch r.IntN(5) {
	case 0:
		return out[:r.IntN(len(out))], "truncated"
	case 1:
		n := 1 + r.IntN(16)
		for range n {
			i := r.IntN(len(out))
			out[i] ^= 1 << r.IntN(8)
		}
		return out, "bit-flipped"
	case 2:
		at := r.IntN(len(out))
		n := min(len(out)-at, 1+r.IntN(4096))
		clear(out[at : at+n])
		return out, "zero-filled"
	case 3:
		// Huge declared sizes and offsets: overwrite a few 32-bit words in
		// the first kilobytes, where headers, IFDs and boxes live.
		for range 1 + r.IntN(4) {
			if len(out) < 4 {
				break
			}
			at := r.IntN(min(len(out)-3, 4096))
			binary.BigEndian.PutUint32(out[at:], []uint32{0xFFFFFFFF, 0x7FFFFFFF, 0, 8, uint32(len(out))}[r.IntN(5)])
		}
		return out, "huge-sizes"
	default:
		// A chunk of the file repeated in place: cyclic offsets and
		// duplicated segments.
		at := r.IntN(len(out))
		n := min(len(out)-at, 1+r.IntN(1024))
		dst := r.IntN(len(out))
		copy(out[dst:], out[at:at+n])
		return out, "spliced"
	}
}

// Render over a few hundred damaged files never panics and never hangs:
// each gives a decodable JPEG or an error with a reason for the
// placeholder, within a time limit.
func TestRenderMutatedCorpus(t *testing.T) {
	const perSource = 22 // 14 sources: 308 files
	const limit = 20 * time.Second
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(8, 2024))
	size := mustSize(t, "fit_720")
	kinds := map[string]int{}
	rendered, refused := 0, 0
	var slowest time.Duration
	for _, rel := range mutateSources {
		orig, err := os.ReadFile(corpus.Path(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		for i := range perSource {
			data, kind := mutate(orig, r)
			kinds[kind]++
			p := filepath.Join(dir, fmt.Sprintf("%s-%02d-%s%s", strings.TrimSuffix(filepath.Base(rel), filepath.Ext(rel)), i, kind, filepath.Ext(rel)))
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			type result struct {
				jpg []byte
				err error
			}
			done := make(chan result, 1)
			start := time.Now()
			go func() {
				b, err := Render(context.Background(), p, size, Options{})
				done <- result{b, err}
			}()
			var res result
			select {
			case res = <-done:
			case <-time.After(limit):
				t.Fatalf("%s: no answer within %v", filepath.Base(p), limit)
			}
			slowest = max(slowest, time.Since(start))
			if res.err != nil {
				refused++
				if strings.Contains(res.err.Error(), "panic") {
					t.Errorf("%s: %v", filepath.Base(p), res.err)
				}
				if !errors.Is(res.err, ErrBroken) && !errors.Is(res.err, ErrUnsupported) && !errors.Is(res.err, ErrTooLarge) || Reason(res.err) == "" {
					t.Errorf("%s: error without a kind or reason: %v", filepath.Base(p), res.err)
				}
				continue
			}
			rendered++
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(res.jpg))
			if err != nil || cfg.Width == 0 || cfg.Width > 720 || cfg.Height > 720 {
				t.Errorf("%s: output %dx%d, %v", filepath.Base(p), cfg.Width, cfg.Height, err)
			}
		}
	}
	t.Logf("%d mutated files (%v): %d rendered, %d refused with a reason; slowest %v",
		rendered+refused, kinds, rendered, refused, slowest.Round(time.Millisecond))
	// Damage that leaves the picture readable renders, and damage that
	// does not is refused: both must have happened for the test to mean
	// anything.
	if rendered < 20 || refused < 20 {
		t.Fatalf("only %d rendered and %d refused", rendered, refused)
	}
}
