package thumbs

import (
	"encoding/binary"
	"errors"
	"io"
	"slices"
)

// A minimal, defensive TIFF/EXIF reader: enough to find the orientation and
// the embedded preview JPEGs of TIFF-based RAW files. Every count and offset
// comes from a hostile file, so each read is bounded by the file size and
// small fixed caps, and IFD walks stop after a fixed number of directories.

const (
	tagOrientation   = 0x0112
	tagCompression   = 0x0103
	tagWidth         = 0x0100
	tagHeight        = 0x0101
	tagStripOffsets  = 0x0111
	tagStripCounts   = 0x0117
	tagSubIFDs       = 0x014A
	tagJPEGOffset    = 0x0201
	tagJPEGLength    = 0x0202
	tagExifIFD       = 0x8769
	tagRW2JpgFromRaw = 0x002E

	maxIFDEntries = 512
	maxIFDs       = 64
	maxTagValues  = 256
	maxPreviews   = 32
)

var errNotTIFF = errors.New("not a tiff header")

type tiffFile struct {
	r    io.ReaderAt
	base int64 // offsets in the file are relative to this
	size int64 // bytes readable from base
	bo   binary.ByteOrder
	ifd0 int64
}

type tiffEntry struct {
	tag, typ uint16
	count    uint32
	value    [4]byte
}

// newTIFF reads a TIFF header at base. Besides classic TIFF (42) it accepts
// the magic numbers of Panasonic RW2 (0x55) and Olympus ORF ("RO", "RS").
func newTIFF(r io.ReaderAt, base, size int64) (*tiffFile, error) {
	var h [8]byte
	if size < 8 {
		return nil, errNotTIFF
	}
	if _, err := r.ReadAt(h[:], base); err != nil {
		return nil, errNotTIFF
	}
	t := &tiffFile{r: r, base: base, size: size}
	switch string(h[:2]) {
	case "II":
		t.bo = binary.LittleEndian
	case "MM":
		t.bo = binary.BigEndian
	default:
		return nil, errNotTIFF
	}
	switch t.bo.Uint16(h[2:]) {
	case 42, 0x55, 0x4F52, 0x5352:
	default:
		return nil, errNotTIFF
	}
	t.ifd0 = int64(t.bo.Uint32(h[4:]))
	return t, nil
}

// readIFD returns the entries of the directory at off and the offset of the
// next directory (0 at the end of the chain).
func (t *tiffFile) readIFD(off int64) ([]tiffEntry, int64, error) {
	if off < 8 || off+2 > t.size {
		return nil, 0, errors.New("ifd offset out of range")
	}
	var nb [2]byte
	if _, err := t.r.ReadAt(nb[:], t.base+off); err != nil {
		return nil, 0, err
	}
	n := int64(t.bo.Uint16(nb[:]))
	if n == 0 || n > maxIFDEntries || off+2+n*12+4 > t.size {
		return nil, 0, errors.New("bad ifd entry count")
	}
	buf := make([]byte, n*12+4)
	if _, err := t.r.ReadAt(buf, t.base+off+2); err != nil {
		return nil, 0, err
	}
	es := make([]tiffEntry, n)
	for i := range es {
		b := buf[i*12:]
		es[i] = tiffEntry{tag: t.bo.Uint16(b), typ: t.bo.Uint16(b[2:]), count: t.bo.Uint32(b[4:])}
		copy(es[i].value[:], b[8:12])
	}
	return es, int64(t.bo.Uint32(buf[n*12:])), nil
}

// uints returns the values of a BYTE, SHORT, LONG or IFD entry, at most
// maxTagValues of them.
func (t *tiffFile) uints(e tiffEntry) []uint32 {
	var width int64
	switch e.typ {
	case 1, 7: // BYTE, UNDEFINED
		width = 1
	case 3: // SHORT
		width = 2
	case 4, 13: // LONG, IFD
		width = 4
	default:
		return nil
	}
	n := int64(e.count)
	if n == 0 || n > maxTagValues {
		return nil
	}
	data := e.value[:]
	if n*width > 4 {
		off := int64(t.bo.Uint32(e.value[:]))
		if off < 0 || off+n*width > t.size {
			return nil
		}
		data = make([]byte, n*width)
		if _, err := t.r.ReadAt(data, t.base+off); err != nil {
			return nil
		}
	}
	out := make([]uint32, n)
	for i := range out {
		switch width {
		case 1:
			out[i] = uint32(data[i])
		case 2:
			out[i] = uint32(t.bo.Uint16(data[i*2:]))
		case 4:
			out[i] = t.bo.Uint32(data[i*4:])
		}
	}
	return out
}

func (t *tiffFile) first(es []tiffEntry, tag uint16) (uint32, bool) {
	for _, e := range es {
		if e.tag == tag {
			if v := t.uints(e); len(v) > 0 {
				return v[0], true
			}
			return 0, false
		}
	}
	return 0, false
}

// orientation returns IFD0's Orientation tag, or 0 when absent or invalid.
func (t *tiffFile) orientation() int {
	es, _, err := t.readIFD(t.ifd0)
	if err != nil {
		return 0
	}
	if v, ok := t.first(es, tagOrientation); ok && v >= 1 && v <= 8 {
		return int(v)
	}
	return 0
}

// icc returns IFD0's ICC profile, or nil when absent or too large.
func (t *tiffFile) icc() []byte {
	es, _, err := t.readIFD(t.ifd0)
	if err != nil {
		return nil
	}
	for _, e := range es {
		if e.tag != tagICC || (e.typ != 7 && e.typ != 1) || e.count < 128 || e.count > maxICCBytes {
			continue
		}
		off := int64(t.bo.Uint32(e.value[:]))
		if off < 0 || off+int64(e.count) > t.size {
			return nil
		}
		buf := make([]byte, e.count)
		if _, err := t.r.ReadAt(buf, t.base+off); err != nil {
			return nil
		}
		return buf
	}
	return nil
}

// span is a byte range of a file holding an embedded JPEG.
type span struct{ off, n int64 }

// previews walks IFD0's chain and every SubIFD and returns the byte ranges
// (file offsets) of JPEG previews they point to. Candidates still have to be
// checked: some are lossless-JPEG raw data. A few bytes per entry can point
// at every directory or preview again, so directories are queued once,
// only the first SubIFDs entry of each counts (the tag appears once in a
// real file), and previews are distinct and at most maxPreviews.
func (t *tiffFile) previews() []span {
	var out []span
	seen := map[int64]bool{}
	found := map[int64]bool{}
	queue := []int64{t.ifd0}
	enqueue := func(off int64) {
		if off != 0 && !seen[off] && len(queue) < maxIFDs && !slices.Contains(queue, off) {
			queue = append(queue, off)
		}
	}
	add := func(s span) {
		if !found[s.off] && len(out) < maxPreviews {
			found[s.off] = true
			out = append(out, s)
		}
	}
	for len(queue) > 0 && len(seen) < maxIFDs {
		off := queue[0]
		queue = queue[1:]
		if seen[off] {
			continue
		}
		seen[off] = true
		es, next, err := t.readIFD(off)
		if err != nil {
			continue
		}
		enqueue(next)
		subIFDs := false
		for _, e := range es {
			if e.tag == tagSubIFDs && !subIFDs {
				subIFDs = true
				for _, v := range t.uints(e) {
					enqueue(int64(v))
				}
			}
			if e.tag == tagRW2JpgFromRaw && e.typ == 7 && e.count > 4 {
				add(span{t.base + int64(t.bo.Uint32(e.value[:])), int64(e.count)})
			}
		}
		jo, ok1 := t.first(es, tagJPEGOffset)
		jl, ok2 := t.first(es, tagJPEGLength)
		if ok1 && ok2 && jl > 0 {
			add(span{t.base + int64(jo), int64(jl)})
		}
		if c, _ := t.first(es, tagCompression); c == 6 || c == 7 {
			var so, sc []uint32
			for _, e := range es {
				switch e.tag {
				case tagStripOffsets:
					so = t.uints(e)
				case tagStripCounts:
					sc = t.uints(e)
				}
			}
			if len(so) == 1 && len(sc) == 1 && sc[0] > 0 {
				add(span{t.base + int64(so[0]), int64(sc[0])})
			}
		}
	}
	return out
}
