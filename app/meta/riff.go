package meta

import (
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

const maxRIFFChunks = 1024

// readWebP reads the size from VP8/VP8L/VP8X and the EXIF and XMP chunks.
func readWebP(rd *reading) error {
	rd.setMIME("image/webp")
	end := riffEnd(rd)
	pos := int64(12)
	var hdr [8]byte
	for i := 0; i < maxRIFFChunks && pos+8 <= end; i++ {
		if _, err := rd.r.ReadAt(hdr[:], pos); err != nil {
			break
		}
		id := string(hdr[:4])
		n := int64(binary.LittleEndian.Uint32(hdr[4:]))
		body := pos + 8
		if n > end-body {
			n = end - body
		}
		switch id {
		case "VP8X":
			if b, err := rd.readAt(body, 10, 10); err == nil && n >= 10 {
				rd.info.Width = int(uint32(b[4])|uint32(b[5])<<8|uint32(b[6])<<16) + 1
				rd.info.Height = int(uint32(b[7])|uint32(b[8])<<8|uint32(b[9])<<16) + 1
			}
		case "VP8 ":
			// Frame tag (3 bytes), start code 9d 01 2a, then 14-bit sizes.
			if b, err := rd.readAt(body, 10, 10); err == nil && n >= 10 && rd.info.Width == 0 &&
				b[3] == 0x9d && b[4] == 0x01 && b[5] == 0x2a {
				rd.info.Width = int(binary.LittleEndian.Uint16(b[6:8]) & 0x3fff)
				rd.info.Height = int(binary.LittleEndian.Uint16(b[8:10]) & 0x3fff)
			}
		case "VP8L":
			if b, err := rd.readAt(body, 5, 5); err == nil && n >= 5 && rd.info.Width == 0 && b[0] == 0x2f {
				v := binary.LittleEndian.Uint32(b[1:5])
				rd.info.Width = int(v&0x3fff) + 1
				rd.info.Height = int(v>>14&0x3fff) + 1
			}
		case "EXIF":
			if b, err := rd.readAt(body, n, maxEXIFBlob); err == nil {
				if len(b) > 6 && string(b[:6]) == "Exif\x00\x00" {
					b = b[6:]
				}
				rd.addEXIF(b)
			}
		case "XMP ":
			if b, err := rd.readAt(body, n, maxXMPBytes); err == nil {
				rd.addXMP(b)
			}
		}
		pos = body + n + n&1
	}
	if rd.info.Width == 0 {
		return errors.New("no image header")
	}
	return nil
}

// riffEnd is the end of the RIFF data, trusting the header only as far as
// the file reaches.
func riffEnd(rd *reading) int64 {
	var b [4]byte
	if _, err := rd.r.ReadAt(b[:], 4); err != nil {
		return rd.size
	}
	end := int64(binary.LittleEndian.Uint32(b[:])) + 8
	if end > rd.size || end < 12 {
		end = rd.size
	}
	return end
}

// readAVI reads the frame size from the main AVI header and the capture
// time from an IDIT chunk (written by most cameras).
func readAVI(rd *reading) error {
	rd.setMIME("video/x-msvideo")
	end := riffEnd(rd)
	var walk func(start, stop int64, depth int) error
	chunks := 0
	walk = func(start, stop int64, depth int) error {
		pos := start
		var hdr [12]byte
		for pos+8 <= stop {
			chunks++
			if chunks > maxRIFFChunks || depth > 4 {
				return nil
			}
			if _, err := rd.r.ReadAt(hdr[:8], pos); err != nil {
				return nil
			}
			id := string(hdr[:4])
			n := int64(binary.LittleEndian.Uint32(hdr[4:8]))
			body := pos + 8
			if n > stop-body {
				n = stop - body
			}
			switch id {
			case "LIST":
				var lt [4]byte
				if _, err := rd.r.ReadAt(lt[:], body); err == nil {
					switch string(lt[:]) {
					case "hdrl", "strl", "INFO", "Tdat", "ncdt", "hydt":
						if err := walk(body+4, body+n, depth+1); err != nil {
							return err
						}
					case "movi":
						// Media data: metadata never follows in a way worth the seek.
					}
				}
			case "avih":
				if b, err := rd.readAt(body, 40, 40); err == nil && n >= 40 {
					rd.info.Width = int(binary.LittleEndian.Uint32(b[32:36]))
					rd.info.Height = int(binary.LittleEndian.Uint32(b[36:40]))
					usPerFrame := binary.LittleEndian.Uint32(b[0:4])
					frames := binary.LittleEndian.Uint32(b[16:20])
					if usPerFrame > 0 && frames > 0 {
						rd.info.Duration = float64(usPerFrame) * float64(frames) / 1e6
					}
				}
			case "strh":
				// Stream header: type ("vids", "auds") and handler, which
				// exiftool calls VideoCodec and AudioCodec.
				if b, err := rd.readAt(body, 8, 8); err == nil && n >= 8 {
					handler := strings.TrimRight(string(b[4:8]), "\x00 ")
					if !printable([]byte(handler)) {
						handler = ""
					}
					switch string(b[:4]) {
					case "vids":
						if rd.info.VideoCodec == "" {
							rd.info.VideoCodec = handler
						}
					case "auds":
						if rd.info.AudioCodec == "" {
							rd.info.AudioCodec = handler
						}
					}
				}
			case "hymn":
				// Pentax keeps its maker note here ("PENTAX \0", byte order,
				// an IFD with offsets from the note's start).
				mn := makerNote{r: rd.r, size: rd.size, start: body, n: n, base: body, order: binary.BigEndian}
				rd.maker = mn.read()
			case "IDIT", "ICRD", "DTIM":
				if b, err := rd.readAt(body, n, 256); err == nil && rd.makerTime == "" {
					if s, ok := aviDate(string(b)); ok {
						rd.makerTime, rd.makerSource = s, SourceVideo
					}
				}
			}
			pos = body + n + n&1
		}
		return nil
	}
	return walk(12, end, 0)
}

// aviDate parses the date forms cameras put in IDIT: "MON MAR 10 15:04:43
// 2003", "2009:10:27 12:14:00", "2009/10/27 12:14:00".
func aviDate(s string) (string, bool) {
	s = strings.TrimSpace(strings.TrimRight(s, "\x00\n\r "))
	for _, layout := range []string{"Mon Jan _2 15:04:05 2006", "Mon Jan 2 15:04:05 2006", "2006:01:02 15:04:05", "2006/01/02 15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		l := len(layout)
		if len(s) < l-1 {
			continue
		}
		in := s
		if strings.HasPrefix(layout, "Mon") {
			in = capitalizeWords(s)
		} else if len(in) > len(layout) {
			in = in[:len(layout)]
		}
		if t, err := time.Parse(layout, in); err == nil {
			return t.Format(exifLayout), true
		}
	}
	return "", false
}

// capitalizeWords turns "MON MAR 10" into "Mon Mar 10" for time.Parse.
func capitalizeWords(s string) string {
	b := []byte(strings.ToLower(s))
	for i := range b {
		if (i == 0 || b[i-1] == ' ') && b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}
