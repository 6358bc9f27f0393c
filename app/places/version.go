package places

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sync"
)

// Version returns the embedded dataset's version (what DatasetVersion
// reports) by reading only the blob's header, so callers can tell whether
// stored places are stale without decoding the whole dataset and paying
// its memory.
func Version() (string, error) { return versionOnce() }

var versionOnce = sync.OnceValues(func() (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return "", fmt.Errorf("open places blob: %w", err)
	}
	head := make([]byte, 1024)
	n, err := io.ReadFull(zr, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		return "", fmt.Errorf("inflate places blob: %w", err)
	}
	head = head[:n]
	if !bytes.HasPrefix(head, []byte(blobMagic)) {
		return "", fmt.Errorf("places blob: %w: bad magic", errCorrupt)
	}
	r := &reader{b: head[len(blobMagic):]}
	v := r.string()
	if r.err != nil {
		return "", fmt.Errorf("places blob: %w", r.err)
	}
	return v, nil
})
