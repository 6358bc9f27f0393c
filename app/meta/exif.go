package meta

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rwcarlsen/goexif/tiff"
)

// maxEXIFBlob caps an EXIF block handed to the decoder. A JPEG APP1 segment
// holds at most 64 KiB; other containers are allowed more but not without
// bound.
const maxEXIFBlob = 4 << 20

// decodeEXIF decodes an EXIF block that starts with a TIFF header. It uses
// goexif first and falls back to our own walker when goexif rejects the
// data (it is strict: one bad entry fails the whole directory) or when the
// data has an IFD loop that goexif would follow forever.
func decodeEXIF(b []byte) (d *exifDirs, err error) {
	if len(b) > maxEXIFBlob {
		b = b[:maxEXIFBlob]
	}
	if _, _, err := tiffHeader(b); err != nil {
		return nil, err
	}
	if chainIsSane(b) {
		d = decodeWithGoexif(b)
	}
	if d != nil {
		d.src, d.srcSize, d.order = bytes.NewReader(b), int64(len(b)), binaryOrder(b)
	}
	if d == nil {
		return walkTIFF(bytes.NewReader(b), int64(len(b)))
	}
	if needsWalker(d) {
		if w, err := walkTIFF(bytes.NewReader(b), int64(len(b))); err == nil {
			if d.exif == nil {
				d.exif = w.exif
			}
			if d.gps == nil {
				d.gps = w.gps
			}
			if d.subs == nil {
				d.subs = w.subs
			}
		}
	}
	return d, nil
}

// needsWalker reports whether IFD0 points at sub-directories that the goexif
// pass could not decode.
func needsWalker(d *exifDirs) bool {
	ifd0 := d.chain[0]
	return (ifd0[tagExifIFD] != nil && d.exif == nil) ||
		(ifd0[tagGPSIFD] != nil && d.gps == nil) ||
		(ifd0[tagSubIFDs] != nil && d.subs == nil)
}

// chainIsSane checks, by offsets only, every IFD goexif would decode: the
// IFD chain and the EXIF, GPS and interoperability directories. goexif only
// detects an IFD that points at itself, so a longer loop would make it run
// forever; and it allocates by an entry's declared count before checking
// that count against the data, so one bad count could exhaust memory.
func chainIsSane(b []byte) bool {
	order, off, err := tiffHeader(b)
	if err != nil || order.Uint16(b[2:4]) != 42 {
		return false
	}
	size := uint64(len(b))
	seen := map[uint32]bool{}
	var pending []uint32
	checkIFD := func(off uint32) (next uint32, ok bool) {
		if seen[off] || len(seen) > maxIFDs || uint64(off)+2 > size {
			return 0, false
		}
		seen[off] = true
		n := uint64(order.Uint16(b[off:]))
		end := uint64(off) + 2 + n*12 + 4
		if end > size {
			return 0, false
		}
		for i := uint64(0); i < n; i++ {
			e := b[uint64(off)+2+i*12:]
			id, typ, count := order.Uint16(e[0:2]), order.Uint16(e[2:4]), uint64(order.Uint32(e[4:8]))
			if count > size || uint64(typeSize(typ))*count > size {
				return 0, false
			}
			if id == tagExifIFD || id == tagGPSIFD || id == 0xa005 {
				pending = append(pending, order.Uint32(e[8:12]))
			}
		}
		return order.Uint32(b[end-4:]), true
	}
	for off != 0 {
		next, ok := checkIFD(off)
		if !ok {
			return false
		}
		off = next
	}
	for len(pending) > 0 {
		p := pending[0]
		pending = pending[1:]
		if seen[p] {
			continue
		}
		if _, ok := checkIFD(p); !ok {
			return false
		}
	}
	return true
}

// decodeWithGoexif decodes the IFD chain and the sub-directories with
// goexif's TIFF decoder and converts them. It returns nil when goexif fails
// or panics. exif.Decode is not used: it decodes the EXIF and GPS
// directories into a name map this package does not need, and then they
// would be decoded a second time here for the tags it does not name.
func decodeWithGoexif(b []byte) (d *exifDirs) {
	defer func() {
		if recover() != nil {
			d = nil
		}
	}()
	tf, err := tiff.Decode(bytes.NewReader(b))
	if err != nil || tf == nil || len(tf.Dirs) == 0 {
		return nil
	}
	order := tf.Order
	d = &exifDirs{}
	for i, dir := range tf.Dirs {
		if i >= maxIFDs {
			break
		}
		d.chain = append(d.chain, fromGoexif(dir, order))
	}
	ifd0 := d.chain[0]
	subDir := func(off uint64) ifd {
		if off == 0 || off >= uint64(len(b)) {
			return nil
		}
		r := bytes.NewReader(b)
		if _, err := r.Seek(int64(off), 0); err != nil {
			return nil
		}
		dir, _, err := tiff.DecodeDir(r, order)
		if err != nil {
			return nil
		}
		return fromGoexif(dir, order)
	}
	if o, ok := ifd0[tagExifIFD].uint(0); ok {
		d.exif = subDir(o)
	}
	if o, ok := ifd0[tagGPSIFD].uint(0); ok {
		d.gps = subDir(o)
	}
	if t := ifd0[tagSubIFDs]; t != nil {
		for i := 0; i < int(t.count) && i < 8; i++ {
			o, ok := t.uint(i)
			if !ok {
				break
			}
			if s := subDir(o); s != nil {
				d.subs = append(d.subs, s)
			}
		}
	}
	return d
}

func fromGoexif(dir *tiff.Dir, order binary.ByteOrder) ifd {
	out := make(ifd, len(dir.Tags))
	for _, t := range dir.Tags {
		if t == nil || len(t.Val) > maxTagBytes {
			continue
		}
		if _, dup := out[t.Id]; dup {
			continue
		}
		out[t.Id] = &tiffTag{typ: uint16(t.Type), count: t.Count, val: t.Val, order: order, at: -1}
	}
	return out
}

func binaryOrder(b []byte) binary.ByteOrder {
	order, _, _ := tiffHeader(b)
	return order
}

// exifFacts are the values read from one EXIF block.
type exifFacts struct {
	make, model, lens      string
	dto, create            string // raw "YYYY:MM:DD hh:mm:ss"
	offOrig, off, offDigit string
	exposure, fnumber      float64
	focal                  float64
	iso                    int
	orientation            int
	hasOrientation         bool
	width, height          int // the full-size image as exiftool reports it
	lat, lng, alt          float64
	hasGPS, hasAlt         bool
	xmp, iptc              []byte // packets stored in TIFF tags
	rw2Width, rw2Height    int
	serial                 string // body serial number
	rating                 int    // 0–5 from Rating or RatingPercent
	hasRating              bool
	contentID              string // Apple's, from the maker note
}

// facts extracts the fields Pinhole uses from decoded directories.
func (d *exifDirs) facts() *exifFacts {
	f := &exifFacts{}
	if d == nil || len(d.chain) == 0 {
		return f
	}
	ifd0 := d.chain[0]
	// Make and Model belong in IFD0, but some writers put them in the EXIF
	// directory only.
	f.make = cleanText(firstNonEmpty(ifd0[tagMake].str(), d.exif[tagMake].str()))
	f.model = cleanText(firstNonEmpty(ifd0[tagModel].str(), d.exif[tagModel].str()))
	if o, ok := ifd0[tagOrientation].uint(0); ok {
		f.hasOrientation = true
		if o <= 8 {
			f.orientation = int(o)
		}
	}
	f.width, f.height = d.imageSize()
	if t := ifd0[tagXMP]; t != nil {
		f.xmp = t.val
	}
	if t := ifd0[tagIPTC]; t != nil {
		f.iptc = t.val
	}
	top, ok1 := ifd0[tagRW2SensorTop].uint(0)
	left, ok2 := ifd0[tagRW2SensorLeft].uint(0)
	bottom, ok3 := ifd0[tagRW2SensorBottom].uint(0)
	right, ok4 := ifd0[tagRW2SensorRight].uint(0)
	if ok1 && ok2 && ok3 && ok4 && right > left && bottom > top {
		f.rw2Width, f.rw2Height = int(right-left), int(bottom-top)
	}

	// TIFF/EP files (some NEF, older DNG) keep EXIF tags in IFD0; the EXIF
	// directory wins when both have one.
	for _, dir := range []ifd{ifd0, d.exif} {
		if dir == nil {
			continue
		}
		setStr := func(dst *string, tag uint16) {
			if s := dir[tag].str(); s != "" {
				*dst = s
			}
		}
		setStr(&f.dto, tagDateTimeOriginal)
		setStr(&f.create, tagCreateDate)
		setStr(&f.offOrig, tagOffsetTimeOrig)
		setStr(&f.off, tagOffsetTime)
		setStr(&f.offDigit, tagOffsetTimeDigit)
		if s := cleanText(dir[tagLensModel].str()); s != "" {
			f.lens = s
		}
		if v, ok := dir[tagExposureTime].float(0); ok && v > 0 {
			f.exposure = v
		}
		if v, ok := dir[tagFNumber].float(0); ok && v > 0 {
			f.fnumber = v
		}
		if v, ok := dir[tagFocalLength].float(0); ok && v > 0 {
			f.focal = v
		}
		if v, ok := dir[tagISO].uint(0); ok && v > 0 && v < 1<<24 {
			f.iso = int(v)
		}
	}
	if v, ok := ifd0[tagRW2ISO].uint(0); ok && f.iso == 0 && f.rw2Width > 0 && v > 0 && v < 1<<24 {
		f.iso = int(v)
	}
	f.serial = cleanText(firstNonEmpty(d.exif[tagBodySerial].str(), ifd0[tagBodySerial].str()))
	f.rating, f.hasRating = exifRating(ifd0, d.exif)
	f.addMaker(d.makerNoteSafe(f.make, f.model))
	f.readGPS(d.gps)
	return f
}

// exifRating reads Microsoft's star rating, which belongs in IFD0 (some
// writers put it in the EXIF directory): Rating (0–5) when present, else
// RatingPercent turned into stars as Windows does.
func exifRating(dirs ...ifd) (int, bool) {
	for _, dir := range dirs {
		if v, ok := dir[tagRating].uint(0); ok && v <= 5 {
			return int(v), true
		}
	}
	for _, dir := range dirs {
		if v, ok := dir[tagRatingPercent].uint(0); ok && v <= 100 {
			return starsOfPercent(int(v)), true
		}
	}
	return 0, false
}

// starsOfPercent turns Microsoft's rating percent into stars. Windows
// writes 1, 25, 50, 75 and 99 for one to five stars and reads anything in
// between as the nearest of those.
func starsOfPercent(p int) int {
	switch {
	case p <= 0:
		return 0
	case p < 13:
		return 1
	case p < 38:
		return 2
	case p < 63:
		return 3
	case p < 88:
		return 4
	}
	return 5
}

// addMaker fills what standard EXIF lacks from the maker note. An EXIF ISO
// of 65535 is a 16-bit field run out (EXIF 2.3 moved higher values to
// other tags): the maker note's higher value is the real one.
func (f *exifFacts) addMaker(m makerFacts) {
	if f.iso == 0 || (f.iso == 0xffff && m.iso > 0xffff) {
		f.iso = firstPositiveInt(m.iso, f.iso)
	}
	f.lens = firstNonEmpty(f.lens, m.lens)
	f.serial = firstNonEmpty(f.serial, m.serial)
	f.contentID = firstNonEmpty(f.contentID, m.contentID)
}

func firstPositiveInt(v ...int) int {
	for _, n := range v {
		if n > 0 {
			return n
		}
	}
	return 0
}

// imageSize picks the size exiftool reports as EXIF:ImageWidth: the
// directory marked as the full-resolution image (SubfileType 0) when a RAW
// file has several, else IFD0.
func (d *exifDirs) imageSize() (int, int) {
	dims := func(dir ifd) (int, int, bool) {
		w, ok1 := dir[tagImageWidth].uint(0)
		h, ok2 := dir[tagImageHeight].uint(0)
		if !ok1 || !ok2 || w == 0 || h == 0 || w > 1<<20 || h > 1<<20 {
			return 0, 0, false
		}
		return int(w), int(h), true
	}
	all := append(append([]ifd{}, d.chain...), d.subs...)
	for _, dir := range all {
		if st, ok := dir[tagSubfileType].uint(0); ok && st == 0 {
			if w, h, ok := dims(dir); ok {
				return w, h
			}
		}
	}
	if w, h, ok := dims(d.chain[0]); ok {
		return w, h
	}
	return 0, 0
}

func (f *exifFacts) readGPS(g ifd) {
	if g == nil {
		return
	}
	lat, ok1 := gpsDegrees(g[gpsLat])
	lng, ok2 := gpsDegrees(g[gpsLng])
	if ok1 && ok2 {
		if strings.HasPrefix(strings.ToUpper(g[gpsLatRef].str()), "S") {
			lat = -lat
		}
		if strings.HasPrefix(strings.ToUpper(g[gpsLngRef].str()), "W") {
			lng = -lng
		}
		if validGPS(lat, lng) {
			f.lat, f.lng, f.hasGPS = lat, lng, true
		}
	}
	if alt, ok := g[gpsAlt].float(0); ok && f.hasGPS {
		if ref, ok := g[gpsAltRef].uint(0); ok && ref == 1 && alt != 0 {
			alt = -alt
		}
		if math.Abs(alt) < 100000 {
			f.alt, f.hasAlt = alt, true
		}
	}
}

// gpsDegrees turns degrees, minutes, seconds rationals into degrees. Some
// phones write them as text ("52,00000,50,00000,34,01180"); like exiftool,
// the first three numbers are then degrees, minutes and seconds.
func gpsDegrees(t *tiffTag) (float64, bool) {
	if t == nil {
		return 0, false
	}
	if t.typ == 2 {
		var nums []float64
		for _, f := range strings.FieldsFunc(t.str(), func(r rune) bool { return (r < '0' || r > '9') && r != '.' }) {
			if v, err := strconv.ParseFloat(f, 64); err == nil {
				nums = append(nums, v)
			}
		}
		if len(nums) == 0 {
			return 0, false
		}
		for len(nums) < 3 {
			nums = append(nums, 0)
		}
		return nums[0] + nums[1]/60 + nums[2]/3600, true
	}
	deg, ok := t.float(0)
	if !ok {
		return 0, false
	}
	min, _ := t.float(1)
	sec, _ := t.float(2)
	return deg + min/60 + sec/3600, true
}

// validGPS rejects positions that are certainly wrong: NaN, out of range, and
// the 0,0 that broken phones write when they have no fix.
func validGPS(lat, lng float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lng) || math.IsInf(lat, 0) || math.IsInf(lng, 0) {
		return false
	}
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return false
	}
	return !(math.Abs(lat) < 1e-7 && math.Abs(lng) < 1e-7)
}

// cleanText trims camera strings, which are often padded with NULs or spaces.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	s = strings.ToValidUTF8(s, "")
	return strings.TrimSpace(s)
}

// exifFromBlock decodes an EXIF block and reports a wrapped error.
func exifFromBlock(b []byte) (*exifFacts, error) {
	d, err := decodeEXIF(b)
	if err != nil {
		return nil, fmt.Errorf("exif: %w", err)
	}
	return d.facts(), nil
}
