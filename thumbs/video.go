package thumbs

import (
	"bytes"
	"encoding/binary"
	"io"
)

// readVideoSize returns the largest frame size a video's container declares
// for its video tracks: the track header and sample description of MP4,
// MOV and 3GP, the Video element of Matroska and WebM, the main and stream
// headers of AVI. ok is false for other containers (MPEG-TS/PS and the
// rest), whose sizes only the stream itself carries; ffmpeg's own pixel
// cap (-max_pixels) bounds those.
func readVideoSize(r io.ReaderAt, size int64, head []byte) (w, h int, ok bool) {
	switch {
	case len(head) >= 8 && string(head[4:8]) == "ftyp",
		len(head) >= 8 && (string(head[4:8]) == "moov" || string(head[4:8]) == "mdat" ||
			string(head[4:8]) == "wide" || string(head[4:8]) == "free"):
		return mp4VideoSize(r, size)
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return mkvVideoSize(r, size)
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:11]) == "AVI":
		return aviVideoSize(r, size)
	}
	return 0, 0, false
}

// mp4VideoSize reads moov/trak: tkhd's display size (16.16 fixed point) and
// the visual sample entries of tracks whose handler is 'vide'.
func mp4VideoSize(r io.ReaderAt, size int64) (w, h int, ok bool) {
	grow := func(a, b int) {
		if int64(a)*int64(b) > int64(w)*int64(h) {
			w, h = a, b
		}
		ok = ok || a > 0 && b > 0
	}
	for _, top := range boxes(r, 0, size) {
		if top.typ != "moov" {
			continue
		}
		eachBox(r, top.start, top.end, 1024, func(trak box) bool {
			if trak.typ != "trak" {
				return true
			}
			var tw, th int
			video := false
			var entries [][2]int
			eachBox(r, trak.start, trak.end, 64, func(c box) bool {
				switch c.typ {
				case "tkhd":
					tw, th = tkhdSize(r, c)
				case "mdia":
					eachBox(r, c.start, c.end, 64, func(m box) bool {
						switch m.typ {
						case "hdlr":
							var hb [12]byte
							if _, err := r.ReadAt(hb[:], m.start); err == nil && string(hb[8:12]) == "vide" {
								video = true
							}
						case "minf":
							eachBox(r, m.start, m.end, 64, func(s box) bool {
								if s.typ == "stbl" {
									eachBox(r, s.start, s.end, 64, func(d box) bool {
										if d.typ == "stsd" {
											entries = visualEntries(r, d)
										}
										return true
									})
								}
								return true
							})
						}
						return true
					})
				}
				return true
			})
			if video {
				grow(tw, th)
				for _, e := range entries {
					grow(e[0], e[1])
				}
			}
			return true
		})
	}
	return w, h, ok
}

// tkhdSize reads a track header's width and height, 16.16 fixed point at
// its end.
func tkhdSize(r io.ReaderAt, c box) (int, int) {
	var v [1]byte
	if _, err := r.ReadAt(v[:], c.start); err != nil {
		return 0, 0
	}
	off := c.start + 4 + 20 + 52 // v0: times and ids, then reserved, layer … matrix
	if v[0] == 1 {
		off = c.start + 4 + 32 + 52
	}
	var b [8]byte
	if off+8 > c.end {
		return 0, 0
	}
	if _, err := r.ReadAt(b[:], off); err != nil {
		return 0, 0
	}
	return int(binary.BigEndian.Uint32(b[:4]) >> 16), int(binary.BigEndian.Uint32(b[4:]) >> 16)
}

// visualEntries reads the width and height of each sample entry of stsd:
// 8 bytes of SampleEntry, then VisualSampleEntry's pre-defined fields
// and its 16-bit width and height.
func visualEntries(r io.ReaderAt, d box) [][2]int {
	var out [][2]int
	eachBox(r, d.start+8, d.end, 16, func(e box) bool {
		var b [28]byte
		if e.end-e.start < 28 {
			return true
		}
		if _, err := r.ReadAt(b[:], e.start); err == nil {
			out = append(out, [2]int{int(binary.BigEndian.Uint16(b[24:])), int(binary.BigEndian.Uint16(b[26:]))})
		}
		return true
	})
	return out
}

// Matroska element IDs (with their length markers, as written).
const (
	mkvSegment     = 0x18538067
	mkvTracks      = 0x1654AE6B
	mkvTrackEntry  = 0xAE
	mkvVideo       = 0xE0
	mkvPixelWidth  = 0xB0
	mkvPixelHeight = 0xBA
	mkvCluster     = 0x1F43B675
)

// ebmlVint reads an EBML variable-length integer at off: its value (with
// the length marker kept for IDs, dropped for sizes) and length.
func ebmlVint(r io.ReaderAt, off int64, keepMarker bool) (uint64, int, bool) {
	var b [8]byte
	if _, err := r.ReadAt(b[:1], off); err != nil || b[0] == 0 {
		return 0, 0, false
	}
	n := 1
	for b[0]&(0x80>>(n-1)) == 0 {
		n++
	}
	if n > 1 {
		if _, err := r.ReadAt(b[1:n], off+1); err != nil {
			return 0, 0, false
		}
	}
	v := uint64(b[0])
	if !keepMarker {
		v &= uint64(0xFF >> n)
	}
	allOnes := v == uint64(0xFF>>n)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
		allOnes = allOnes && b[i] == 0xFF
	}
	if !keepMarker && allOnes {
		return 1<<63 - 1, n, true // unknown size
	}
	return v, n, true
}

// mkvVideoSize walks Segment → Tracks → TrackEntry → Video for PixelWidth
// and PixelHeight, stopping at the first Cluster (media data).
func mkvVideoSize(r io.ReaderAt, size int64) (w, h int, ok bool) {
	steps := 0
	var walk func(off, end int64, depth int)
	walk = func(off, end int64, depth int) {
		var pw, ph int
		for off < end && steps < 4096 {
			steps++
			id, n1, ok1 := ebmlVint(r, off, true)
			sz, n2, ok2 := ebmlVint(r, off+int64(n1), false)
			if !ok1 || !ok2 {
				return
			}
			body := off + int64(n1+n2)
			bodyEnd := end
			if sz < uint64(end-body) {
				bodyEnd = body + int64(sz)
			}
			switch id {
			case mkvSegment, mkvTracks, mkvTrackEntry, mkvVideo:
				if depth < 6 {
					walk(body, bodyEnd, depth+1)
				}
			case mkvPixelWidth, mkvPixelHeight:
				var v uint64
				var b [8]byte
				k := min(bodyEnd-body, 8)
				if _, err := r.ReadAt(b[:k], body); err == nil {
					for _, x := range b[:k] {
						v = v<<8 | uint64(x)
					}
				}
				if id == mkvPixelWidth {
					pw = int(min(v, 1<<31))
				} else {
					ph = int(min(v, 1<<31))
				}
			case mkvCluster:
				steps = 4096
				return
			}
			if bodyEnd >= end {
				return
			}
			off = bodyEnd
		}
		if pw > 0 && ph > 0 && int64(pw)*int64(ph) > int64(w)*int64(h) {
			w, h, ok = pw, ph, true
		}
	}
	walk(0, size, 0)
	return w, h, ok
}

// aviVideoSize reads the main AVI header's frame size and the
// BITMAPINFOHEADER of each stream format.
func aviVideoSize(r io.ReaderAt, size int64) (w, h int, ok bool) {
	grow := func(a, b int32) {
		if b < 0 {
			b = -b
		}
		if a > 0 && b > 0 && int64(a)*int64(b) > int64(w)*int64(h) {
			w, h, ok = int(a), int(b), true
		}
	}
	var walk func(off, end int64, depth int)
	walk = func(off, end int64, depth int) {
		var c [12]byte
		vids := false // strf follows strh in a stream list: only video formats count
		for i := 0; off+8 <= end && i < 256; i++ {
			if _, err := r.ReadAt(c[:], off); err != nil {
				return
			}
			n := int64(binary.LittleEndian.Uint32(c[4:]))
			body := off + 8
			n = min(n, end-body)
			switch string(c[:4]) {
			case "LIST":
				if t := string(c[8:12]); (t == "hdrl" || t == "strl") && depth < 3 {
					walk(body+4, body+n, depth+1)
				}
			case "strh":
				vids = n >= 4 && func() bool {
					var t [4]byte
					_, err := r.ReadAt(t[:], body)
					return err == nil && string(t[:]) == "vids"
				}()
			case "avih", "strf":
				var b [40]byte
				if n >= 40 && (string(c[:4]) == "avih" || vids) {
					if _, err := r.ReadAt(b[:], body); err == nil {
						if string(c[:4]) == "avih" {
							grow(int32(binary.LittleEndian.Uint32(b[32:])), int32(binary.LittleEndian.Uint32(b[36:])))
						} else {
							grow(int32(binary.LittleEndian.Uint32(b[4:])), int32(binary.LittleEndian.Uint32(b[8:])))
						}
					}
				}
			}
			off = body + n + n&1
		}
	}
	walk(12, size, 0)
	return w, h, ok
}
