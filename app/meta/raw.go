package meta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// tiffFormat names a TIFF-based file for messages; the MIME type is set by
// readTIFF.
func tiffFormat(h []byte, ext string) string {
	if t, ok := typeByExt[ext]; ok && t.kind == KindRaw {
		return strings.TrimPrefix(ext, ".")
	}
	return "tiff"
}

// readTIFF reads TIFF and TIFF-based RAW files (CR2, NEF, ARW, DNG, ORF,
// RW2, PEF, SRW, IIQ, ...). The IFDs are read where they are through
// io.ReaderAt, so a 50 MB RAW costs a few small reads.
func readTIFF(rd *reading) error {
	d, err := walkTIFF(rd.r, rd.size)
	if err != nil {
		rd.setMIME(tiffMIME(rd, nil))
		return err
	}
	rd.setMIME(tiffMIME(rd, d))
	if rd.exif == nil {
		f := d.facts()
		rd.exif = f
		if f.xmp != nil {
			rd.addXMP(f.xmp)
		}
		if f.iptc != nil {
			rd.addIPTC(f.iptc)
		}
	}
	return nil
}

const tagDNGVersion = 0xc612

// tiffMIME tells TIFF-based formats apart: by magic where they have one,
// by the DNG version tag, else by extension.
func tiffMIME(rd *reading, d *exifDirs) string {
	var h [10]byte
	rd.r.ReadAt(h[:], 0)
	ext := strings.ToLower(rd.name[strings.LastIndexByte(rd.name, '.')+1:])
	switch {
	case string(h[8:10]) == "CR":
		return "image/x-canon-cr2"
	case string(h[:4]) == "IIU\x00":
		return "image/x-panasonic-rw2"
	case string(h[:4]) == "IIRO" || string(h[:4]) == "IIRS" || string(h[:4]) == "MMOR":
		return "image/x-olympus-orf"
	}
	if t, ok := typeByExt["."+ext]; ok && t.kind == KindRaw {
		return t.mime
	}
	if d != nil && d.chain[0][tagDNGVersion] != nil {
		return "image/x-adobe-dng"
	}
	return "image/tiff"
}

// readRAF reads a Fujifilm RAF: the header points at an embedded JPEG that
// carries the EXIF data; its size is what exiftool reports for the file.
func readRAF(rd *reading) error {
	rd.setMIME("image/x-fujifilm-raf")
	b, err := rd.readAt(84, 8, 8)
	if err != nil {
		return errors.New("truncated header")
	}
	off := int64(binary.BigEndian.Uint32(b[0:4]))
	n := int64(binary.BigEndian.Uint32(b[4:8]))
	if off < 92 || off >= rd.size {
		return errors.New("preview offset out of range")
	}
	end := off + n
	if n <= 0 || end > rd.size {
		end = rd.size
	}
	var soi [2]byte
	if _, err := rd.r.ReadAt(soi[:], off); err != nil || soi != [2]byte{0xff, 0xd8} {
		return errors.New("no preview jpeg")
	}
	return walkJPEG(rd, off, end, true)
}

// readMRW reads a Minolta MRW: blocks PRD (sizes) and TTW (a TIFF with EXIF).
func readMRW(rd *reading) error {
	rd.setMIME("image/x-minolta-mrw")
	b, err := rd.readAt(4, 4, 4)
	if err != nil {
		return err
	}
	end := int64(binary.BigEndian.Uint32(b)) + 8
	if end > rd.size {
		end = rd.size
	}
	pos := int64(8)
	for i := 0; i < 64 && pos+8 <= end; i++ {
		h, err := rd.readAt(pos, 8, 8)
		if err != nil {
			break
		}
		name := string(h[:4])
		n := int64(binary.BigEndian.Uint32(h[4:8]))
		body := pos + 8
		if n > end-body {
			n = end - body
		}
		switch name {
		case "\x00PRD":
			if p, err := rd.readAt(body, 16, 16); err == nil && n >= 16 {
				rd.info.Height = int(binary.BigEndian.Uint16(p[12:14]))
				rd.info.Width = int(binary.BigEndian.Uint16(p[14:16]))
			}
		case "\x00TTW":
			if t, err := rd.readAt(body, n, maxEXIFBlob); err == nil {
				if d, err := walkTIFF(bytes.NewReader(t), int64(len(t))); err == nil && rd.exif == nil {
					rd.exif = d.facts()
				}
			}
		}
		pos = body + n
	}
	return nil
}

// readX3F reads a Sigma X3F: the header has the size; the PROP section has
// make, model and capture time; newer files embed a JPEG with EXIF.
func readX3F(rd *reading) error {
	rd.setMIME("image/x-sigma-x3f")
	h, err := rd.readAt(0, 40, 40)
	if err != nil {
		return errors.New("truncated header")
	}
	rd.info.Width = int(binary.LittleEndian.Uint32(h[28:32]))
	rd.info.Height = int(binary.LittleEndian.Uint32(h[32:36]))
	if rd.info.Width > 1<<16 || rd.info.Height > 1<<16 {
		rd.info.Width, rd.info.Height = 0, 0
	}
	t, err := rd.readAt(rd.size-4, 4, 4)
	if err != nil {
		return nil
	}
	dir := int64(binary.LittleEndian.Uint32(t))
	d, err := rd.readAt(dir, 12, 12)
	if err != nil || string(d[:4]) != "SECd" {
		return nil
	}
	n := int64(binary.LittleEndian.Uint32(d[8:12]))
	if n > 64 {
		return errors.New("too many sections")
	}
	ents, err := rd.readAt(dir+12, n*12, 64*12)
	if err != nil {
		return nil
	}
	for i := int64(0); i < n; i++ {
		e := ents[i*12:]
		off := int64(binary.LittleEndian.Uint32(e[0:4]))
		size := int64(binary.LittleEndian.Uint32(e[4:8]))
		switch string(e[8:12]) {
		case "PROP":
			if b, err := rd.readAt(off, size, 1<<20); err == nil {
				x3fProps(rd, b)
			}
		case "IMA2", "IMAG":
			// An embedded JPEG preview (format 18) may carry EXIF.
			if size > 28 && size < 64<<20 {
				var s [30]byte
				if _, err := rd.r.ReadAt(s[:], off); err == nil && s[28] == 0xff && s[29] == 0xd8 {
					walkJPEG(rd, off+28, off+size, false)
				}
			}
		}
	}
	return nil
}

// x3fProps reads the UTF-16 name/value pairs of an X3F PROP section.
func x3fProps(rd *reading, b []byte) {
	if len(b) < 24 || string(b[:4]) != "SECp" {
		return
	}
	n := int(binary.LittleEndian.Uint32(b[8:12]))
	if n > 1000 || 24+n*8 > len(b) {
		return
	}
	chars := b[24+n*8:]
	str := func(off int) string {
		var u []uint16
		for p := off * 2; p+1 < len(chars) && len(u) < 256; p += 2 {
			c := binary.LittleEndian.Uint16(chars[p:])
			if c == 0 {
				break
			}
			u = append(u, c)
		}
		return string(utf16.Decode(u))
	}
	for i := 0; i < n; i++ {
		e := b[24+i*8:]
		name := str(int(binary.LittleEndian.Uint32(e[0:4])))
		val := str(int(binary.LittleEndian.Uint32(e[4:8])))
		switch name {
		case "CAMMANUF":
			rd.make = cleanText(val)
		case "CAMMODEL":
			rd.model = cleanText(val)
		case "CAMSERIAL":
			rd.serial = cleanText(val)
		case "SHUTTER", "APERTURE", "FLENGTH", "ISO":
			v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err != nil || v <= 0 || math.IsInf(v, 0) {
				continue
			}
			if rd.exif == nil {
				rd.exif = &exifFacts{}
			}
			switch name {
			case "SHUTTER":
				rd.exif.exposure = v
			case "APERTURE":
				rd.exif.fnumber = v
			case "FLENGTH":
				rd.exif.focal = v
			case "ISO":
				rd.exif.iso = int(v)
			}
		case "TIME":
			if secs, err := strconv.ParseInt(val, 10, 64); err == nil && secs > 0 {
				rd.makerTime = time.Unix(secs, 0).UTC().Format(exifLayout)
				rd.makerSource = SourceMaker
			}
		}
	}
}

// readCRW reads a Canon CRW (CIFF): nested heaps of tagged records.
func readCRW(rd *reading) error {
	rd.setMIME("image/x-canon-crw")
	h, err := rd.readAt(2, 4, 4)
	if err != nil {
		return err
	}
	start := int64(binary.LittleEndian.Uint32(h))
	if start < 14 || start > rd.size {
		return errors.New("bad header length")
	}
	budget := 512
	rd.ciff = &ciffRecords{}
	err = ciffHeap(rd, start, rd.size, 0, &budget, true)
	c := rd.ciff
	// The number is the body's serial only on EOS models (exiftool).
	if c.hasSerial && strings.Contains(rd.model, "EOS") {
		rd.serial = strconv.FormatUint(uint64(c.serial), 10)
	}
	if iso := canonISO(c.settings, c.shot); iso > 0 {
		if rd.exif == nil {
			rd.exif = &exifFacts{}
		}
		rd.exif.iso = iso
	}
	return err
}

// ciffRecords collects the CRW records that maker notes carry in EXIF
// files: the camera settings and shot info arrays and the serial number.
type ciffRecords struct {
	settings, shot *tiffTag
	serial         uint32
	hasSerial      bool
}

// ciffHeap reads one CIFF heap in [start, end): its directory sits at the
// offset stored in the heap's last 4 bytes. withSize says whether the
// image info record sets Info's size (not for CIFF inside a JPEG, whose
// frame header is the size).
func ciffHeap(rd *reading, start, end int64, depth int, budget *int, withSize bool) error {
	if depth > 4 || end-start < 6 {
		return nil
	}
	t, err := rd.readAt(end-4, 4, 4)
	if err != nil {
		return err
	}
	dir := start + int64(binary.LittleEndian.Uint32(t))
	c, err := rd.readAt(dir, 2, 2)
	if err != nil {
		return errors.New("directory out of range")
	}
	n := int64(binary.LittleEndian.Uint16(c))
	if dir+2+n*10 > end {
		return errors.New("directory out of range")
	}
	ents, err := rd.readAt(dir+2, n*10, 256*10)
	if err != nil {
		return errors.New("too many entries")
	}
	for i := int64(0); i < n; i++ {
		*budget--
		if *budget < 0 {
			return nil
		}
		e := ents[i*10:]
		tag := binary.LittleEndian.Uint16(e[0:2])
		if tag&0xc000 == 0x4000 { // value stored in the entry itself
			if tag&0x3fff == 0x180b && rd.ciff != nil {
				rd.ciff.serial, rd.ciff.hasSerial = binary.LittleEndian.Uint32(e[2:6]), true
			}
			continue
		}
		if tag&0xc000 != 0 {
			continue
		}
		size := int64(binary.LittleEndian.Uint32(e[2:6]))
		off := start + int64(binary.LittleEndian.Uint32(e[6:10]))
		if off < start || size < 0 || off+size > end {
			continue
		}
		switch {
		case tag&0x3800 == 0x2800 || tag&0x3800 == 0x3000:
			ciffHeap(rd, off, off+size, depth+1, budget, withSize)
		case tag&0x3fff == 0x080a: // make and model, NUL separated
			if b, err := rd.readAt(off, size, 256); err == nil {
				parts := bytes.SplitN(b, []byte{0}, 3)
				rd.make = cleanText(string(parts[0]))
				if len(parts) > 1 {
					rd.model = cleanText(string(parts[1]))
				}
			}
		case tag&0x3fff == 0x180e: // capture time, camera clock seconds
			if b, err := rd.readAt(off, 4, 4); err == nil {
				if secs := binary.LittleEndian.Uint32(b); secs > 0 {
					rd.makerTime = time.Unix(int64(secs), 0).UTC().Format(exifLayout)
					rd.makerSource = SourceMaker
				}
			}
		case (tag&0x3fff == 0x102d || tag&0x3fff == 0x102a) && rd.ciff != nil && size >= 2:
			// Canon camera settings and shot info: arrays of int16.
			if b, err := rd.readAt(off, size, 4096); err == nil {
				t := &tiffTag{typ: 3, count: uint32(len(b) / 2), val: b, order: binary.LittleEndian, at: -1}
				if tag&0x3fff == 0x102d {
					rd.ciff.settings = t
				} else {
					rd.ciff.shot = t
				}
			}
		case tag&0x3fff == 0x180b && rd.ciff != nil && size >= 4:
			if b, err := rd.readAt(off, 4, 4); err == nil {
				rd.ciff.serial, rd.ciff.hasSerial = binary.LittleEndian.Uint32(b), true
			}
		case tag&0x3fff == 0x1810: // image info: width, height
			if b, err := rd.readAt(off, 8, 8); err == nil && withSize {
				rd.info.Width = int(binary.LittleEndian.Uint32(b[0:4]))
				rd.info.Height = int(binary.LittleEndian.Uint32(b[4:8]))
			}
		}
	}
	return nil
}
