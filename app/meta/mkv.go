package meta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"time"
)

// Matroska element IDs read here.
const (
	ebmlSegment   = 0x18538067
	ebmlInfo      = 0x1549a966
	ebmlTracks    = 0x1654ae6b
	ebmlTrack     = 0xae
	ebmlVideo     = 0xe0
	ebmlCluster   = 0x1f43b675
	ebmlDateUTC   = 0x4461
	ebmlDuration  = 0x4489
	ebmlTimescale = 0x2ad7b1
	ebmlPixelW    = 0xb0
	ebmlPixelH    = 0xba
	ebmlTrackType = 0x83
	ebmlCodecID   = 0x86
)

var matroskaEpoch = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// readMatroska reads the segment info (date, duration) and the first video
// track's pixel size, stopping at the first cluster of media data.
func readMatroska(rd *reading) error {
	mime := "video/x-matroska"
	var doc [64]byte
	n, _ := rd.r.ReadAt(doc[:], 0)
	if containsWebM(doc[:n]) {
		mime = "video/webm"
	}
	rd.setMIME(mime)
	scale := 1e6 // default timecode scale: 1 ms in ns
	var dur float64
	elems := 0
	// The track entry being read: its type (1 video, 2 audio) and codec.
	var trackType uint64
	var trackCodec string
	var walk func(start, end int64, depth int) error
	walk = func(start, end int64, depth int) error {
		pos := start
		for pos < end {
			elems++
			if elems > 4096 || depth > 6 {
				return nil
			}
			id, idLen, ok := ebmlVint(rd, pos, true)
			if !ok {
				return nil
			}
			size, sizeLen, ok := ebmlVint(rd, pos+int64(idLen), false)
			if !ok {
				return nil
			}
			body := pos + int64(idLen+sizeLen)
			if size < 0 || size > end-body {
				size = end - body // unknown or overlong size
			}
			switch id {
			case ebmlTrack:
				trackType, trackCodec = 0, ""
				if err := walk(body, body+size, depth+1); err != nil {
					return err
				}
				switch {
				case trackType == 1 && rd.info.VideoCodec == "":
					rd.info.VideoCodec = trackCodec
				case trackType == 2 && rd.info.AudioCodec == "":
					rd.info.AudioCodec = trackCodec
				}
			case ebmlTrackType:
				trackType, _ = ebmlUint(rd, body, size)
			case ebmlCodecID:
				if b, err := rd.readAt(body, size, 64); err == nil && printable(bytes.TrimRight(b, "\x00")) {
					trackCodec = string(bytes.TrimRight(b, "\x00"))
				}
			case ebmlSegment, ebmlInfo, ebmlTracks, ebmlVideo:
				if err := walk(body, body+size, depth+1); err != nil {
					return err
				}
			case ebmlCluster:
				return errStop
			case ebmlDateUTC:
				if b, err := rd.readAt(body, size, 8); err == nil && len(b) == 8 {
					ns := int64(binary.BigEndian.Uint64(b))
					t := matroskaEpoch.Add(time.Duration(ns))
					rd.makerTime, rd.makerOffset, rd.makerSource = t.Format(exifLayout), "+00:00", SourceVideo
				}
			case ebmlDuration:
				if b, err := rd.readAt(body, size, 8); err == nil {
					switch len(b) {
					case 4:
						dur = float64(math.Float32frombits(binary.BigEndian.Uint32(b)))
					case 8:
						dur = math.Float64frombits(binary.BigEndian.Uint64(b))
					}
				}
			case ebmlTimescale:
				if v, ok := ebmlUint(rd, body, size); ok && v > 0 {
					scale = float64(v)
				}
			case ebmlPixelW:
				if v, ok := ebmlUint(rd, body, size); ok && rd.info.Width == 0 {
					rd.info.Width = int(v)
				}
			case ebmlPixelH:
				if v, ok := ebmlUint(rd, body, size); ok && rd.info.Height == 0 {
					rd.info.Height = int(v)
				}
			}
			pos = body + size
		}
		return nil
	}
	if err := walk(0, rd.size, 0); err != nil && err != errStop {
		return err
	}
	if d := dur * scale / 1e9; d > 0 && !math.IsInf(d, 0) && !math.IsNaN(d) {
		rd.info.Duration = d
	}
	return nil
}

var errStop = errors.New("stop")

func containsWebM(b []byte) bool {
	for i := 0; i+4 <= len(b); i++ {
		if string(b[i:i+4]) == "webm" {
			return true
		}
	}
	return false
}

// ebmlVint reads a variable-length integer. IDs keep their length marker;
// sizes drop it, and an all-ones size (unknown) is returned as -1.
func ebmlVint(rd *reading, pos int64, keepMarker bool) (int64, int, bool) {
	var b [8]byte
	if _, err := rd.r.ReadAt(b[:1], pos); err != nil || b[0] == 0 {
		return 0, 0, false
	}
	n := 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if n > 8 {
		return 0, 0, false
	}
	if n > 1 {
		if _, err := rd.r.ReadAt(b[1:n], pos+1); err != nil {
			return 0, 0, false
		}
	}
	v := int64(b[0])
	if !keepMarker {
		v &= int64(0xff >> n)
	}
	allOnes := v == int64(0xff>>n)
	for _, c := range b[1:n] {
		v = v<<8 | int64(c)
		allOnes = allOnes && c == 0xff
	}
	if !keepMarker && allOnes {
		return -1, n, true
	}
	return v, n, true
}

func ebmlUint(rd *reading, pos, size int64) (uint64, bool) {
	if size < 1 || size > 8 {
		return 0, false
	}
	b, err := rd.readAt(pos, size, 8)
	if err != nil {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, true
}
