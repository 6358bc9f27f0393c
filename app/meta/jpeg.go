package meta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Limits for walking JPEG segments: the metadata sits in the header, so a
// file that needs more than this before its first scan is malformed.
const (
	maxJPEGSegments = 512
	maxJPEGMeta     = 8 << 20
)

var (
	exifPrefix = []byte("Exif\x00")
	xmpPrefix  = []byte("http://ns.adobe.com/xap/1.0/\x00")
	psPrefix   = []byte("Photoshop 3.0\x00")
)

// readJPEG walks the segments before the first scan: APP1 (EXIF, XMP),
// APP12 (old Olympus picture info), APP13 (IPTC) and the frame header for
// the image size.
func readJPEG(rd *reading) error {
	if rd.info.MIME == "" {
		rd.setMIME("image/jpeg")
	}
	return walkJPEG(rd, 0, rd.size, true)
}

// walkJPEG reads the JPEG stream in [start, end). withSize controls whether
// its frame header sets Info's size (false for a preview inside a RAW file
// whose size comes from elsewhere).
func walkJPEG(rd *reading, start, end int64, withSize bool) error {
	pos := start + 2
	var budget int64 = maxJPEGMeta
	var hdr [4]byte
	for seg := 0; seg < maxJPEGSegments; seg++ {
		if pos+4 > end {
			if seg == 0 {
				return errors.New("truncated before first segment")
			}
			return nil // truncated: keep what was found
		}
		if _, err := rd.r.ReadAt(hdr[:], pos); err != nil {
			return nil
		}
		if hdr[0] != 0xff {
			return errors.New("malformed segment marker")
		}
		marker := hdr[1]
		switch {
		case marker == 0xff: // fill byte
			pos++
			continue
		case marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7):
			pos += 2
			continue
		case marker == 0xd9 || marker == 0xda: // end of image, start of scan
			return nil
		}
		n := int64(binary.BigEndian.Uint16(hdr[2:4]))
		if n < 2 {
			return errors.New("malformed segment length")
		}
		body := pos + 4
		size := n - 2
		if body+size > end {
			size = end - body
		}
		switch {
		case marker == 0xe0 && size > 14:
			// Canon PowerShot cameras wrote a CIFF heap into APP0.
			var sig [14]byte
			if _, err := rd.r.ReadAt(sig[:], body); err == nil && string(sig[:2]) == "II" && string(sig[6:10]) == "HEAP" {
				hl := int64(binary.LittleEndian.Uint32(sig[2:6]))
				if hl >= 14 && hl < size {
					budget := 256
					ciffHeap(rd, body+hl, body+size, 0, &budget, false)
				}
			}
		case marker == 0xe1 || marker == 0xec || marker == 0xed:
			if size > budget {
				return nil
			}
			budget -= size
			b, err := rd.readAt(body, size, 1<<16)
			if err != nil {
				return nil
			}
			jpegApp(rd, marker, b)
		case isSOF(marker) && withSize && rd.info.Width == 0:
			var sof [5]byte
			if size >= 5 {
				if _, err := rd.r.ReadAt(sof[:], body); err == nil {
					rd.info.Height = int(binary.BigEndian.Uint16(sof[1:3]))
					rd.info.Width = int(binary.BigEndian.Uint16(sof[3:5]))
				}
			}
		}
		pos = body + n - 2
	}
	return nil
}

// isSOF reports whether a marker starts a frame (SOF0–SOF15 except DHT,
// JPG and DAC, which share the range).
func isSOF(m byte) bool {
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc
}

func jpegApp(rd *reading, marker byte, b []byte) {
	switch marker {
	case 0xe1:
		switch {
		case bytes.HasPrefix(b, exifPrefix) && len(b) > 6:
			rd.addEXIF(b[6:])
		case bytes.HasPrefix(b, xmpPrefix):
			rd.addXMP(b[len(xmpPrefix):])
		case bytes.HasPrefix(b, []byte("QVCI\x00")) && len(b) >= 0x4d+19:
			// Casio QV cameras: "1998.10.24.12.08.57" at a fixed offset.
			d := strings.ReplaceAll(string(b[0x4d:0x4d+19]), ".", ":")
			if t, ok := parseExifTime(d[:10] + " " + d[11:]); ok && rd.makerTime == "" {
				rd.makerTime, rd.makerSource = t.Format(exifLayout), SourceMaker
			}
		}
	case 0xed:
		if bytes.HasPrefix(b, psPrefix) {
			if iim := photoshopIPTC(b[len(psPrefix):]); iim != nil {
				rd.addIPTC(iim)
			}
		}
	case 0xec:
		olympusPictureInfo(rd, b)
	}
}

// photoshopIPTC finds the IPTC-NAA resource (ID 0x0404) among Photoshop
// image resource blocks ("8BIM", id, padded Pascal name, size, data).
func photoshopIPTC(b []byte) []byte {
	for i := 0; i < 256 && len(b) >= 12; i++ {
		if string(b[:4]) != "8BIM" {
			return nil
		}
		id := binary.BigEndian.Uint16(b[4:6])
		nameLen := int(b[6])
		p := 7 + nameLen
		if p%2 == 1 {
			p++
		}
		if p+4 > len(b) {
			return nil
		}
		size := int(binary.BigEndian.Uint32(b[p : p+4]))
		p += 4
		if size < 0 || size > len(b)-p {
			return nil
		}
		if id == 0x0404 {
			return b[p : p+size]
		}
		p += size
		if size%2 == 1 {
			p++
		}
		if p > len(b) {
			return nil
		}
		b = b[p:]
	}
	return nil
}

// olympusPictureInfo reads the capture time from the text block old
// Olympus cameras write to APP12 ("TimeDate=<unix seconds>"). The seconds
// count the camera's local wall clock, so they are read as UTC.
func olympusPictureInfo(rd *reading, b []byte) {
	i := bytes.Index(b, []byte("[picture info]"))
	if i < 0 {
		return
	}
	// "Serial#=" may sit in any section of the text.
	for _, line := range bytes.FieldsFunc(b, func(r rune) bool { return r == '\r' || r == '\n' || r == 0 }) {
		if v, ok := bytes.CutPrefix(line, []byte("Serial#=")); ok && rd.serial == "" {
			rd.serial = cleanText(string(v))
		}
	}
	j := bytes.Index(b[i:], []byte("TimeDate="))
	if j < 0 {
		return
	}
	v := b[i+j+len("TimeDate="):]
	end := bytes.IndexAny(v, "\r\n\x00")
	if end < 0 {
		end = len(v)
	}
	secs, err := strconv.ParseInt(string(v[:end]), 10, 64)
	if err != nil || secs <= 0 {
		return
	}
	if rd.makerTime == "" {
		rd.makerTime = time.Unix(secs, 0).UTC().Format(exifLayout)
		rd.makerSource = SourceMaker
	}
}
