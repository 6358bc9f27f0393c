package meta

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// sniffLen is how much of the file start is read to recognise the format.
const sniffLen = 64

// reading collects what the format readers find in one file; finish turns
// it into an Info with the documented precedence between sources.
type reading struct {
	name string // base name, for the name date and extension hints
	r    io.ReaderAt
	size int64
	info *Info

	exif *exifFacts
	xmp  *xmpFacts
	iptc *iptcFacts

	// makerTime is a capture time from a vendor record (CIFF, X3F, APP12)
	// or a container (AVI, Matroska), in exiftool's format.
	makerTime, makerOffset string
	makerSource            TimeSource

	// videoTime is the QuickTime creation time (UTC); appleTime is the
	// local time with offset Apple devices store in the keys atom; dayTime
	// is the ©day text, with or without an offset.
	videoTime          time.Time
	appleTime, dayTime string

	// maker holds what a vendor record outside EXIF gave (the maker note
	// of an AVI, the TAGS record of a MOV).
	maker makerFacts

	// make, model and serial from non-EXIF records (CIFF, X3F, QuickTime
	// keys, APP12).
	make, model, serial string

	exifErr error // first EXIF decode error, reported when nothing else is found

	ciff *ciffRecords // Canon CRW records, while a CRW is read

	motion *motionXMP // Google's motion photo records, from the first XMP packet with them (motion.go)

	contentID string // Apple's Live Photo pairing, from a movie's keys
}

// Read opens the file at path and reads its metadata; a sidecar (.xmp,
// Takeout .json) is read as by ReadSidecar. The format is
// recognised by content, with the extension as a hint where the content is
// ambiguous (TIFF-based RAW files). Only headers are read: at most a few MB
// however large the file is.
//
// When the file opens but its content is broken, Read returns an error
// together with an Info holding what it could determine (MIME, Kind, and a
// taken time from the file name or modification time), so a caller can
// list the file and record the error. When the file cannot be opened the
// Info is nil.
func Read(path string) (*Info, error) {
	if kind, _, _ := Detect(path); kind == KindSidecar {
		return ReadSidecar(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read meta: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read meta: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("read meta: %s is a directory", path)
	}
	return readFrom(f, st.Size(), filepath.Base(path), st.ModTime())
}

// readFrom reads metadata from r, which holds size bytes of a file named
// name. mtime is the fallback taken time.
func readFrom(r io.ReaderAt, size int64, name string, mtime time.Time) (*Info, error) {
	rd := &reading{name: name, r: r, size: size, info: &Info{}}
	format, err := rd.parse()
	rd.finish(mtime)
	if err != nil {
		return rd.info, fmt.Errorf("read %s: %w", format, err)
	}
	return rd.info, nil
}

// ErrParserPanic marks the error of a file whose reader panicked. The panic
// is recovered so one hostile file cannot stop a scan, but it is a bug in a
// reader, not in the file: callers log it as one, and tests fail on it.
var ErrParserPanic = errors.New("parser panic")

// parse recognises the format and runs its reader, turning a panic into an
// error so one hostile file cannot stop a scan.
func (rd *reading) parse() (format string, err error) {
	format = "file"
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v\n%s", ErrParserPanic, p, firstFrames(debug.Stack()))
		}
	}()
	var head [sniffLen]byte
	n, _ := rd.r.ReadAt(head[:], 0)
	h := head[:n]
	ext := strings.ToLower(filepath.Ext(rd.name))
	format, read := sniff(h, ext)
	if read == nil {
		if _, mime, ok := Detect(rd.name); ok {
			rd.setMIME(mime)
		}
		if n == 0 {
			return format, errors.New("empty file")
		}
		return format, errors.New("unrecognised format")
	}
	err = read(rd)
	rd.findMotion()
	return format, err
}

// firstFrames keeps the panic site from a stack trace without the noise.
func firstFrames(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	var keep []string
	for i := 0; i+1 < len(lines) && len(keep) < 6; i++ {
		if strings.Contains(lines[i], "app/meta.") && !strings.Contains(lines[i], "parse.func") {
			keep = append(keep, strings.TrimSpace(lines[i+1]))
		}
	}
	return strings.Join(keep, " < ")
}

type formatReader func(*reading) error

// sniff picks a reader by magic bytes. ext decides between TIFF-based RAW
// formats, which share the TIFF header.
func sniff(h []byte, ext string) (string, formatReader) {
	has := func(off int, s string) bool {
		return len(h) >= off+len(s) && string(h[off:off+len(s)]) == s
	}
	switch {
	case has(0, "\xff\xd8\xff"):
		return "jpeg", readJPEG
	case has(0, "\x89PNG\r\n\x1a\n"):
		return "png", readPNG
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return "gif", readGIF
	case has(0, "BM") && len(h) >= 26:
		return "bmp", readBMP
	case has(0, "RIFF") && has(8, "WEBP"):
		return "webp", readWebP
	case has(0, "RIFF") && has(8, "AVI "):
		return "avi", readAVI
	case has(0, "FUJIFILMCCD-RAW"):
		return "raf", readRAF
	case has(0, "\x00MRM"):
		return "mrw", readMRW
	case has(0, "FOVb"):
		return "x3f", readX3F
	case has(0, "II\x1a\x00\x00\x00HEAPCCDR"):
		return "crw", readCRW
	case has(0, "\x1a\x45\xdf\xa3"):
		return "matroska", readMatroska
	case has(0, "\xff\x0a"), has(4, "JXL "):
		return "jxl", readJXL
	case has(4, "ftyp"):
		return bmffFormat(h), readBMFF
	case has(4, "moov"), has(4, "mdat"), has(4, "wide"), has(4, "free"), has(4, "skip"), has(4, "pnot"):
		return "quicktime", readBMFF
	case len(h) >= 8 && isTIFF(h):
		return tiffFormat(h, ext), readTIFF
	case (ext == ".mts" || ext == ".m2ts" || ext == ".m2t" || ext == ".ts") && len(h) > 4 && (h[0] == 0x47 || h[4] == 0x47):
		return "m2ts", readM2TS
	}
	return "file", nil
}

func isTIFF(h []byte) bool {
	_, _, err := tiffHeader(h)
	return err == nil
}

// setMIME sets MIME and Kind together from the MIME table.
func (rd *reading) setMIME(mime string) {
	rd.info.MIME = mime
	rd.info.Kind = kindOfMIME(mime)
}

// addEXIF decodes an EXIF block (starting at the TIFF header). The first
// block that decodes wins; later ones (thumbnails, previews) are ignored.
func (rd *reading) addEXIF(b []byte) {
	if rd.exif != nil {
		return
	}
	f, err := exifFromBlock(b)
	if err != nil {
		if rd.exifErr == nil {
			rd.exifErr = err
		}
		return
	}
	rd.exif = f
	if f.xmp != nil {
		rd.addXMP(f.xmp)
	}
	if f.iptc != nil {
		rd.addIPTC(f.iptc)
	}
}

// addXMP parses an XMP packet; the first packet that parses wins.
func (rd *reading) addXMP(b []byte) {
	rd.noteMotionXMP(b)
	if rd.xmp != nil {
		return
	}
	if x, err := parseXMP(b); err == nil {
		rd.xmp = x
	}
}

// addIPTC parses IPTC-IIM data; the first block with data wins.
func (rd *reading) addIPTC(b []byte) {
	if rd.iptc != nil {
		return
	}
	if p := parseIIM(b); p != nil {
		rd.iptc = p
	}
}

// readAt reads n bytes at off, refusing reads outside the file or larger
// than limit, so no allocation follows an unchecked declared size.
func (rd *reading) readAt(off, n, limit int64) ([]byte, error) {
	if off < 0 || n < 0 || off > rd.size || n > rd.size-off {
		return nil, fmt.Errorf("block at %d+%d outside file of %d bytes", off, n, rd.size)
	}
	if n > limit {
		return nil, fmt.Errorf("block of %d bytes over the %d limit", n, limit)
	}
	b := make([]byte, n)
	if _, err := rd.r.ReadAt(b, off); err != nil && !(errors.Is(err, io.EOF) && len(b) == int(n)) {
		return nil, err
	}
	return b, nil
}

// finish applies the precedence between sources and fills Info.
func (rd *reading) finish(mtime time.Time) {
	in := rd.info
	if in.MIME == "" {
		if _, mime, ok := Detect(rd.name); ok {
			rd.setMIME(mime)
		}
	}
	e := rd.exif
	if e == nil {
		e = &exifFacts{}
	}
	x := rd.xmp
	if x == nil {
		x = &xmpFacts{}
	}
	p := rd.iptc
	if p == nil {
		p = &iptcFacts{}
	}

	in.Make = firstNonEmpty(e.make, rd.make, x.make)
	in.Model = firstNonEmpty(e.model, rd.model, x.model)
	in.Lens = firstNonEmpty(e.lens, x.lens, rd.maker.lens)
	in.Serial = firstNonEmpty(e.serial, rd.serial, rd.maker.serial, x.serial)
	in.ContentID = firstNonEmpty(e.contentID, rd.contentID)
	in.ExposureTime = firstPositive(e.exposure, x.exposure)
	in.FNumber = firstPositive(e.fnumber, x.fnumber)
	in.FocalLength = firstPositive(e.focal, x.focal)
	in.ISO = firstPositiveInt(e.iso, x.iso, rd.maker.iso)
	switch {
	case e.hasOrientation:
		in.Orientation, in.HasOrientation = e.orientation, true
	case x.orientation >= 1 && x.orientation <= 8 && in.Orientation == 0:
		in.Orientation = x.orientation
	}
	if in.Width == 0 || in.Height == 0 {
		switch {
		case e.rw2Width > 0:
			in.Width, in.Height = e.rw2Width, e.rw2Height
		case e.width > 0:
			in.Width, in.Height = e.width, e.height
		}
	}
	switch {
	case e.hasGPS:
		in.HasGPS, in.Lat, in.Lng = true, e.lat, e.lng
		in.Alt, in.HasAlt = e.alt, e.hasAlt
	case x.hasGPS:
		in.HasGPS, in.Lat, in.Lng = true, x.lat, x.lng
		in.Alt, in.HasAlt = x.alt, x.hasAlt
	case in.HasGPS && !validGPS(in.Lat, in.Lng):
		in.HasGPS, in.HasAlt = false, false
	}
	in.Title = firstNonEmpty(x.title, p.title)
	in.Description = firstNonEmpty(x.description, p.caption)
	in.Keywords = x.keywords
	if len(in.Keywords) == 0 {
		in.Keywords = p.keywords
	}
	// xmp:Rating is what photo programs keep up to date; Windows writes
	// its EXIF tags too, and some files carry only those.
	switch {
	case x.hasRating:
		in.Rating = x.rating
	case e.hasRating:
		in.Rating = e.rating
	}
	in.Regions = x.regions

	if in.Kind != KindVideo {
		// CR3 and HEIF sequences have a movie header and tracks too.
		in.Duration, in.VideoCodec, in.AudioCodec = 0, "", ""
	}
	rd.pickTime(e, x, p, mtime)
}

// candidate is one possible taken time in exiftool's text form.
type candidate struct {
	raw    string // "YYYY:MM:DD hh:mm:ss"
	offset string // "+02:00" or ""
	source TimeSource
}

// pickTime chooses the taken time: EXIF, then XMP, IPTC, vendor records,
// video container, file name, file time.
func (rd *reading) pickTime(e *exifFacts, x *xmpFacts, p *iptcFacts, mtime time.Time) {
	in := rd.info
	var cands []candidate
	if e.dto != "" {
		cands = append(cands, candidate{e.dto, firstNonEmpty(e.offOrig, e.off), SourceEXIF})
	}
	if e.create != "" {
		cands = append(cands, candidate{e.create, firstNonEmpty(e.offDigit, e.off), SourceEXIF})
	}
	// A date without a time (photoshop:DateCreated often is) loses to a
	// later source that has the time.
	var dateOnly []candidate
	for _, s := range []string{x.dateTimeOriginal, x.createDate, x.dateCreated} {
		if s == "" {
			continue
		}
		raw, off := splitXMPDate(s)
		c := candidate{raw, off, SourceXMP}
		if len(strings.TrimSpace(s)) <= 10 {
			dateOnly = append(dateOnly, c)
		} else {
			cands = append(cands, c)
		}
	}
	if p.date != "" {
		cands = append(cands, candidate{p.date, p.offset, SourceIPTC})
	}
	if rd.makerTime != "" {
		cands = append(cands, candidate{rd.makerTime, rd.makerOffset, rd.makerSource})
	}
	// A movie's times: a zoned one (Apple's key, ©day with an offset)
	// before the UTC movie header, and a ©day without zone after it.
	var dayNoZone []candidate
	for _, s := range []string{rd.appleTime, rd.dayTime} {
		if s == "" {
			continue
		}
		raw, off := splitXMPDate(s)
		if _, ok := parseOffset(off); ok {
			cands = append(cands, candidate{raw, off, SourceVideo})
		} else {
			dayNoZone = append(dayNoZone, candidate{raw, "", SourceVideo})
		}
	}
	if !rd.videoTime.IsZero() {
		cands = append(cands, candidate{rd.videoTime.UTC().Format(exifLayout), "+00:00", SourceVideo})
	}
	cands = append(cands, dayNoZone...)
	cands = append(cands, dateOnly...)
	if len(cands) > 0 {
		in.DateTimeOriginal = cands[0].raw
		in.OffsetTimeOriginal = validOffset(cands[0].offset)
	}
	for _, c := range cands {
		t, ok := parseExifTime(c.raw)
		if !ok || !plausibleYear(t.Year()) {
			continue
		}
		in.Taken, in.TakenSource = t, c.source
		if off, ok := parseOffset(c.offset); ok {
			in.Taken = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0,
				time.FixedZone(validOffset(c.offset), off))
			in.HasOffset = true
		}
		return
	}
	if t, ok := DateFromName(rd.name); ok {
		in.Taken, in.TakenSource = t, SourceFileName
		return
	}
	if !mtime.IsZero() {
		mt := mtime.Local()
		in.Taken = time.Date(mt.Year(), mt.Month(), mt.Day(), mt.Hour(), mt.Minute(), mt.Second(), 0, time.UTC)
		in.TakenSource = SourceFileTime
	}
}

const exifLayout = "2006:01:02 15:04:05"

// parseExifTime parses "YYYY:MM:DD hh:mm:ss" (also with '-' or 'T'
// separators, as some writers use) as a wall-clock time in UTC.
func parseExifTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 19 {
		return time.Time{}, false
	}
	b := []byte(s[:19])
	for _, i := range []int{4, 7} {
		if b[i] == '-' || b[i] == '/' || b[i] == '.' {
			b[i] = ':'
		}
	}
	if b[10] == 'T' {
		b[10] = ' '
	}
	t, err := time.Parse(exifLayout, string(b))
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// plausibleYear rejects dates no camera could have taken.
func plausibleYear(y int) bool {
	return y >= 1800 && y <= time.Now().Year()+1
}

// parseOffset parses "+02:00" / "-0530" / "Z" into seconds east of UTC.
func parseOffset(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "Z" {
		return 0, true
	}
	if len(s) < 5 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	d := strings.ReplaceAll(s[1:], ":", "")
	if len(d) != 4 {
		return 0, false
	}
	var h, m int
	for i, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		if i < 2 {
			h = h*10 + int(c-'0')
		} else {
			m = m*10 + int(c-'0')
		}
	}
	if h > 14 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

// validOffset normalises an offset to exiftool's "+hh:mm", or "" when it is
// not one.
func validOffset(s string) string {
	off, ok := parseOffset(s)
	if !ok {
		return ""
	}
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d:%02d", sign, off/3600, off%3600/60)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func firstPositive(v ...float64) float64 {
	for _, f := range v {
		if f > 0 {
			return f
		}
	}
	return 0
}

// readerAtBytes adapts a byte slice for the readers that take io.ReaderAt.
func readerAtBytes(b []byte) io.ReaderAt { return bytes.NewReader(b) }
