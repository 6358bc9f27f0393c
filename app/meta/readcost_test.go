package meta

import (
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
