package meta

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
)

// maxPNGChunks bounds the chunk walk. Metadata may follow the image data,
// so IDAT chunks are skipped by offset rather than read.
const maxPNGChunks = 4096

// readPNG reads IHDR for the size, eXIf for EXIF and the iTXt XMP packet.
func readPNG(rd *reading) error {
	rd.setMIME("image/png")
	pos := int64(8)
	var hdr [8]byte
	for i := 0; i < maxPNGChunks && pos+8 <= rd.size; i++ {
		if _, err := rd.r.ReadAt(hdr[:], pos); err != nil {
			break
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:8])
		body := pos + 8
		if n > rd.size-body {
			if i == 0 {
				return errors.New("truncated header chunk")
			}
			break
		}
		switch typ {
		case "IHDR":
			if n < 8 {
				return errors.New("short IHDR")
			}
			b, err := rd.readAt(body, 8, 8)
			if err != nil {
				return err
			}
			rd.info.Width = int(binary.BigEndian.Uint32(b[0:4]))
			rd.info.Height = int(binary.BigEndian.Uint32(b[4:8]))
		case "eXIf", "exIf":
			if b, err := rd.readAt(body, n, maxEXIFBlob); err == nil {
				rd.addEXIF(bytes.TrimPrefix(b, []byte("Exif\x00\x00")))
			}
		case "iTXt":
			if b, err := rd.readAt(body, n, maxXMPBytes); err == nil {
				if x := pngXMP(b); x != nil {
					rd.addXMP(x)
				}
			}
		case "IEND":
			return nil
		}
		pos = body + n + 4
	}
	if rd.info.Width == 0 {
		return errors.New("no IHDR")
	}
	return nil
}

// pngXMP returns the XMP text of an iTXt chunk with the XMP keyword:
// keyword NUL flag method language NUL translated-keyword NUL text.
func pngXMP(b []byte) []byte {
	const kw = "XML:com.adobe.xmp\x00"
	if !bytes.HasPrefix(b, []byte(kw)) || len(b) < len(kw)+2 {
		return nil
	}
	compressed := b[len(kw)] == 1
	rest := b[len(kw)+2:]
	for k := 0; k < 2; k++ {
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return nil
		}
		rest = rest[i+1:]
	}
	if !compressed {
		return rest
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		return nil
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxXMPBytes))
	if err != nil {
		return nil
	}
	return out
}
