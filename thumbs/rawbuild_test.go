package thumbs

import (
	"bytes"
	"encoding/binary"
	"image"

	"pinhole/thumbs/internal/photogen"
)

func photogenImage(w, h int) image.Image { return photogen.Image(w, h, 7) }

// tiffRAW builds a little-endian TIFF like a NEF: IFD0 with the orientation
// and a small JPEG thumbnail, one SubIFD with the big JPEG preview.
func tiffRAW(big, small []byte, orientation uint16) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.WriteString("II*\x00")
	binary.Write(&b, le, uint32(8))
	entry := func(tag, typ uint16, count, val uint32) {
		binary.Write(&b, le, tag)
		binary.Write(&b, le, typ)
		binary.Write(&b, le, count)
		binary.Write(&b, le, val)
	}
	ifd0, ifd1 := uint32(8), uint32(8+2+4*12+4)
	dataAt := ifd1 + 2 + 3*12 + 4
	_ = ifd0
	binary.Write(&b, le, uint16(4))
	entry(tagOrientation, 3, 1, uint32(orientation))
	entry(tagSubIFDs, 4, 1, ifd1)
	entry(tagJPEGOffset, 4, 1, dataAt)
	entry(tagJPEGLength, 4, 1, uint32(len(small)))
	binary.Write(&b, le, uint32(0))
	binary.Write(&b, le, uint16(3))
	entry(tagCompression, 3, 1, 6)
	entry(tagJPEGOffset, 4, 1, dataAt+uint32(len(small)))
	entry(tagJPEGLength, 4, 1, uint32(len(big)))
	binary.Write(&b, le, uint32(0))
	b.Write(small)
	b.Write(big)
	return b.Bytes()
}

func isoBox(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(out, typ...), body...)
}

// cr3RAW builds the boxes of a Canon CR3 that hold its previews: CMT1 (a
// TIFF IFD0 with the orientation) and THMB inside moov's Canon uuid, and
// the PRVW box in its own top-level uuid.
func cr3RAW(big, small []byte, orientation uint16) []byte {
	be := binary.BigEndian
	var cmt bytes.Buffer
	cmt.WriteString("MM\x00*")
	binary.Write(&cmt, be, uint32(8))
	binary.Write(&cmt, be, uint16(1))
	binary.Write(&cmt, be, uint16(tagOrientation))
	binary.Write(&cmt, be, uint16(3))
	binary.Write(&cmt, be, uint32(1))
	binary.Write(&cmt, be, orientation)
	binary.Write(&cmt, be, uint16(0))
	binary.Write(&cmt, be, uint32(0))
	thmbHeader := make([]byte, 16)
	prvwHeader := make([]byte, 16)
	return bytes.Join([][]byte{
		isoBox("ftyp", []byte("crx \x00\x00\x00\x01crx isom")),
		isoBox("moov", isoBox("uuid", cr3MetaUUID, isoBox("CMT1", cmt.Bytes()), isoBox("THMB", thmbHeader, small))),
		isoBox("uuid", cr3PreviewUUID, make([]byte, 8), isoBox("PRVW", prvwHeader, big)),
		isoBox("mdat", make([]byte, 64)),
	}, nil)
}

// rafRAW builds a Fujifilm RAF header pointing at the preview JPEG.
func rafRAW(big []byte) []byte {
	h := make([]byte, 148)
	copy(h, "FUJIFILMCCD-RAW 0201FF383501")
	binary.BigEndian.PutUint32(h[84:], uint32(len(h)))
	binary.BigEndian.PutUint32(h[88:], uint32(len(big)))
	return append(h, big...)
}

// heifWithJPEGItem builds a HEIF whose only image item is a JPEG, which
// some cameras write for their thumbnail or preview.
func heifWithJPEGItem(jpg []byte) []byte {
	be := binary.BigEndian
	full := func(version byte) []byte { return []byte{version, 0, 0, 0} }
	infe := isoBox("infe", full(2), []byte{0, 1, 0, 0}, []byte("jpeg"), []byte{0})
	iinf := isoBox("iinf", full(0), []byte{0, 1}, infe)
	ftyp := isoBox("ftyp", []byte("heic\x00\x00\x00\x00mif1heic"))
	// iloc v0: offset_size 4, length_size 4, base_offset_size 0; one item
	// with one extent whose offset is patched in once the layout is known.
	iloc := func(off uint32) []byte {
		var b bytes.Buffer
		b.Write(full(0))
		b.Write([]byte{0x44, 0x00})
		binary.Write(&b, be, uint16(1)) // item count
		binary.Write(&b, be, uint16(1)) // item ID
		binary.Write(&b, be, uint16(0)) // data reference index
		binary.Write(&b, be, uint16(1)) // extent count
		binary.Write(&b, be, off)
		binary.Write(&b, be, uint32(len(jpg)))
		return isoBox("iloc", b.Bytes())
	}
	meta := func(off uint32) []byte {
		return isoBox("meta", full(0), isoBox("hdlr", full(0), make([]byte, 4), []byte("pict"), make([]byte, 13)), iinf, iloc(off))
	}
	head := len(ftyp) + len(meta(0)) + 8 // mdat header
	return bytes.Join([][]byte{ftyp, meta(uint32(head)), isoBox("mdat", jpg)}, nil)
}
