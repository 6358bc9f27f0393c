package thumbs

import (
	"bytes"
	"encoding/binary"
	"io"
)

// rawPreview is the embedded JPEG chosen from a RAW file.
type rawPreview struct {
	span
	info        jpegInfo
	orientation int // the RAW's own orientation tag, 0 when unknown
}

const maxScanBytes = 256 << 20

// findRAWPreview returns the largest decodable embedded JPEG of a RAW file
// that declares at most maxPixels (the largest one when none does, to be
// refused with its size; maxPixels ≤ 0: no limit):
// IFD previews of TIFF-based RAWs (CR2, NEF, ARW, DNG, ORF, RW2, PEF …), the
// PRVW/THMB boxes of CR3, the header pointer of RAF, and, when those yield
// nothing, a bounded scan for JPEG start markers.
func findRAWPreview(r io.ReaderAt, size, maxPixels int64) (rawPreview, bool) {
	var cands []span
	orientation := 0
	var head [16]byte
	n, _ := r.ReadAt(head[:], 0)
	hb := head[:n]
	switch {
	case bytes.HasPrefix(hb, []byte("FUJIFILMCCD-RAW")):
		var p [8]byte
		if _, err := r.ReadAt(p[:], 84); err == nil {
			cands = append(cands, span{int64(binary.BigEndian.Uint32(p[:])), int64(binary.BigEndian.Uint32(p[4:]))})
		}
	case len(hb) >= 12 && string(hb[4:8]) == "ftyp":
		cands, orientation = cr3Previews(r, size)
	default:
		if t, err := newTIFF(r, 0, size); err == nil {
			orientation = t.orientation()
			cands = t.previews()
		}
	}
	best, ok := bestJPEG(r, size, cands, maxPixels)
	if !ok {
		best, ok = bestJPEG(r, size, scanForJPEGs(r, min(size, maxScanBytes)), maxPixels)
	}
	if !ok {
		return rawPreview{}, false
	}
	if orientation == 0 {
		orientation = best.info.Orientation
	}
	best.orientation = orientation
	return best, true
}

// bestJPEG returns the candidate with the most pixels that parses as a
// decodable JPEG, preferring those within maxPixels (≤ 0: no limit): a
// preview declaring an absurd size must not hide a sane one. Each distinct
// offset is read once, and at most maxPreviews of them: a container may
// list the same bytes thousands of times, and each read can cost up to the
// candidate's size.
func bestJPEG(r io.ReaderAt, size int64, cands []span, maxPixels int64) (rawPreview, bool) {
	var best rawPreview
	found := false
	fits := func(i jpegInfo) bool { return maxPixels <= 0 || int64(i.Width)*int64(i.Height) <= maxPixels }
	tried := map[int64]bool{}
	for _, c := range cands {
		if c.off < 0 || c.n < 64 || c.off >= size || tried[c.off] {
			continue
		}
		if len(tried) == maxPreviews {
			break
		}
		tried[c.off] = true
		c.n = min(c.n, size-c.off)
		info, err := readJPEGInfo(r, c.off, c.n, true)
		if err != nil {
			continue
		}
		better := int64(info.Width)*int64(info.Height) > int64(best.info.Width)*int64(best.info.Height)
		if !found || fits(info) && !fits(best.info) || fits(info) == fits(best.info) && better {
			best, found = rawPreview{span: c, info: info}, true
		}
	}
	return best, found
}

// scanForJPEGs finds up to 32 JPEG start markers (FFD8FF followed by a
// marker byte) in the first limit bytes; each candidate runs to the end of
// the file, which decoders tolerate.
func scanForJPEGs(r io.ReaderAt, limit int64) []span {
	var out []span
	const chunk = 1 << 20
	buf := make([]byte, min(chunk, limit)+3)
	for off := int64(0); off < limit && len(out) < 32; off += chunk {
		n, _ := r.ReadAt(buf, off)
		if n < 4 {
			break
		}
		b := buf[:n]
		for i := 0; i < chunk; i++ {
			i0 := bytes.Index(b[i:], []byte{0xFF, 0xD8, 0xFF})
			i += i0
			// The marker byte must be there too: a file may end right
			// after a start marker.
			if i0 < 0 || i >= chunk || i+3 >= len(b) {
				break
			}
			if m := b[i+3]; m >= 0xC0 && m != 0xFF && len(out) < 32 {
				out = append(out, span{off + int64(i), limit - off - int64(i)})
			}
		}
	}
	return out
}

var (
	cr3PreviewUUID = []byte{0xea, 0xf4, 0x2b, 0x5e, 0x1c, 0x98, 0x4b, 0x88, 0xb9, 0xfb, 0xb7, 0xdc, 0x40, 0x6e, 0x4d, 0x16}
	cr3MetaUUID    = []byte{0x85, 0xc0, 0xb6, 0x87, 0x82, 0x0f, 0x11, 0xe0, 0x81, 0x11, 0xf4, 0xce, 0x46, 0x2b, 0x6a, 0x48}
)

// box is one ISO base media file format box.
type box struct {
	typ        string
	start, end int64 // payload
}

// boxes lists the boxes in r[off:end], at most 256 of them.
func boxes(r io.ReaderAt, off, end int64) []box {
	var out []box
	var h [16]byte
	for off+8 <= end && len(out) < 256 {
		if _, err := r.ReadAt(h[:8], off); err != nil {
			break
		}
		sz := int64(binary.BigEndian.Uint32(h[:4]))
		hdr := int64(8)
		switch sz {
		case 0:
			sz = end - off
		case 1:
			if _, err := r.ReadAt(h[8:16], off+8); err != nil {
				return out
			}
			sz = int64(binary.BigEndian.Uint64(h[8:16]))
			hdr = 16
		}
		if sz < hdr || off+sz > end || sz < 0 {
			break
		}
		out = append(out, box{typ: string(h[4:8]), start: off + hdr, end: off + sz})
		off += sz
	}
	return out
}

// cr3Previews returns the preview JPEG candidates of a Canon CR3 (the
// 1620-pixel PRVW and the 160-pixel THMB) and its orientation from CMT1.
func cr3Previews(r io.ReaderAt, size int64) ([]span, int) {
	var out []span
	orientation := 0
	uuidOf := func(b box) []byte {
		u := make([]byte, 16)
		if b.end-b.start < 16 {
			return nil
		}
		if _, err := r.ReadAt(u, b.start); err != nil {
			return nil
		}
		return u
	}
	// jpegIn finds a JPEG start in the first bytes of a box's payload.
	jpegIn := func(start, end int64) {
		head := make([]byte, min(64, end-start))
		if _, err := r.ReadAt(head, start); err != nil {
			return
		}
		if i := bytes.Index(head, []byte{0xFF, 0xD8, 0xFF}); i >= 0 {
			out = append(out, span{start + int64(i), end - start - int64(i)})
		}
	}
	for _, b := range boxes(r, 0, size) {
		switch b.typ {
		case "uuid":
			if bytes.Equal(uuidOf(b), cr3PreviewUUID) {
				// 8 bytes of version/flags and counters precede the PRVW box.
				for _, c := range boxes(r, b.start+16+8, b.end) {
					if c.typ == "PRVW" {
						jpegIn(c.start, c.end)
					}
				}
			}
		case "moov":
			for _, m := range boxes(r, b.start, b.end) {
				if m.typ != "uuid" || !bytes.Equal(uuidOf(m), cr3MetaUUID) {
					continue
				}
				for _, c := range boxes(r, m.start+16, m.end) {
					switch c.typ {
					case "THMB":
						jpegIn(c.start, c.end)
					case "CMT1":
						if t, err := newTIFF(r, c.start, c.end-c.start); err == nil {
							orientation = t.orientation()
						}
					}
				}
			}
		}
	}
	return out, orientation
}
