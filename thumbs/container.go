package thumbs

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
)

// embedded is what a TIFF, PNG or WebP file says about itself beyond its
// pixels: the EXIF orientation (0 when none) and the colour profile.
type embedded struct {
	orientation int
	icc         []byte
}

// tagICC is TIFF's InterColorProfile tag.
const tagICC = 34675

// readEmbedded reads the orientation and ICC profile of a TIFF, or of the
// EXIF block and profile a PNG (eXIf, iCCP chunks) or WebP (EXIF, ICCP
// chunks) carries. Profiles larger than maxICCBytes are left out.
func readEmbedded(r io.ReaderAt, size int64, head []byte) embedded {
	var e embedded
	switch {
	case bytes.HasPrefix(head, []byte("II")) || bytes.HasPrefix(head, []byte("MM")):
		if t, err := newTIFF(r, 0, size); err == nil {
			e.orientation = t.orientation()
			e.icc = t.icc()
		}
	case bytes.HasPrefix(head, []byte("\x89PNG")):
		var h [8]byte
		off := int64(8)
		// eXIf belongs before IDAT, but some writers put it after.
		for i := 0; i < 4096 && off+12 <= size; i++ {
			if _, err := r.ReadAt(h[:], off); err != nil {
				break
			}
			n := int64(binary.BigEndian.Uint32(h[:4]))
			body := io.NewSectionReader(r, off+8, max(0, min(n, size-off-8)))
			switch string(h[4:]) {
			case "eXIf":
				if t, err := newTIFF(body, 0, body.Size()); err == nil {
					e.orientation = t.orientation()
				}
			case "iCCP":
				e.icc = pngICC(body)
			case "IEND":
				return e
			}
			off += 12 + n
		}
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		var h [8]byte
		off := int64(12)
		for i := 0; i < 64 && off+8 <= size; i++ {
			if _, err := r.ReadAt(h[:], off); err != nil {
				break
			}
			n := int64(binary.LittleEndian.Uint32(h[4:]))
			start, n := off+8, max(0, min(n, size-off-8))
			switch string(h[:4]) {
			case "EXIF":
				var p [6]byte
				if _, err := r.ReadAt(p[:], start); err == nil && string(p[:]) == "Exif\x00\x00" {
					start, n = start+6, n-6
				}
				if t, err := newTIFF(r, start, n); err == nil {
					e.orientation = t.orientation()
				}
			case "ICCP":
				if n <= maxICCBytes {
					buf := make([]byte, n)
					if _, err := r.ReadAt(buf, start); err == nil {
						e.icc = buf
					}
				}
			}
			off = start + n + n&1
		}
	}
	return e
}

// pngICC inflates an iCCP chunk: a profile name, a NUL, the compression
// method (0) and the zlib-compressed profile.
func pngICC(chunk *io.SectionReader) []byte {
	head := make([]byte, min(chunk.Size(), 81))
	if _, err := chunk.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil
	}
	nul := bytes.IndexByte(head, 0)
	if nul < 1 || nul+2 > len(head) || head[nul+1] != 0 {
		return nil
	}
	zr, err := zlib.NewReader(io.NewSectionReader(chunk, int64(nul+2), chunk.Size()-int64(nul+2)))
	if err != nil {
		return nil
	}
	defer zr.Close()
	icc, err := io.ReadAll(io.LimitReader(zr, maxICCBytes+1))
	if err != nil || len(icc) > maxICCBytes || len(icc) < 128 {
		return nil
	}
	return icc
}

// heifJPEGItem finds the largest JPEG-coded item of a HEIF container (some
// cameras store their thumbnail or preview as one) so a HEIC can get a
// preview without any helper program.
func heifJPEGItem(r io.ReaderAt, size int64) (rawPreview, bool) {
	var cands []span
	for _, b := range boxes(r, 0, size) {
		if b.typ != "meta" {
			continue
		}
		types := map[uint32]string{}
		var locs []heifItemLoc
		for _, c := range boxes(r, b.start+4, b.end) { // meta is a full box
			switch c.typ {
			case "iinf":
				heifItemTypes(r, c, types)
			case "iloc":
				locs = heifLocations(r, c)
			}
		}
		for _, l := range locs {
			if types[l.id] == "jpeg" {
				cands = append(cands, l.span)
			}
		}
	}
	return bestJPEG(r, size, cands, 0)
}

func heifItemTypes(r io.ReaderAt, c box, types map[uint32]string) {
	var vh [4]byte
	if _, err := r.ReadAt(vh[:], c.start); err != nil {
		return
	}
	skip := int64(4 + 2)
	if vh[0] > 0 {
		skip = 4 + 4
	}
	for _, e := range boxes(r, c.start+skip, c.end) {
		if e.typ != "infe" || e.end-e.start < 12 {
			continue
		}
		b := make([]byte, 12)
		if _, err := r.ReadAt(b, e.start); err != nil {
			continue
		}
		switch b[0] { // version
		case 2:
			types[uint32(binary.BigEndian.Uint16(b[4:]))] = string(b[8:12])
		case 3:
			if e.end-e.start >= 14 {
				b = make([]byte, 14)
				if _, err := r.ReadAt(b, e.start); err == nil {
					types[binary.BigEndian.Uint32(b[4:])] = string(b[10:14])
				}
			}
		}
	}
}

// heifLocations keeps the items stored as one extent in the file itself
// (construction method 0): the only ones a preview can be read from as is.
func heifLocations(r io.ReaderAt, c box) []heifItemLoc {
	var out []heifItemLoc
	for _, l := range heifItemLocations(r, c) {
		if l.method == 0 && l.extents == 1 && l.n > 0 {
			out = append(out, l)
		}
	}
	return out
}

// heifTransformed reports whether a HEIF's item properties rotate or mirror
// the image (irot, imir). Helpers apply those; when there are none, the
// EXIF orientation is what makes the picture upright, as some writers rely
// on it alone.
func heifTransformed(r io.ReaderAt, size int64) bool {
	for _, b := range boxes(r, 0, size) {
		if b.typ != "meta" {
			continue
		}
		for _, c := range boxes(r, b.start+4, b.end) {
			if c.typ != "iprp" {
				continue
			}
			for _, co := range boxes(r, c.start, c.end) {
				if co.typ != "ipco" {
					continue
				}
				for _, p := range boxes(r, co.start, co.end) {
					if p.typ == "irot" || p.typ == "imir" {
						return true
					}
				}
			}
		}
	}
	return false
}
