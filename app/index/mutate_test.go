package index_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/index"
	"pinhole/app/meta"
	"pinhole/db"
)

// mutants writes n hostile files derived from the corpus into dir:
// truncations, bit flips, zero-filled ranges, huge declared sizes, and
// hand-made TIFFs with deep and cyclic IFD chains. scripts/robustness.sh
// runs this with a large PINHOLE_MUTANTS.
func mutants(t testing.TB, dir string, n int) int {
	t.Helper()
	var seeds [][]byte
	var exts []string
	filepath.WalkDir(corpus.Dir(t), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if kind, _, ok := meta.Detect(d.Name()); !ok || kind == meta.KindSidecar {
			return nil // media only: the corpus' exiftool.json is no photo's sidecar
		}
		if info, err := d.Info(); err == nil && info.Size() < 400<<10 {
			b, _ := os.ReadFile(p)
			seeds = append(seeds, b)
			exts = append(exts, strings.ToLower(filepath.Ext(p)))
		}
		return nil
	})
	if len(seeds) < 50 {
		t.Fatalf("only %d seed files", len(seeds))
	}
	rng := rand.New(rand.NewSource(7))
	written := 0
	write := func(name string, b []byte) {
		sub := filepath.Join(dir, fmt.Sprintf("m%03d", written/500))
		os.MkdirAll(sub, 0o755)
		if err := os.WriteFile(filepath.Join(sub, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		written++
	}
	// Hand-made hostile TIFF structures.
	for _, c := range hostileTIFFs() {
		write(c.name, c.data)
	}
	for written < n {
		i := rng.Intn(len(seeds))
		b := append([]byte(nil), seeds[i]...)
		kind := rng.Intn(5)
		switch kind {
		case 0: // truncate
			b = b[:rng.Intn(len(b)+1)]
		case 1: // bit flips
			for k := 0; k < 1+rng.Intn(20); k++ {
				j := rng.Intn(len(b))
				b[j] ^= 1 << rng.Intn(8)
			}
		case 2: // zero-fill a range
			j := rng.Intn(len(b))
			for k := j; k < min(len(b), j+rng.Intn(4096)); k++ {
				b[k] = 0
			}
		case 3: // huge declared sizes: overwrite 4-byte fields with 0xFFFFFFFF / 0x7FFFFFFF
			for k := 0; k < 1+rng.Intn(6); k++ {
				j := rng.Intn(max(1, len(b)-4))
				v := []uint32{0xFFFFFFFF, 0x7FFFFFFF, 0xFFFF0000, 0x0000FFFF}[rng.Intn(4)]
				if j+4 <= len(b) {
					binary.BigEndian.PutUint32(b[j:], v)
				}
			}
		case 4: // splice two files
			o := seeds[rng.Intn(len(seeds))]
			cut := rng.Intn(len(b) + 1)
			b = append(b[:cut:cut], o[rng.Intn(len(o)+1):]...)
		}
		write(fmt.Sprintf("mut%05d_%d%s", written, kind, exts[i]), b)
	}
	return written
}

type namedFile struct {
	name string
	data []byte
}

// hostileTIFFs builds little-endian TIFFs whose IFDs chain very deep, point
// at themselves, or declare absurd counts.
func hostileTIFFs() []namedFile {
	le := binary.LittleEndian
	ifd := func(buf *bytes.Buffer, entries [][3]uint32, next uint32) {
		binary.Write(buf, le, uint16(len(entries)))
		for _, e := range entries {
			binary.Write(buf, le, uint16(e[0])) // tag
			binary.Write(buf, le, uint16(4))    // LONG
			binary.Write(buf, le, e[1])         // count
			binary.Write(buf, le, e[2])         // value/offset
		}
		binary.Write(buf, le, next)
	}
	header := func() *bytes.Buffer {
		b := &bytes.Buffer{}
		b.WriteString("II")
		binary.Write(b, le, uint16(42))
		binary.Write(b, le, uint32(8))
		return b
	}
	var out []namedFile
	// IFD0 whose next-IFD pointer is itself.
	b := header()
	ifd(b, [][3]uint32{{256, 1, 100}, {257, 1, 100}}, 8)
	out = append(out, namedFile{"cycle_self.tif", b.Bytes()})
	// Exif pointer (0x8769) back to IFD0, and SubIFDs (0x14a) to itself.
	b = header()
	ifd(b, [][3]uint32{{0x8769, 1, 8}, {0x14a, 1, 8}, {0x8825, 1, 8}}, 0)
	out = append(out, namedFile{"cycle_subifd.dng", b.Bytes()})
	// A chain 20,000 IFDs deep.
	b = header()
	const depth = 20000
	for k := 0; k < depth; k++ {
		next := uint32(0)
		if k < depth-1 {
			next = uint32(8 + (k+1)*18)
		}
		ifd(b, [][3]uint32{{256, 1, 10}}, next)
	}
	out = append(out, namedFile{"deep_chain.tif", b.Bytes()})
	// Absurd counts and offsets past the end.
	b = header()
	ifd(b, [][3]uint32{{0x10f, 0xFFFFFFF0, 0x7FFFFFF0}, {0x8769, 1, 0xFFFFFFF0}, {0x201, 1, 0x7FFFFFFF}, {0x202, 1, 0xFFFFFFFF}}, 0xFFFFFFF0)
	out = append(out, namedFile{"absurd_counts.cr2", b.Bytes()})
	// A JPEG declaring 65535×65535 pixels.
	jp := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0xFF, 0xFF, 0xFF, 0xFF, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9}
	out = append(out, namedFile{"bomb.jpg", jp})
	// An MP4 box claiming 2^64-1 bytes.
	mp := []byte{0, 0, 0, 1, 'm', 'o', 'o', 'v', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
	out = append(out, namedFile{"huge_box.mp4", mp})
	return out
}

// TestMutatedCorpusIndexes indexes thousands of mutated files: the scan
// finishes, no reader panics (a recovered panic fails the test), no
// goroutines leak, the heap stays bounded, and every file is either indexed
// or has a recorded error.
func TestMutatedCorpusIndexes(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 300
	}
	if v, err := strconv.Atoi(os.Getenv("PINHOLE_MUTANTS")); err == nil && v > 0 {
		n = v
	}
	dir := t.TempDir()
	written := mutants(t, dir, n)
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	goroutines := runtime.NumGoroutine()
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	ix := index.New(d, index.Options{Root: dir, Workers: 2, ParserPanic: failOnParserPanic(t)})
	s, err := ix.Scan(context.Background(), false)
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d mutated files: %+v in %s, peak heap %d MB", written, s, time.Since(start).Round(time.Millisecond), peak>>20)
	if s.Seen != int64(written) {
		t.Fatalf("seen %d of %d files", s.Seen, written)
	}
	errs, err := d.IndexErrors(context.Background(), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	noRecordedPanics(t, errs)
	withErr := map[string]bool{}
	for _, e := range errs {
		withErr[e.Path] = true
	}
	missing := 0
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			if _, err := d.FileByPath(context.Background(), rel); err != nil && !withErr[rel] {
				missing++
				if missing < 10 {
					t.Errorf("%s: neither indexed nor listed with an error", rel)
				}
			}
		}
		return nil
	})
	if peak > 256<<20 {
		t.Errorf("peak heap %d MB while indexing hostile files; budget 256 MB", peak>>20)
	}
	time.Sleep(100 * time.Millisecond)
	if g := runtime.NumGoroutine(); g > goroutines+2 {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d before, %d after — leak?\n%s", goroutines, g, buf[:runtime.Stack(buf, true)])
	}
	t.Logf("%d files carry a recorded error", len(withErr))
}
