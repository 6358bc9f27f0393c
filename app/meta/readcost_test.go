package meta

import (
	"crypto/sha1"
	"io"
	"os"
	"sync/atomic"
	"testing"

	"pinhole/app/corpus"
)

// countingReaderAt counts the bytes a reader asks for.
type countingReaderAt struct {
	f     *os.File
	bytes atomic.Int64
	calls atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.calls.Add(1)
	n, err := c.f.ReadAt(p, off)
	c.bytes.Add(int64(n))
	return n, err
}

// TestReadOnlyHeaders checks that Read stays a header reader: over the
// whole corpus it reads a small share of the bytes, and for no file larger
// than 1 MB does it read more than 1 MB. This is what keeps a full index
// close to the cost of hashing the files.
func TestReadOnlyHeaders(t *testing.T) {
	var total, read int64
	for _, rel := range corpus.Media(t) {
		path := corpus.Path(t, rel)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		c := &countingReaderAt{f: f}
		readFrom(c, st.Size(), st.Name(), st.ModTime())
		f.Close()
		total += st.Size()
		read += c.bytes.Load()
		if st.Size() > 1<<20 && c.bytes.Load() > 1<<20 {
			t.Errorf("%s: read %d of %d bytes", rel, c.bytes.Load(), st.Size())
		}
		if c.calls.Load() > 2000 {
			t.Errorf("%s: %d reads", rel, c.calls.Load())
		}
	}
	t.Logf("read %d of %d corpus bytes (%.1f%%)", read, total, 100*float64(read)/float64(total))
	if read*10 > total {
		t.Errorf("read %d of %d bytes: more than 10%% of the corpus", read, total)
	}
}

// BenchmarkReadCorpus reads the metadata of every corpus file; compare with
// BenchmarkHashCorpus, the cost of hashing the same files, which the
// indexer pays anyway: Read must stay a small fraction of it.
func BenchmarkReadCorpus(b *testing.B) {
	files := corpusPaths(b, 0)
	b.ResetTimer()
	for b.Loop() {
		for _, p := range files {
			Read(p)
		}
	}
}

// BenchmarkHashCorpus hashes every corpus file with SHA-1, as the indexer does.
func BenchmarkHashCorpus(b *testing.B) {
	files := corpusPaths(b, 0)
	hashFiles(b, files)
}

// The Large variants use only files of 1 MB or more, closer to what camera
// files weigh; most corpus files are metadata samples of a few KB.
func BenchmarkReadCorpusLarge(b *testing.B) {
	files := corpusPaths(b, 1<<20)
	for b.Loop() {
		for _, p := range files {
			Read(p)
		}
	}
}

func BenchmarkHashCorpusLarge(b *testing.B) { hashFiles(b, corpusPaths(b, 1<<20)) }

func hashFiles(b *testing.B, files []string) {
	buf := make([]byte, 128<<10)
	b.ResetTimer()
	for b.Loop() {
		for _, p := range files {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			h := sha1.New()
			io.CopyBuffer(h, f, buf)
			f.Close()
		}
	}
}

// corpusPaths lists corpus files of at least minSize bytes.
func corpusPaths(b *testing.B, minSize int64) []string {
	var out []string
	for _, rel := range corpus.Media(b) {
		p := corpus.Path(b, rel)
		if st, err := os.Stat(p); err == nil && st.Size() >= minSize {
			out = append(out, p)
		}
	}
	return out
}
