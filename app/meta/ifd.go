package meta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strings"
)

// TIFF tag numbers this package reads. Names follow exiftool.
const (
	tagSubfileType      = 0x00fe
	tagImageWidth       = 0x0100
	tagImageHeight      = 0x0101
	tagMake             = 0x010f
	tagModel            = 0x0110
	tagOrientation      = 0x0112
	tagXMP              = 0x02bc
	tagSubIFDs          = 0x014a
	tagIPTC             = 0x83bb
	tagExifIFD          = 0x8769
	tagGPSIFD           = 0x8825
	tagExposureTime     = 0x829a
	tagFNumber          = 0x829d
	tagISO              = 0x8827
	tagDateTimeOriginal = 0x9003
	tagCreateDate       = 0x9004
	tagOffsetTime       = 0x9010
	tagOffsetTimeOrig   = 0x9011
	tagOffsetTimeDigit  = 0x9012
	tagFocalLength      = 0x920a
	tagLensModel        = 0xa434
	// Microsoft's star rating (Windows Explorer writes both): Rating is
	// 0–5, RatingPercent 0–100.
	tagRating        = 0x4746
	tagRatingPercent = 0x4749

	// Panasonic RW2 sensor borders, which give the raw image size.
	tagRW2SensorTop    = 0x0004
	tagRW2SensorLeft   = 0x0005
	tagRW2SensorBottom = 0x0006
	tagRW2SensorRight  = 0x0007
	tagRW2ISO          = 0x0017

	gpsLatRef = 0x0001
	gpsLat    = 0x0002
	gpsLngRef = 0x0003
	gpsLng    = 0x0004
	gpsAltRef = 0x0005
	gpsAlt    = 0x0006
)

// Limits that keep a hostile TIFF structure from costing time or memory.
const (
	maxIFDs       = 16      // IFDs followed in the main chain plus SubIFDs
	maxIFDEntries = 1000    // entries read from one IFD
	maxTagBytes   = 1 << 20 // largest tag value kept (XMP and IPTC can be big)
	maxSmallTag   = 64 << 10
	maxTIFFBytes  = 8 << 20 // all tag values read from one TIFF structure
)

var errNotTIFF = errors.New("not a tiff header")

// tiffTag is one IFD entry with its raw value bytes in the file's byte order.
type tiffTag struct {
	typ   uint16
	count uint32
	val   []byte
	order binary.ByteOrder
	// at is where the value sits in the walker's data when it does not
	// fit the entry, else -1. Olympus keeps a directory inside a value.
	at int64
}

// ifd maps tag numbers to entries of one image file directory.
type ifd map[uint16]*tiffTag

// exifDirs is the decoded TIFF structure that matters here: the main IFD
// chain, the SubIFDs that RAW files keep their full-size image in, and the
// EXIF and GPS sub-directories.
type exifDirs struct {
	chain []ifd // IFD0, IFD1, ...
	subs  []ifd // SubIFDs of IFD0
	exif  ifd
	gps   ifd

	// The TIFF data the directories came from, kept to find the maker
	// note, whose offsets need its position in the data.
	src     io.ReaderAt
	srcSize int64
	order   binary.ByteOrder
}

var tiffTypeSize = [...]uint32{0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4}

func typeSize(t uint16) uint32 {
	if int(t) < len(tiffTypeSize) {
		return tiffTypeSize[t]
	}
	return 0
}

// tiffHeader checks a TIFF header at the start of b and returns the byte
// order and first IFD offset. Panasonic RW2 ("IIU") and Olympus ORF
// ("IIRO", "IIRS", "MMOR") use other magic numbers but the same layout.
func tiffHeader(b []byte) (binary.ByteOrder, uint32, error) {
	if len(b) < 8 {
		return nil, 0, errNotTIFF
	}
	var order binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return nil, 0, errNotTIFF
	}
	switch order.Uint16(b[2:4]) {
	case 42, 0x55, 0x4f52, 0x5352, 0x524f:
	default:
		return nil, 0, errNotTIFF
	}
	return order, order.Uint32(b[4:8]), nil
}

// walkTIFF decodes the IFD structure of TIFF data held in r, where offsets
// are relative to the start of r. It never reads outside [0, size) and
// never follows more than maxIFDs directories, so loops and absurd counts
// end quickly. It returns what it could decode even when a later part is
// broken.
func walkTIFF(r io.ReaderAt, size int64) (*exifDirs, error) {
	var hdr [8]byte
	if size < 8 {
		return nil, errNotTIFF
	}
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return nil, err
	}
	order, off, err := tiffHeader(hdr[:])
	if err != nil {
		return nil, err
	}
	w := &tiffWalker{r: r, size: size, order: order, seen: map[uint32]bool{}, budget: maxTIFFBytes}
	d := &exifDirs{src: r, srcSize: size, order: order}
	for off != 0 && len(w.seen) < maxIFDs {
		dir, next, err := w.readIFD(off)
		if err != nil {
			if len(d.chain) == 0 {
				return nil, err
			}
			break
		}
		d.chain = append(d.chain, dir)
		off = next
	}
	if len(d.chain) == 0 {
		return nil, errors.New("tiff: no ifd")
	}
	ifd0 := d.chain[0]
	if t := ifd0[tagSubIFDs]; t != nil {
		for i := 0; i < int(t.count) && i < 8; i++ {
			o, ok := t.uint(i)
			if !ok {
				break
			}
			if dir, _, err := w.readIFD(uint32(o)); err == nil {
				d.subs = append(d.subs, dir)
			}
		}
	}
	d.exif = w.sub(ifd0, tagExifIFD)
	d.gps = w.sub(ifd0, tagGPSIFD)
	if d.gps == nil {
		// A few writers put the GPS pointer in the EXIF directory.
		d.gps = w.sub(d.exif, tagGPSIFD)
	}
	return d, nil
}

type tiffWalker struct {
	r     io.ReaderAt
	size  int64
	order binary.ByteOrder
	seen  map[uint32]bool
	// budget is what is left of maxTIFFBytes: a thousand entries that each
	// point at 64 KB would otherwise cost a gigabyte.
	budget int64
}

func (w *tiffWalker) sub(parent ifd, tag uint16) ifd {
	t := parent[tag]
	if t == nil {
		return nil
	}
	o, ok := t.uint(0)
	if !ok {
		return nil
	}
	dir, _, err := w.readIFD(uint32(o))
	if err != nil {
		return nil
	}
	return dir
}

func (w *tiffWalker) readIFD(off uint32) (ifd, uint32, error) {
	if w.seen[off] {
		return nil, 0, errors.New("tiff: ifd loop")
	}
	if len(w.seen) >= maxIFDs {
		return nil, 0, errors.New("tiff: too many ifds")
	}
	w.seen[off] = true
	if int64(off)+2 > w.size {
		return nil, 0, errors.New("tiff: ifd offset out of range")
	}
	var nb [2]byte
	if _, err := w.r.ReadAt(nb[:], int64(off)); err != nil {
		return nil, 0, err
	}
	n := int(w.order.Uint16(nb[:]))
	if n == 0 || n > maxIFDEntries {
		return nil, 0, errors.New("tiff: bad ifd entry count")
	}
	avail := (w.size - int64(off) - 2) / 12
	if int64(n) > avail {
		n = int(avail)
	}
	buf := make([]byte, n*12+4)
	got, err := w.r.ReadAt(buf, int64(off)+2)
	if got < n*12 {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, 0, err
	}
	dir := make(ifd, n)
	for i := 0; i < n; i++ {
		e := buf[i*12 : i*12+12]
		id := w.order.Uint16(e[0:2])
		typ := w.order.Uint16(e[2:4])
		count := w.order.Uint32(e[4:8])
		sz := typeSize(typ)
		if sz == 0 || count == 0 {
			continue
		}
		total := uint64(sz) * uint64(count)
		limit := uint64(maxSmallTag)
		if id == tagXMP || id == tagIPTC {
			limit = maxTagBytes
		}
		if total > limit {
			continue
		}
		var val []byte
		at := int64(-1)
		if total <= 4 {
			val = append([]byte(nil), e[8:8+total]...)
		} else {
			vo := int64(w.order.Uint32(e[8:12]))
			at = vo
			if vo+int64(total) > w.size || int64(total) > w.budget {
				continue
			}
			w.budget -= int64(total)
			val = make([]byte, total)
			if _, err := w.r.ReadAt(val, vo); err != nil {
				continue
			}
		}
		if _, dup := dir[id]; !dup {
			dir[id] = &tiffTag{typ: typ, count: count, val: val, order: w.order, at: at}
		}
	}
	var next uint32
	if got >= n*12+4 {
		next = w.order.Uint32(buf[n*12:])
	}
	return dir, next, nil
}

// str returns an ASCII (or UNDEFINED) value without trailing NULs and spaces.
func (t *tiffTag) str() string {
	if t == nil {
		return ""
	}
	b := t.val
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(strings.ToValidUTF8(string(b), ""))
}

// elem returns the bytes of the tag's i-th value, when it has one.
func (t *tiffTag) elem(i int) ([]byte, bool) {
	if t == nil || i < 0 {
		return nil, false
	}
	sz := int(typeSize(t.typ))
	if sz == 0 || (i+1)*sz > len(t.val) {
		return nil, false
	}
	return t.val[i*sz:], true
}

// uint returns the i-th value of an integer tag.
func (t *tiffTag) uint(i int) (uint64, bool) {
	b, ok := t.elem(i)
	if !ok {
		return 0, false
	}
	switch t.typ {
	case 1, 7:
		return uint64(b[0]), true
	case 6:
		return uint64(int8(b[0])), true
	case 3:
		return uint64(t.order.Uint16(b)), true
	case 8:
		return uint64(int16(t.order.Uint16(b))), true
	case 4, 13:
		return uint64(t.order.Uint32(b)), true
	case 9:
		return uint64(int32(t.order.Uint32(b))), true
	}
	return 0, false
}

// float returns the i-th value of a numeric tag (rationals included).
func (t *tiffTag) float(i int) (float64, bool) {
	b, ok := t.elem(i)
	if !ok {
		return 0, false
	}
	var f float64
	switch t.typ {
	case 5:
		n, d := t.order.Uint32(b), t.order.Uint32(b[4:])
		if d == 0 {
			return 0, false
		}
		f = float64(n) / float64(d)
	case 10:
		n, d := int32(t.order.Uint32(b)), int32(t.order.Uint32(b[4:]))
		if d == 0 {
			return 0, false
		}
		f = float64(n) / float64(d)
	case 11:
		f = float64(math.Float32frombits(t.order.Uint32(b)))
	case 12:
		f = math.Float64frombits(t.order.Uint64(b))
	case 2:
		return 0, false
	default:
		u, ok := t.uint(i)
		if !ok {
			return 0, false
		}
		if t.typ == 6 || t.typ == 8 || t.typ == 9 {
			return float64(int64(u)), true
		}
		f = float64(u)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
