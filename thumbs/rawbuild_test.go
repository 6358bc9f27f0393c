package thumbs

import (
	"bytes"
	"encoding/binary"

	"pinhole/app/testkit"
)

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
		testkit.Box("ftyp", []byte("crx \x00\x00\x00\x01crx isom")),
		testkit.Box("moov", testkit.Box("uuid", cr3MetaUUID, testkit.Box("CMT1", cmt.Bytes()), testkit.Box("THMB", thmbHeader, small))),
		testkit.Box("uuid", cr3PreviewUUID, make([]byte, 8), testkit.Box("PRVW", prvwHeader, big)),
		testkit.Box("mdat", make([]byte, 64)),
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
