package meta

import (
	"encoding/binary"
	"errors"
)

// readGIF reads the logical screen size.
func readGIF(rd *reading) error {
	rd.setMIME("image/gif")
	b, err := rd.readAt(6, 4, 4)
	if err != nil {
		return err
	}
	rd.info.Width = int(binary.LittleEndian.Uint16(b[0:2]))
	rd.info.Height = int(binary.LittleEndian.Uint16(b[2:4]))
	return nil
}

// readBMP reads the size from the DIB header. A negative height means the
// rows are stored top-down; the size is its absolute value.
func readBMP(rd *reading) error {
	rd.setMIME("image/bmp")
	b, err := rd.readAt(14, 12, 12)
	if err != nil {
		return err
	}
	switch binary.LittleEndian.Uint32(b[0:4]) {
	case 12: // OS/2 BITMAPCOREHEADER
		rd.info.Width = int(binary.LittleEndian.Uint16(b[4:6]))
		rd.info.Height = int(binary.LittleEndian.Uint16(b[6:8]))
	case 40, 52, 56, 64, 108, 124:
		w := int32(binary.LittleEndian.Uint32(b[4:8]))
		h := int32(binary.LittleEndian.Uint32(b[8:12]))
		if h < 0 {
			h = -h
		}
		if w < 0 {
			return errors.New("negative width")
		}
		rd.info.Width, rd.info.Height = int(w), int(h)
	default:
		return errors.New("unknown bitmap header")
	}
	return nil
}
