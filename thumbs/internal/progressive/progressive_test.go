package progressive_test

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
	"pinhole/thumbs/internal/progressive"
	"pinhole/thumbs/internal/turbo"
)

// Scan scripts beside cjpeg's default one (-progressive): spectral
// selection only, successive approximation on every band and on DC twice,
// and mozjpeg-like narrow low bands with separate DC scans.
var scripts = map[string]string{
	"spectral only": "0,1,2: 0 0 0 0;\n0: 1 5 0 0;\n0: 6 63 0 0;\n1: 1 63 0 0;\n2: 1 63 0 0;\n",
	"refine all":    "0,1,2: 0 0 0 2;\n0: 1 63 0 2;\n1: 1 63 0 1;\n2: 1 63 0 1;\n0,1,2: 0 0 2 1;\n0: 1 63 2 1;\n0,1,2: 0 0 1 0;\n0: 1 63 1 0;\n1: 1 63 1 0;\n2: 1 63 1 0;\n",
	"narrow bands":  "0: 0 0 0 0;\n1: 0 0 0 0;\n2: 0 0 0 0;\n0: 1 2 0 1;\n0: 3 9 0 1;\n0: 10 63 0 1;\n0: 1 63 1 0;\n1: 1 8 0 0;\n1: 9 63 0 0;\n2: 1 8 0 0;\n2: 9 63 0 0;\n",
	// At 3/8 no coefficient of band 13–63 is kept, yet its scan must be
	// decoded: the refinement of 1–63 reads a bit for each of them that
	// is non-zero.
	"refinement over unkept bands": "0,1,2: 0 0 0 0;\n0: 1 12 0 1;\n0: 13 63 0 1;\n1: 1 63 0 0;\n2: 1 63 0 0;\n0: 1 63 1 0;\n",
}

type file struct {
	name string
	data []byte
	// replicated: chroma twice coarser than luma both ways (4:2:0), whose
	// samples libjpeg scales up in its IDCT and this package, at 3/8 and
	// 4/8, replicates.
	replicated bool
}

// files are progressive JPEGs of every layout the decoder must handle:
// libjpeg's own in each chroma sampling, scan scripts, restart intervals,
// and the corpus's, which Photoshop, phones and web services wrote.
func files(t *testing.T) []file {
	pic := testkit.Photo{W: 333, H: 250, Seed: 5}
	var out []file
	for _, s := range []struct{ name, sample string }{{"4:2:0", "2x2"}, {"4:4:4", "1x1"}, {"4:2:2", "2x1"}, {"4:4:0", "1x2"}, {"4:1:1", "4x1"}} {
		out = append(out, file{"default script " + s.name, testkit.CJPEG(t, pic, "", "-progressive", "-sample", s.sample), s.sample == "2x2"})
	}
	// Without chroma subsampling, where the checks below are exact.
	for name, sc := range scripts {
		out = append(out, file{name, testkit.CJPEG(t, pic, sc, "-sample", "1x1"), false})
	}
	out = append(out,
		file{"grey", testkit.CJPEG(t, testkit.Photo{W: 333, H: 250, Seed: 5, Gray: true}, "", "-progressive"), false},
		file{"restart every block row", testkit.CJPEG(t, pic, "", "-progressive", "-sample", "1x1", "-restart", "1"), false},
		file{"restart every 5 blocks", testkit.CJPEG(t, pic, "", "-progressive", "-sample", "1x1", "-restart", "5B"), false},
		file{"restart every 3 blocks, 4:2:0", testkit.CJPEG(t, pic, "", "-progressive", "-restart", "3B"), true},
		file{"optimised tables, quality 75", testkit.CJPEG(t, testkit.Photo{W: 640, H: 480, Seed: 9, Quality: 75}, "", "-progressive", "-optimize"), true},
	)
	err := filepath.WalkDir(corpus.Dir(t), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(strings.ToLower(p), ".jpg") && !strings.HasSuffix(strings.ToLower(p), ".jpeg") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if sof, comps, ok := frame(b); ok && sof == 0xC2 && (comps == 1 || comps == 3) {
			rel, _ := filepath.Rel(corpus.Dir(t), p)
			out = append(out, file{rel, b, sampled420(b)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// frame finds a JPEG's frame header: its marker and component count.
func frame(b []byte) (byte, int, bool) {
	for i := 2; i+9 < len(b); {
		if b[i] != 0xFF {
			return 0, 0, false
		}
		m, n := b[i+1], int(binary.BigEndian.Uint16(b[i+2:]))
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			return m, int(b[i+9]), true
		}
		i += 2 + n
	}
	return 0, 0, false
}

func sampled420(b []byte) bool {
	i := bytes.Index(b, []byte{0xFF, 0xC2})
	return i > 0 && i+12 < len(b) && b[i+11] == 0x22
}

// diff compares same-sized pixels: the mean and largest absolute
// difference of a colour value.
func diff(a, b []byte, bpp int) (mean float64, maxd int) {
	var sum, n int
	for i := range a {
		if bpp == 4 && i%4 == 3 {
			continue
		}
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		sum += d
		maxd = max(maxd, d)
		n++
	}
	return float64(sum) / float64(n), maxd
}

// Every layout decodes to libjpeg's size and to libjpeg's pixels at the
// same scale where both compute the same thing: at 1/8 (every block's
// mean) and at 3/8 (a 3-point inverse DCT of the 3×3 lowest coefficients
// in both), unless 4:2:0 chroma is replicated here. That holds only if
// every scan that touches those coefficients was decoded right, whatever
// the script, the restarts or the encoder. At 2/8 and 4/8 libjpeg's IDCT
// averages the full-size block (it reads coefficients 3, 5 and 7, which
// are not kept here) while this one low-passes it: the pixels differ by a
// few levels, and the thumbnails made from them do not (thumbs'
// TestQualityAgainstFullDecode).
func TestAgainstLibjpeg(t *testing.T) {
	fs := files(t)
	if len(fs) < 25 {
		t.Fatalf("only %d progressive files: the corpus's are missing", len(fs))
	}
	for _, f := range fs {
		hd, err := turbo.ReadHeader(f.data)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		for k := 1; k <= progressive.MaxScale; k++ {
			sw, sh := (hd.Width*k+7)/8, (hd.Height*k+7)/8
			ref, err := turbo.Decode(f.data, sw, sh)
			if err != nil {
				t.Fatalf("%s: libjpeg: %v", f.name, err)
			}
			got, err := progressive.Decode(f.data, k, nil)
			if err != nil {
				ref.Free()
				t.Fatalf("%s at %d/8: %v", f.name, k, err)
			}
			if got.Width != sw || got.Height != sh || got.Gray != hd.Gray {
				ref.Free()
				t.Fatalf("%s at %d/8: %d×%d (grey %v), libjpeg %d×%d (grey %v)", f.name, k, got.Width, got.Height, got.Gray, sw, sh, hd.Gray)
			}
			bpp := 4
			if got.Gray {
				bpp = 1
			}
			mean, maxd := diff(got.Pix, ref.Pix, bpp)
			ref.Free()
			wantMean, wantMax := 8.0, 255
			switch {
			case k == 1 && !f.replicated:
				wantMean, wantMax = 0.01, 1
			case k == 3 && !f.replicated:
				wantMean, wantMax = 0.1, 4
			}
			if mean > wantMean || maxd > wantMax {
				t.Errorf("%s at %d/8 (%d×%d): differs from libjpeg by %.3f on average, %d at most; want ≤ %.2f, ≤ %d",
					f.name, k, sw, sh, mean, maxd, wantMean, wantMax)
			}
		}
	}
}

// scans returns the scans of a JPEG: where each one's header (after its
// length) and its entropy-coded data start and end, and its spectral band.
func scans(t *testing.T, b []byte) (out []struct{ hdr, data, end, ss, se int }) {
	for i := 2; i+4 <= len(b); {
		m, n := b[i+1], int(binary.BigEndian.Uint16(b[i+2:]))
		if m == 0xD9 {
			break
		}
		if m != 0xDA {
			i += 2 + n
			continue
		}
		ns := int(b[i+4])
		ss, se := int(b[i+5+2*ns]), int(b[i+6+2*ns])
		j := i + 2 + n
		for j+1 < len(b) && !(b[j] == 0xFF && b[j+1] != 0 && (b[j+1] < 0xD0 || b[j+1] > 0xD7)) {
			j++
		}
		out = append(out, struct{ hdr, data, end, ss, se int }{i + 4, i + 2 + n, j, ss, se})
		i = j
	}
	if len(out) < 5 {
		t.Fatalf("%d scans", len(out))
	}
	return out
}

// At 1/8 only the DC scans are decoded: AC scans pointed at a Huffman
// table the file never defines are not even looked at, while at 2/8 the
// same file is refused for them.
func TestSmallScalesReadOnlyWhatTheyNeed(t *testing.T) {
	// Without chroma subsampling: 4:2:0 chroma is scaled up in the IDCT
	// even at 1/8, which needs its low AC coefficients.
	orig := testkit.CJPEG(t, testkit.Photo{W: 640, H: 480, Seed: 3}, "", "-progressive", "-sample", "1x1")
	broken := append([]byte(nil), orig...)
	ac := 0
	for _, s := range scans(t, orig) {
		if s.ss == 0 {
			continue
		}
		ac++
		// The scan header's one component: its id, then DC<<4 | AC table.
		broken[s.hdr+2] = broken[s.hdr+2]&0xF0 | 3
	}
	if ac < 5 {
		t.Fatalf("only %d AC scans", ac)
	}
	want, err := progressive.Decode(orig, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := progressive.Decode(broken, 1, nil)
	if err != nil {
		t.Fatalf("at 1/8, the AC scans were read: %v", err)
	}
	if !bytes.Equal(got.Pix, want.Pix) {
		t.Error("at 1/8, the AC scans changed the picture")
	}
	if _, err := progressive.Decode(broken, 2, nil); err == nil {
		t.Error("at 2/8, AC scans using an undefined table were accepted: the test broke nothing")
	}
}

// A file cut short (an interrupted copy) gives its picture as far as it
// goes, at full size, as libjpeg shows it; a file cut inside its header is
// an error.
func TestCutFiles(t *testing.T) {
	full := testkit.CJPEG(t, testkit.Photo{W: 320, H: 240, Seed: 4}, "", "-progressive")
	want, err := progressive.Decode(full, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	ss := scans(t, full)
	last := ss[len(ss)-1]
	// Cut halfway through the last scan (the luma's final refinement):
	// the picture is nearly all there.
	cut := full[:(last.data+last.end)/2]
	got, err := progressive.Decode(cut, 2, nil)
	if err != nil {
		t.Fatalf("cut in the last scan: %v", err)
	}
	if got.Width != want.Width || got.Height != want.Height {
		t.Fatalf("cut file decodes to %d×%d, the whole one to %d×%d", got.Width, got.Height, want.Width, want.Height)
	}
	if mean, _ := diff(got.Pix, want.Pix, 4); mean > 2 {
		t.Errorf("cut in the last scan: %.2f levels from the whole picture on average", mean)
	}
	sof := bytes.Index(full, []byte{0xFF, 0xC2})
	for _, n := range []int{2, 30, sof + 6} {
		if _, err := progressive.Decode(full[:n], 2, nil); err == nil {
			t.Errorf("cut at %d bytes, before the frame header's end: no error", n)
		}
	}
	base := testkit.JPEG(testkit.Photo{W: 64, H: 48})
	if _, err := progressive.Decode(base, 2, nil); err == nil || !strings.Contains(err.Error(), "unsupported") {
		t.Errorf("a baseline JPEG: %v, want unsupported", err)
	}
}

// heapAllocated is the Go heap's allocation counter.
func heapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// A 12 MP progressive photo at 2/8 asks its allocator for what
// WorkingMemory says, under a third of libjpeg's 128 bytes a block, plus
// the pixels; the Go heap carries almost nothing.
func TestMemory(t *testing.T) {
	data, err := os.ReadFile(testkit.CJPEGFile(t, testkit.Photo{W: 4000, H: 3000, Seed: 21}, "", "-progressive"))
	if err != nil {
		t.Fatal(err)
	}
	var asked, live, peak int64
	mem := func(n int) ([]byte, func()) {
		asked += int64(n)
		live += int64(n)
		peak = max(peak, live)
		return make([]byte, n), func() { live -= int64(n) }
	}
	heap := heapAllocated()
	im, err := progressive.Decode(data, 2, mem)
	if err != nil {
		t.Fatal(err)
	}
	onHeap := heapAllocated() - heap - uint64(asked)
	pixels := int64(len(im.Pix))
	im.Free()
	if live != 0 {
		t.Errorf("%d bytes not released", live)
	}
	work := progressive.WorkingMemory(4000, 3000, [][2]int{{2, 2}, {1, 1}, {1, 1}}, 2)
	if asked != work+pixels {
		t.Errorf("asked for %d bytes, WorkingMemory says %d and the pixels take %d", asked, work, pixels)
	}
	blocks := int64(500*375) * 3 / 2
	t.Logf("12 MP at 2/8: %.1f MB working memory (%.1f bytes a block; libjpeg keeps 128), %.1f MB pixels, %d kB on the Go heap",
		float64(work)/1e6, float64(work)/float64(blocks), float64(pixels)/1e6, onHeap>>10)
	if work > blocks*128/3 {
		t.Errorf("working memory %d bytes: more than a third of libjpeg's %d", work, blocks*128)
	}
	if peak > work+pixels {
		t.Errorf("peak %d bytes, more than the working memory and pixels", peak)
	}
	if onHeap > 1<<20 {
		t.Errorf("%d bytes on the Go heap besides what the allocator gave", onHeap)
	}
}

// FuzzDecode: no input makes the decoder panic, hang, or allocate beyond
// what its frame header's size implies.
func FuzzDecode(f *testing.F) {
	pic := testkit.Photo{W: 40, H: 30, Seed: 1}
	f.Add(testkit.CJPEG(f, pic, "", "-progressive"), uint8(2))
	f.Add(testkit.CJPEG(f, pic, "", "-progressive", "-sample", "1x1", "-restart", "1"), uint8(1))
	f.Add(testkit.CJPEG(f, pic, scripts["refine all"], "-sample", "2x2"), uint8(4))
	f.Add(testkit.CJPEG(f, testkit.Photo{W: 40, H: 30, Gray: true}, "", "-progressive"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		k = k%progressive.MaxScale + 1
		// Sizes from the header: the thumbnailer admits a file by them
		// before decoding, so here they only bound the allocation.
		w, h := 0, 0
		if i := bytes.Index(data, []byte{0xFF, 0xC2}); i >= 0 && i+9 <= len(data) {
			h, w = int(binary.BigEndian.Uint16(data[i+5:])), int(binary.BigEndian.Uint16(data[i+7:]))
		}
		if w*h > 1<<20 {
			return
		}
		done := make(chan any, 1)
		before := heapAllocated()
		go func() {
			defer func() { done <- recover() }()
			if im, err := progressive.Decode(data, int(k), nil); err == nil && (im.Width != (w*int(k)+7)/8 || im.Height != (h*int(k)+7)/8) {
				panic("wrong size")
			}
		}()
		select {
		case p := <-done:
			if p != nil {
				t.Fatalf("panic: %v", p)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("took over 10 s")
		}
		limit := uint64(4<<20) + uint64(w*h)*40 + 8*uint64(len(data))
		if n := heapAllocated() - before; n > limit {
			t.Fatalf("allocated %d bytes for %d×%d (limit %d)", n, w, h, limit)
		}
	})
}
