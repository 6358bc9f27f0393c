package demo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"
)

// Rational is an unsigned EXIF RATIONAL: Num/Den.
type Rational struct{ Num, Den uint32 }

// GPS is a position for the GPS IFD.
type GPS struct {
	Lat, Lng float64 // degrees; south and west are negative
	Alt      float64 // metres above sea level; negative is below
}

// Exif is the set of tags the demo photos carry. Zero-valued fields are left
// out of the segment, so a partly filled Exif still encodes correctly.
type Exif struct {
	// LittleEndian selects the "II" TIFF byte order that Canon and most
	// phones write; the default is big-endian "MM" like Nikon and Sony.
	LittleEndian bool

	Make, Model, Software string
	Orientation           int // 1–8

	// Taken is written as DateTime, DateTimeOriginal and CreateDate in its
	// own zone's wall-clock time. With WithOffset its zone offset is also
	// written as OffsetTime, OffsetTimeOriginal and OffsetTimeDigitized;
	// cameras made before Exif 2.31 (2016) leave those out.
	Taken      time.Time
	WithOffset bool

	ExposureTime Rational // seconds
	FNumber      Rational
	ISO          int
	FocalLength  Rational // mm
	LensModel    string

	// Width and Height are the stored pixel size (before orientation), as
	// PixelXDimension and PixelYDimension.
	Width, Height int

	GPS *GPS // nil for no GPS IFD
}

// byteOrder is what both binary.BigEndian and binary.LittleEndian provide.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// EXIF tag types.
const (
	typeByte      = 1
	typeASCII     = 2
	typeShort     = 3
	typeLong      = 4
	typeRational  = 5
	typeUndefined = 7
)

// maxSegment is the largest payload after an APPn marker: the 16-bit length
// counts itself.
const maxSegment = 0xFFFF - 2

var exifHeader = []byte("Exif\x00\x00")

// Segment encodes e as a complete JPEG APP1 segment (marker, length,
// "Exif\0\0", TIFF header and IFDs), ready to follow the SOI marker.
func (e *Exif) Segment() ([]byte, error) {
	var order byteOrder = binary.BigEndian
	if e.LittleEndian {
		order = binary.LittleEndian
	}
	if e.Orientation < 0 || e.Orientation > 8 {
		return nil, fmt.Errorf("exif: orientation %d out of range", e.Orientation)
	}
	ifd0, exifIFD, gpsIFD, err := e.ifds(order)
	if err != nil {
		return nil, err
	}

	// Layout: TIFF header, IFD0, Exif IFD, GPS IFD, each followed by its
	// out-of-line values. The pointer tags hold a LONG that fits inline, so
	// the blocks' sizes are known before the pointers are filled in.
	exifOff := 8 + ifd0.size()
	gpsOff := exifOff + exifIFD.size()
	ifd0.long(order, 0x8769, uint32(exifOff))
	if gpsIFD != nil {
		ifd0.long(order, 0x8825, uint32(gpsOff))
	}

	var tiff bytes.Buffer
	if e.LittleEndian {
		tiff.WriteString("II")
	} else {
		tiff.WriteString("MM")
	}
	tiff.Write(order.AppendUint16(nil, 42))
	tiff.Write(order.AppendUint32(nil, 8))
	ifd0.encode(&tiff, order, 8)
	exifIFD.encode(&tiff, order, exifOff)
	if gpsIFD != nil {
		gpsIFD.encode(&tiff, order, gpsOff)
	}

	n := len(exifHeader) + tiff.Len()
	if n > maxSegment-2 {
		return nil, fmt.Errorf("exif: segment of %d bytes is too large", n)
	}
	seg := make([]byte, 0, 4+n)
	seg = append(seg, 0xFF, 0xE1)
	seg = binary.BigEndian.AppendUint16(seg, uint16(n+2))
	seg = append(seg, exifHeader...)
	return append(seg, tiff.Bytes()...), nil
}

func (e *Exif) ifds(order byteOrder) (ifd0, exifIFD, gpsIFD *ifd, err error) {
	ifd0, exifIFD = &ifd{}, &ifd{}
	ifd0.ascii(0x010F, e.Make)
	ifd0.ascii(0x0110, e.Model)
	if e.Orientation != 0 {
		ifd0.short(order, 0x0112, e.Orientation)
	}
	// Resolution and YCbCrPositioning are required in IFD0 by the Exif
	// standard; validators complain without them.
	ifd0.rationals(order, 0x011A, Rational{72, 1})
	ifd0.rationals(order, 0x011B, Rational{72, 1})
	ifd0.short(order, 0x0128, 2) // inches
	ifd0.ascii(0x0131, e.Software)
	ifd0.short(order, 0x0213, 1) // centered
	ifd0.long(order, 0x8769, 0)  // placeholder, filled in by Segment

	exifIFD.rationals(order, 0x829A, e.ExposureTime)
	exifIFD.rationals(order, 0x829D, e.FNumber)
	if e.ISO > 0 {
		exifIFD.short(order, 0x8827, min(e.ISO, math.MaxUint16))
	}
	exifIFD.add(0x9000, typeUndefined, 4, []byte("0232"))
	exifIFD.add(0x9101, typeUndefined, 4, []byte{1, 2, 3, 0}) // YCbCr components
	exifIFD.rationals(order, 0x920A, e.FocalLength)
	exifIFD.add(0xA000, typeUndefined, 4, []byte("0100")) // FlashpixVersion
	exifIFD.short(order, 0xA001, 1)                       // sRGB
	if e.Width > 0 && e.Height > 0 {
		exifIFD.long(order, 0xA002, uint32(e.Width))
		exifIFD.long(order, 0xA003, uint32(e.Height))
	}
	exifIFD.ascii(0xA434, e.LensModel)

	if !e.Taken.IsZero() {
		stamp := e.Taken.Format("2006:01:02 15:04:05")
		ifd0.ascii(0x0132, stamp)
		exifIFD.ascii(0x9003, stamp)
		exifIFD.ascii(0x9004, stamp)
		if e.WithOffset {
			off := e.Taken.Format("-07:00")
			exifIFD.ascii(0x9010, off)
			exifIFD.ascii(0x9011, off)
			exifIFD.ascii(0x9012, off)
		}
	}

	if e.GPS != nil {
		gpsIFD, err = e.gpsIFD(order)
		if err != nil {
			return nil, nil, nil, err
		}
		ifd0.long(order, 0x8825, 0) // placeholder, filled in by Segment
	}
	return ifd0, exifIFD, gpsIFD, nil
}

func (e *Exif) gpsIFD(order byteOrder) (*ifd, error) {
	g := e.GPS
	if math.IsNaN(g.Lat) || math.IsNaN(g.Lng) || math.Abs(g.Lat) > 90 || math.Abs(g.Lng) > 180 {
		return nil, fmt.Errorf("exif: gps position %v,%v out of range", g.Lat, g.Lng)
	}
	d := &ifd{}
	d.add(0x0000, typeByte, 4, []byte{2, 3, 0, 0})
	d.ascii(0x0001, hemisphere(g.Lat, "N", "S"))
	d.rationals(order, 0x0002, dms(g.Lat)...)
	d.ascii(0x0003, hemisphere(g.Lng, "E", "W"))
	d.rationals(order, 0x0004, dms(g.Lng)...)
	var below byte
	if g.Alt < 0 {
		below = 1
	}
	d.add(0x0005, typeByte, 1, []byte{below})
	d.rationals(order, 0x0006, Rational{uint32(math.Round(math.Abs(g.Alt) * 100)), 100})
	if !e.Taken.IsZero() {
		// Phones stamp the fix time in UTC; it lets a reader recover the
		// zone of a photo that has no OffsetTime tags.
		u := e.Taken.UTC()
		d.rationals(order, 0x0007,
			Rational{uint32(u.Hour()), 1}, Rational{uint32(u.Minute()), 1}, Rational{uint32(u.Second()), 1})
		d.ascii(0x001D, u.Format("2006:01:02"))
	}
	return d, nil
}

func hemisphere(v float64, pos, neg string) string {
	if v < 0 {
		return neg
	}
	return pos
}

// dms splits |deg| into degrees, minutes and seconds. Seconds carry four
// decimals (about 3 mm), far finer than the 1e-6° a reader needs; the split
// is done on an integer count so seconds never round up to 60.
func dms(deg float64) []Rational {
	const secScale = 10000
	total := uint64(math.Round(math.Abs(deg) * 3600 * secScale))
	d := total / (3600 * secScale)
	m := total / (60 * secScale) % 60
	s := total % (60 * secScale)
	return []Rational{{uint32(d), 1}, {uint32(m), 1}, {uint32(s), secScale}}
}

// ifd collects the entries of one image file directory.
type ifd struct{ entries []entry }

type entry struct {
	tag   uint16
	typ   uint16
	count uint32
	data  []byte // already in the file's byte order
}

func (d *ifd) add(tag, typ uint16, count uint32, data []byte) {
	d.set(entry{tag: tag, typ: typ, count: count, data: data})
}

// set adds e or replaces an entry with the same tag.
func (d *ifd) set(e entry) {
	for i := range d.entries {
		if d.entries[i].tag == e.tag {
			d.entries[i] = e
			return
		}
	}
	d.entries = append(d.entries, e)
}

func (d *ifd) ascii(tag uint16, s string) {
	if s == "" {
		return
	}
	b := append([]byte(s), 0)
	d.add(tag, typeASCII, uint32(len(b)), b)
}

func (d *ifd) short(order byteOrder, tag uint16, v int) {
	d.add(tag, typeShort, 1, order.AppendUint16(nil, uint16(v)))
}

// rationals adds a RATIONAL tag, or nothing when the first value is unset.
func (d *ifd) rationals(order byteOrder, tag uint16, rs ...Rational) {
	if len(rs) == 0 || rs[0].Den == 0 {
		return
	}
	var b []byte
	for _, r := range rs {
		b = order.AppendUint32(b, r.Num)
		b = order.AppendUint32(b, r.Den)
	}
	d.add(tag, typeRational, uint32(len(rs)), b)
}

func (d *ifd) long(order byteOrder, tag uint16, v uint32) {
	d.add(tag, typeLong, 1, order.AppendUint32(nil, v))
}

// size is the encoded size of the directory and its out-of-line values.
func (d *ifd) size() int {
	n := 2 + 12*len(d.entries) + 4
	for _, e := range d.entries {
		if len(e.data) > 4 {
			n += len(e.data) + len(e.data)%2
		}
	}
	return n
}

// encode writes the directory at offset base (from the TIFF header) with its
// values right after it. There is no next IFD: no thumbnail is embedded.
func (d *ifd) encode(buf *bytes.Buffer, order byteOrder, base int) {
	slices.SortFunc(d.entries, func(a, b entry) int { return int(a.tag) - int(b.tag) })
	valOff := base + 2 + 12*len(d.entries) + 4
	var vals []byte
	buf.Write(order.AppendUint16(nil, uint16(len(d.entries))))
	for _, e := range d.entries {
		var b [12]byte
		order.PutUint16(b[0:], e.tag)
		order.PutUint16(b[2:], e.typ)
		order.PutUint32(b[4:], e.count)
		if len(e.data) <= 4 {
			copy(b[8:], e.data)
		} else {
			order.PutUint32(b[8:], uint32(valOff+len(vals)))
			vals = append(vals, e.data...)
			if len(e.data)%2 == 1 {
				vals = append(vals, 0) // values start on a word boundary
			}
		}
		buf.Write(b[:])
	}
	buf.Write([]byte{0, 0, 0, 0})
	buf.Write(vals)
}
